"""Real voice: the test phone (测试话机). A trainer's browser (headless Chromium, fake media)
opens /testphone, dials 12345 over its own SIP identity, hears the voice menu, presses 0 as
an RFC 4733 event, and is answered by an agent's /agent page in another browser; audio
flows both ways, and hanging up leaves one answered Call row in the CRM."""

from __future__ import annotations

import pytest

from e2e_harness import wait_for
from seats.render import TESTPHONE_NUMBER
from voice_helpers import PASSWORD, browsers, sign_in_and_register, web, web_app  # noqa: F401

TRAINER = "voice.trainer"
TRAINER_NAME = "培训管理员"
MEDIA_PACKETS = 50  # about a second of 20 ms audio packets

pytestmark = [pytest.mark.asterisk, pytest.mark.browser, pytest.mark.voice]


@pytest.fixture
def trainer(hotline, web):  # noqa: F811 - the imported fixture
    from crm.enums import Role
    from crm.users import add_user

    with hotline.sessions.begin() as db:
        add_user(db, TRAINER, PASSWORD, Role.ADMIN, display_name=TRAINER_NAME)
    return TRAINER


def _open_test_phone(page, base):
    from playwright.sync_api import expect

    page.goto(base + "/login")
    page.fill("#username", TRAINER)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    expect(page).to_have_url(base + "/wallboard")
    page.click("nav.top >> text=测试话机")
    expect(page).to_have_url(base + "/testphone")
    expect(page.locator("#tp-state")).to_have_attribute("data-state", "ready", timeout=20_000)


def _received(page, phone: str) -> int:
    stats = page.evaluate(f"{phone}.stats()")
    return stats["packetsReceived"] if stats and stats["audioLevel"] > 0 else 0


def _rows_from_test_phone(hotline) -> list:
    return [r for r in hotline.rows() if TESTPHONE_NUMBER in (r.caller_raw or "")]


def test_a_trainer_dials_12345_an_agent_answers_and_one_answered_call_is_recorded(
        hotline, web, trainer, browsers, asterisk):  # noqa: F811
    from playwright.sync_api import expect

    phone, agent = browsers(), browsers()
    sign_in_and_register(agent, web)
    _open_test_phone(phone, web)
    phone.click("#tp-call")
    expect(phone.locator("#tp-state")).to_have_attribute("data-state", "talking", timeout=20_000)
    wait_for(lambda: _received(phone, "TestPhone") > MEDIA_PACKETS // 2, 20,
             "no menu audio reached the test phone")
    phone.click("#tp-keypad [data-key='0']")
    expect(phone.locator("#tp-keys")).to_have_text("0")
    expect(agent.locator("body")).to_have_attribute("data-phone-call", "ringing", timeout=60_000)
    channels = asterisk.cli("core show channels concise")
    assert "hotline-inbound" in channels and "testphone-" in channels, channels
    agent.keyboard.press("F4")
    expect(agent.locator("body")).to_have_attribute("data-phone-call", "talking", timeout=10_000)
    heard_before = _received(phone, "TestPhone")
    wait_for(lambda: _received(agent, "HotlinePhone") > MEDIA_PACKETS, 20,
             "the agent heard nothing from the test phone")
    wait_for(lambda: _received(phone, "TestPhone") > heard_before + MEDIA_PACKETS, 20,
             "the test phone heard nothing from the agent")
    phone.click("#tp-hangup")
    expect(phone.locator("#tp-state")).to_have_attribute("data-state", "ended", timeout=10_000)
    expect(agent.locator("body")).not_to_have_attribute("data-phone-call", "talking",
                                                        timeout=10_000)
    rows = wait_for(lambda: _rows_from_test_phone(hotline), 60, "no Call row for the test call")
    assert len(rows) == 1, [(r.call_id, r.outcome) for r in rows]
    row = rows[0]
    assert row.outcome == "answered" and row.dnid == "12345"
    assert "key:0" in row.menu_path.split(">"), row.menu_path
