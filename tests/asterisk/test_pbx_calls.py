"""Calls through the real Asterisk: FastAGI over loopback, DTMF, the built prompts."""

from __future__ import annotations

import pytest

from pbx_harness import LogMark, originate_cli, wait_channels_gone

pytestmark = pytest.mark.asterisk
PAST_THE_END = 100_000_000  # STREAM FILE offset: opens the file, plays nothing, reports its end


def test_fastagi_get_data_receives_the_key_the_citizen_pressed(asterisk, agi_probe, ami_events):
    probe = agi_probe(["ANSWER", "GET DATA beep 5000 1", "SET VARIABLE HOTLINE_DONE 1"])
    originate_cli(asterisk, "Local/2@test-keys", "s@test-agi")
    session = probe.wait_sessions(1)[0]
    assert session.env["agi_network_script"] == "probe"
    assert session.env["agi_language"] == "zh"
    assert session.reply("GET DATA") == "200 result=2"
    assert session.reply("SET VARIABLE") == "200 result=1"
    done = ami_events.wait_for("UserEvent", UserEvent="HotlineTestAgiDone",
                               Uniqueid=session.env["agi_uniqueid"])
    assert done["Status"] == "SUCCESS"
    wait_channels_gone(asterisk, "Local/2@test-keys")


def test_every_built_prompt_is_found_in_both_languages(asterisk, agi_probe, built_prompts):
    ids = sorted({item.prompt_id for item in built_prompts.items})

    def commands(lang):
        return [f'EXEC Set "CHANNEL(language)={lang}"'] + \
            [f'STREAM FILE hotline/{pid} "" {PAST_THE_END}' for pid in ids]

    probe = agi_probe(["ANSWER"] + commands("zh") + commands("en") +
                      [f'STREAM FILE hotline/no_such_prompt "" {PAST_THE_END}'])
    originate_cli(asterisk, "Local/s@test-citizen", "s@test-agi")
    replies = [r for c, r in probe.wait_sessions(1)[0].replies if c.startswith("STREAM")]
    found = replies[:-1]
    assert len(found) == 2 * len(ids)
    for (lang, pid), reply in zip([(lang, p) for lang in ("zh", "en") for p in ids], found):
        assert reply.startswith("200 result=0 endpos="), (lang, pid, reply)
        samples = int(reply.rsplit("=", 1)[1])
        assert samples == pytest.approx(built_prompts.duration(pid, lang) * 8000, abs=160)
    assert replies[-1].startswith("200 result=-1")  # a missing prompt is noticed
    wait_channels_gone(asterisk, "Local/s@test-citizen")


def test_a_prompt_plays_to_the_end_without_a_warning(asterisk, agi_probe, built_prompts):
    mark = LogMark(asterisk)
    probe = agi_probe(["ANSWER", 'STREAM FILE hotline/welcome ""'])
    originate_cli(asterisk, "Local/s@test-citizen", "s@test-agi")
    reply = probe.wait_sessions(1)[0].reply("STREAM FILE")
    assert reply.startswith("200 result=0 endpos=")
    assert int(reply.rsplit("=", 1)[1]) == pytest.approx(
        built_prompts.duration("welcome") * 8000, abs=160)
    wait_channels_gone(asterisk, "Local/s@test-citizen")
    assert [line for line in mark.new_lines() if "does not exist" in line] == []


def test_a_scripted_citizen_waits_presses_keys_and_hangs_up(asterisk, agi_probe, ami,
                                                            ami_events):
    probe = agi_probe(["ANSWER", "GET DATA beep 6000 2", "WAIT FOR DIGIT 10000"])
    ami.originate("Local/s@test-citizen", context="test-agi", exten="s",
                  variables={"__CITIZEN_SCRIPT": "w1:d12:w1:h"})
    session = probe.wait_sessions(1)[0]
    assert session.reply("GET DATA") == "200 result=12"
    # the citizen hung up after its script: the next command sees the hang-up
    assert session.reply("WAIT FOR DIGIT") in ("HANGUP", "200 result=-1")
    ami_events.wait_for("Hangup", Uniqueid=session.env["agi_uniqueid"])
