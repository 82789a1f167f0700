"""A citizen over real SIP talks with an agent in the real /agent page: SIPp on the carrier
trunk (G.711 A-law, RFC 4733) calls 12345, the page's browser phone (JsSIP in headless
Chromium with fake media, DTLS-SRTP) rings, F4 answers, both hear each other, F6 hangs up,
and the citizen rates the call with a key while the survey prompt plays."""

from __future__ import annotations

import os
import time

import pytest

from e2e_harness import wait_for
from sipp_harness import (
    SIPP,
    SKIP_REASON,
    PromptWatch,
    driven_citizen,
    loudness,
    notify_ready,
    row_of,
    sipp_processes,  # noqa: F401  (autouse: ends SIPp left running)
    silent_seconds,
)
from voice_helpers import (  # noqa: F401  (fixtures: the web app, the browser)
    ARTIFACTS,
    CHROMIUM,
    agent_page,
    browsers,
    sign_in_and_register,
    web,
    web_app,
)

pytestmark = [
    pytest.mark.asterisk, pytest.mark.browser, pytest.mark.voice,
    pytest.mark.skipif(SIPP is None, reason=SKIP_REASON),
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason="Debian's chromium is not installed at /usr/bin/chromium"),
]

CALLER = "13985010331"
HEARD_PACKETS = 150      # three seconds of audio (20 ms packets), each way
QUIET = 50.0             # mean |sample| of A-law silence is 8; the agent's voice is far above


def _hears_the_citizen(page):
    stats = page.evaluate("HotlinePhone.stats()")
    ok = stats and stats["packetsReceived"] > HEARD_PACKETS and stats["audioLevel"] > 0
    return stats if ok else None


def test_a_sip_citizen_talks_with_the_agent_page_and_rates_the_call_with_a_key(
        hotline, web, agent_page, asterisk, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    page, body = agent_page, agent_page.locator("body")
    sign_in_and_register(page, web)
    notify_ready(asterisk)
    prompts = PromptWatch(hotline.deps)
    call = driven_citizen(tmp_path, hotline, caller=CALLER, steps=["1"])  # 1: satisfied
    expect(body).to_have_attribute("data-phone-call", "ringing", timeout=60_000)
    page.keyboard.press("F4")
    expect(body).to_have_attribute("data-phone-call", "talking", timeout=10_000)
    answered = time.monotonic()
    try:
        stats = wait_for(lambda: _hears_the_citizen(page), 20, "the page heard no citizen")
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {page.evaluate('HotlinePhone.stats()')}\n"
                             f"{asterisk.cli('pjsip show channelstats')}") from None
    wait_for(lambda: len(call.ear.audio(answered)) > HEARD_PACKETS, 20,
             "the citizen heard no agent")
    page.screenshot(path=str(ARTIFACTS / "voice-sipp-agent-talking.png"))
    hung_up = time.monotonic()  # before F6: the survey prompt may be asked for at once
    page.keyboard.press("F6")
    expect(body).not_to_have_attribute("data-phone-call", "talking", timeout=10_000)
    # The survey key must come after F6 and while the survey prompt plays: the test waits
    # until our server has asked for "survey" (after F6) and the citizen hears it, then has
    # Asterisk send the citizen an in-dialog NOTIFY, on which SIPp plays key 1 (RFC 4733).
    call.press_when_heard(prompts, "survey", after=hung_up)
    call.finish()  # the hotline thanked and hung up: SIPp counts a successful call

    assert stats["packetsSent"] > HEARD_PACKETS, stats
    talk = call.ear.audio(answered, hung_up)
    started = talk[0][0]  # the agent's first packet (after the DTLS handshake)
    assert silent_seconds(talk, started, hung_up) == [], "the citizen lost the agent's voice"
    assert loudness(talk) > QUIET, loudness(talk)
    row = wait_for(lambda: row_of(hotline, CALLER), 30, "no Call row for the SIP call")
    assert row.outcome == "answered" and row.rating == "satisfied", row.menu_path
    assert row.answered_at is not None and row.dnid == "12345"
    assert len([r for r in hotline.rows() if r.caller_raw == row.caller_raw]) == 1
