"""Real voice: the /agent page's browser phone (JsSIP in headless Chromium with fake media)
registers its seat on the real Asterisk over SIP/WebSocket, rings when the queue offers a
call, answers with F4 (that answer is the queue's accept), carries audio both ways over
DTLS-SRTP, and hangs up with F6; the caller then rates the call."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from e2e_harness import wait_for
from live_server import serving

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "voice-agent-pass-1"
EXT = "8811"
OTHER_EXT = "8812"  # a second agent, in a browser of their own
SPEAKING = "m600"  # the citizen plays hold music towards the hotline: audio to measure

pytestmark = [
    pytest.mark.asterisk, pytest.mark.browser, pytest.mark.voice,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason="Debian's chromium is not installed at /usr/bin/chromium"),
]



@pytest.fixture
def web(hotline, asterisk, ami, redis_server, tmp_path, asterisk_settings):
    """The web app on the hotline's Redis and CRM, its seats written into the real Asterisk."""
    from hotline.context import AppContext
    from hotline.seat_wiring import SEATS_MODULE
    from hotline.setup import create_user
    from seats.render import SEATS_FILE
    from seats.sync import SeatSync
    from web.app import create_app

    db_url = str(hotline.sessions.kw["bind"].url)
    ctx = AppContext.from_env(redis_url=redis_server.url, var_dir=str(tmp_path / "web-var"),
                              database_url=db_url, secret_key="voice-test-secret-1",
                              env="test", ami_port=asterisk_settings.ami_port,
                              ami_secret=asterisk_settings.ami_secret.get_secret_value())
    skills = ",".join(f"{line}:1" for line in hotline.operator.lines)
    for ext in (EXT, OTHER_EXT):
        create_user(ctx, f"voice.{ext}", "agent", PASSWORD, name=f"语音坐席{ext}", extension=ext,
                    site=hotline.site, skills=skills)
    path = asterisk.etc_path(SEATS_FILE)
    reload = lambda: ami.action("ModuleLoad", LoadType="reload", Module=SEATS_MODULE)  # noqa: E731
    app = create_app(ctx, queue=hotline.queue, background=False,
                     seat_sync=SeatSync(ctx.sessions, ctx.redis, path=path, reload=reload))
    with serving(app) as base:
        yield base
    path.unlink(missing_ok=True)
    reload()
    ctx.engine.dispose()


@pytest.fixture
def browsers(asterisk_settings):
    """new_page() -> a page in a browser profile of its own (its own phone, its own tabs)."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    voice = asterisk_settings.prompts_dir / "zh" / "welcome.wav"
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={voice}",
            "--autoplay-policy=no-user-gesture-required"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)

        def new_page(context=None):
            context = context or browser.new_context(locale="zh-CN",
                                                     viewport={"width": 1280, "height": 1000})
            return context.new_page()
        yield new_page
        browser.close()


@pytest.fixture
def agent_page(browsers):
    return browsers()


def _log_in(page, base, ext=EXT):
    from playwright.sync_api import expect

    page.goto(base + "/login")
    page.fill("#username", f"voice.{ext}")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    expect(page).to_have_url(base + "/agent")


def _sign_in_and_register(page, base, ext=EXT):
    from playwright.sync_api import expect

    _log_in(page, base, ext)
    expect(page.locator("#phone-state")).to_have_attribute("data-state", "registered",
                                                            timeout=20_000)
    page.click("#btn-signin")
    expect(page.locator("#state")).to_have_text("示忙", timeout=10_000)
    page.click("#btn-ready")
    expect(page.locator("#state")).to_have_text("空闲", timeout=10_000)


def test_the_page_rings_answers_talks_both_ways_and_hangs_up(hotline, web, agent_page, asterisk):
    from playwright.sync_api import expect

    page = agent_page
    _sign_in_and_register(page, web)
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


def _ringing(page) -> bool:
    return page.evaluate("document.body.dataset.phoneCall") == "ringing"


def test_a_rejected_call_rings_the_next_agents_page(hotline, web, browsers):
    first, second = browsers(), browsers()
    _sign_in_and_register(first, web, EXT)
    _sign_in_and_register(second, web, OTHER_EXT)
    answered = hotline.answered(hotline.call(SPEAKING, caller="13985010812"))
    call_id = answered["Uniqueid"]
    wait_for(lambda: _ringing(first) or _ringing(second), 60, "no page rang")
    rang, other = (first, second) if _ringing(first) else (second, first)
    rang.click("#phone-reject")
    wait_for(lambda: _ringing(other), 30, "the next agent's page did not ring")
    other.keyboard.press("F4")
    wait_for(lambda: hotline.queue_events("accepted", call_id=call_id), 15, "not accepted")
    hotline.ami.hangup(answered["Channel"])
    row = hotline.wait_row(call_id)
    assert row.outcome == "answered"
    assert row.agent == hotline.queue_events("accepted", call_id=call_id)[0]["agent_id"]


def test_the_caller_hanging_up_stops_the_ringing_and_the_call_is_abandoned(
        hotline, web, agent_page):
    page = agent_page
    _sign_in_and_register(page, web)
    answered = hotline.answered(hotline.call(SPEAKING, caller="13985010813"))
    wait_for(lambda: _ringing(page), 60, "the page did not ring")
    hotline.ami.hangup(answered["Channel"])
    started = time.monotonic()
    wait_for(lambda: not _ringing(page), 10, "the page kept ringing after the caller left")
    stopped_after = time.monotonic() - started
    print(f"ringing stopped {stopped_after:.2f} s after the caller hung up")
    row = hotline.wait_row(answered["Uniqueid"])
    assert row.outcome == "abandoned"
    assert page.evaluate("document.body.dataset.ringing") is None


def test_a_second_tab_of_the_same_agent_is_told_and_does_not_take_the_phone(web, browsers):
    from playwright.sync_api import expect

    first = browsers()
    _sign_in_and_register(first, web)
    second = browsers(first.context)  # same browser profile: a second tab
    second.goto(web + "/agent")
    expect(second.locator("#phone-state")).to_have_attribute("data-state", "taken",
                                                             timeout=10_000)
    expect(second.locator("#phone-state")).to_contain_text("其他页面")
    expect(first.locator("#phone-state")).to_have_attribute("data-state", "registered")
