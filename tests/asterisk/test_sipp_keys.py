"""The voice menu's keys over real SIP: a SIPp citizen on the carrier trunk presses them as
RFC 4733 events while the prompt that collects them is heard (sipp_harness.CitizenCall), and
110 is a second SIPp, a SIP server reached over PJSIP as production reaches the 110 trunk."""

from __future__ import annotations

import contextlib
import re
import time

import pytest

from e2e_harness import wait_for
from sipp_harness import (
    SIPP,
    SKIP_REASON,
    PromptWatch,
    driven_citizen,
    header,
    notify_ready,
    recording_chunks,
    row_of,
    sipp_processes,  # noqa: F401  (autouse: ends SIPp left running)
    uas_110,
)
from test_e2e_calls import _existing_case

pytestmark = [pytest.mark.asterisk, pytest.mark.voice,
              pytest.mark.skipif(SIPP is None, reason=SKIP_REASON)]

CASE_CALLER = "13985010321"
EMERGENCY_CALLER = "13985010329"
# extensions.conf [globals]: [hotline-emergency] dials ${HOTLINE_TRUNK_TECH}/<number>@
# ${HOTLINE_EMERGENCY_TRUNK}; asterisk_conf/test/pjsip_test.conf defines the endpoint sipp-110.
EMERGENCY_OVER_SIP = {"HOTLINE_TRUNK_TECH": "PJSIP", "HOTLINE_EMERGENCY_TRUNK": "sipp-110"}
SPOKEN_CHUNKS = 50   # one second of a side's recording (20 ms packets) heard by the other


@pytest.fixture
def prompts(hotline, asterisk) -> PromptWatch:
    notify_ready(asterisk)
    return PromptWatch(hotline.deps)


def _played(hotline, call_id: str) -> str:
    return " ".join(c for c, _ in hotline.transcript.of(call_id))


def test_key_1_and_a_case_number_over_rfc4733_read_the_case_status_back(
        hotline, prompts, tmp_path):
    keypad, status_prompt = _existing_case(hotline)
    call = driven_citizen(tmp_path, hotline, caller=CASE_CALLER, steps=["1", keypad + "#"])
    call.press_when_heard(prompts, "welcome")            # menu key 1: 查询 (config/menu.toml)
    call.press_when_heard(prompts, "case_enter_number")  # the 14 digits, then #
    call.finish()  # the hotline said goodbye and hung up: SIPp counts a successful call
    row = wait_for(lambda: row_of(hotline, CASE_CALLER), 30, "no Call row for the SIP call")
    assert row.outcome == "self_service", row.menu_path
    assert "key:1" in row.menu_path and "case:heard" in row.menu_path
    played = _played(hotline, row.call_id)
    assert f"hotline/{status_prompt}" in played and "hotline/case_deadline" in played
    assert len([r for r in hotline.rows() if r.caller_raw == row.caller_raw]) == 1


def _hears_the_recording(asterisk, ear, since: float, what: str) -> None:
    try:
        wait_for(lambda: recording_chunks(ear.audio(since)) >= SPOKEN_CHUNKS, 30, what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {ear.describe(since)}\n"
                             f"{asterisk.cli('pjsip show channelstats')}") from None


def _globals(asterisk) -> dict[str, str]:
    out = asterisk.cli("dialplan show globals")
    return dict(re.findall(r"^\s*(\w+)=(.*?)\s*$", out, re.MULTILINE))


@contextlib.contextmanager
def _emergency_over_sip(asterisk):
    """Point [hotline-emergency] at the SIP 110 stand-in for one test, then back."""
    before = _globals(asterisk)
    for name, value in EMERGENCY_OVER_SIP.items():
        asterisk.cli(f"dialplan set global {name} {value}")
    try:
        yield
    finally:
        for name in EMERGENCY_OVER_SIP:
            asterisk.cli(f"dialplan set global {name} {before.get(name, '')}")


def test_key_9_over_rfc4733_reaches_110_on_sip_which_answers_and_talks(
        hotline, asterisk, prompts, tmp_path):
    centre = uas_110(tmp_path)
    with _emergency_over_sip(asterisk):
        call = driven_citizen(tmp_path, hotline, caller=EMERGENCY_CALLER, steps=["9"])
        call.press_when_heard(prompts, "welcome")
        invite = wait_for(centre.invite, 60, "110 got no INVITE")
        reached = time.monotonic()
        # both ways: each side hears the other's own recording, byte for byte
        _hears_the_recording(asterisk, centre.ear, 0.0, "110 did not hear the citizen")
        _hears_the_recording(asterisk, call.ear, reached, "the citizen did not hear 110")
        call.step()  # the citizen hangs up
        call.finish()
        centre.finish()  # 110 answered, talked and got the hotline's BYE
    assert invite.startswith("INVITE sip:110@"), invite
    assert EMERGENCY_CALLER in header(invite, "From"), invite
    row = wait_for(lambda: row_of(hotline, EMERGENCY_CALLER), 30, "no Call row for the SIP call")
    assert row.outcome == "emergency_transfer", row.menu_path
    assert row.menu_path.endswith("key:9>emergency")
