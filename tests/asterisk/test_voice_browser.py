"""Real voice: the /agent page's browser phone (JsSIP in headless Chromium with fake media)
registers its seat on the real Asterisk over SIP/WebSocket, rings when the queue offers a
call, answers with F4 (that answer is the queue's accept), carries audio both ways over
DTLS-SRTP, and hangs up with F6; the caller then rates the call."""

from __future__ import annotations

import time

import pytest

from e2e_harness import wait_for
from voice_helpers import (  # noqa: F401  (fixtures: the web app, the browsers)
    ARTIFACTS, EXT, OTHER_EXT, SPEAKING, VOICE_MARKS, agent_page, browsers, ringing,
    sign_in_and_register, web, web_app,
)

pytestmark = VOICE_MARKS


def test_the_page_rings_answers_talks_both_ways_and_hangs_up(hotline, web, agent_page, asterisk):
    from playwright.sync_api import expect

    page = agent_page
    sign_in_and_register(page, web)
    contacts = asterisk.cli("pjsip show contacts")
    assert f"Contact:  {EXT}/sip:" in contacts and "transport=WS" in contacts, contacts
    answered = hotline.answered(hotline.call(SPEAKING, caller="13985010811"))
    call_id = answered["Uniqueid"]
    expect(page.locator("body")).to_have_attribute("data-phone-call", "ringing", timeout=60_000)
    expect(page.locator("#popup")).to_be_visible()
    page.keyboard.press("F4")
    expect(page.locator("body")).to_have_attribute("data-phone-call", "talking", timeout=10_000)
    wait_for(lambda: hotline.queue_events("accepted", call_id=call_id), 10, "offer not accepted")
    time.sleep(4)
    stats = page.evaluate("HotlinePhone.stats()")
    page.screenshot(path=str(ARTIFACTS / "voice-agent-talking.png"))
    assert stats["packetsReceived"] > 50 and stats["audioLevel"] > 0, stats
    assert stats["packetsSent"] > 50, stats
    page.keyboard.press("F6")
    expect(page.locator("body")).not_to_have_attribute("data-phone-call", "talking",
                                                       timeout=10_000)
    row = hotline.press_until(answered["Channel"], "1", lambda: hotline.call_row(call_id))
    assert row.outcome == "answered" and row.rating == "satisfied"
    assert row.answered_at is not None


def test_a_rejected_call_rings_the_next_agents_page(hotline, web, browsers):
    first, second = browsers(), browsers()
    sign_in_and_register(first, web, EXT)
    sign_in_and_register(second, web, OTHER_EXT)
    answered = hotline.answered(hotline.call(SPEAKING, caller="13985010812"))
    call_id = answered["Uniqueid"]
    wait_for(lambda: ringing(first) or ringing(second), 60, "no page rang")
    rang, other = (first, second) if ringing(first) else (second, first)
    rang.click("#phone-reject")
    wait_for(lambda: ringing(other), 30, "the next agent's page did not ring")
    other.keyboard.press("F4")
    wait_for(lambda: hotline.queue_events("accepted", call_id=call_id), 15, "not accepted")
    hotline.ami.hangup(answered["Channel"])
    row = hotline.wait_row(call_id)
    assert row.outcome == "answered"
    assert row.agent == hotline.queue_events("accepted", call_id=call_id)[0]["agent_id"]


def test_the_caller_hanging_up_stops_the_ringing_and_the_call_is_abandoned(
        hotline, web, agent_page):
    page = agent_page
    sign_in_and_register(page, web)
    answered = hotline.answered(hotline.call(SPEAKING, caller="13985010813"))
    wait_for(lambda: ringing(page), 60, "the page did not ring")
    hotline.ami.hangup(answered["Channel"])
    started = time.monotonic()
    wait_for(lambda: not ringing(page), 10, "the page kept ringing after the caller left")
    stopped_after = time.monotonic() - started
    print(f"ringing stopped {stopped_after:.2f} s after the caller hung up")
    row = hotline.wait_row(answered["Uniqueid"])
    assert row.outcome == "abandoned"
    assert page.evaluate("document.body.dataset.ringing") is None


def test_a_second_tab_of_the_same_agent_is_told_and_does_not_take_the_phone(web, browsers):
    from playwright.sync_api import expect

    first = browsers()
    sign_in_and_register(first, web)
    second = browsers(first.context)  # same browser profile: a second tab
    second.goto(web + "/agent")
    expect(second.locator("#phone-state")).to_have_attribute("data-state", "taken",
                                                             timeout=10_000)
    expect(second.locator("#phone-state")).to_contain_text("其他页面")
    expect(first.locator("#phone-state")).to_have_attribute("data-state", "registered")
