"""Real voice: one registration per seat across devices. A second browser (its own profile,
so no BroadcastChannel between them) signing in to the same seat is refused by Asterisk
(403 to its REGISTER) and says so, while the first keeps receiving calls; once the first
logs out or closes its page, the seat is free for the other device."""

from __future__ import annotations

import pytest

from e2e_harness import wait_for
from voice_helpers import EXT, SPEAKING, log_in, sign_in_and_register  # noqa: F401
from voice_helpers import browsers, web, web_app  # noqa: F401

TAKEN = "该分机已在其他页面或设备注册"

pytestmark = [pytest.mark.asterisk, pytest.mark.browser, pytest.mark.voice]


def _contacts(asterisk) -> list[str]:
    return [line for line in asterisk.cli("pjsip show contacts").splitlines()
            if f"Contact:  {EXT}/sip:" in line]


def _refused(page, base):
    from playwright.sync_api import expect

    log_in(page, base)
    expect(page.locator("#phone-state")).to_have_attribute("data-state", "taken", timeout=20_000)
    expect(page.locator("#phone-state")).to_contain_text(TAKEN)


def _registers(page, base):
    from playwright.sync_api import expect

    page.goto(base + "/agent")
    expect(page.locator("#phone-state")).to_have_attribute("data-state", "registered",
                                                            timeout=20_000)


def test_a_second_device_is_refused_and_the_first_still_receives_calls(
        hotline, web, browsers, asterisk):  # noqa: F811
    from playwright.sync_api import expect

    first, second = browsers(), browsers()
    sign_in_and_register(first, web)
    _refused(second, web)
    assert len(_contacts(asterisk)) == 1
    expect(first.locator("#phone-state")).to_have_attribute("data-state", "registered")
    answered = hotline.answered(hotline.call(SPEAKING, caller="13985010821"))
    expect(first.locator("body")).to_have_attribute("data-phone-call", "ringing", timeout=60_000)
    first.keyboard.press("F4")
    expect(first.locator("body")).to_have_attribute("data-phone-call", "talking", timeout=10_000)
    assert second.evaluate("document.body.dataset.phoneCall || ''") == ""
    hotline.ami.hangup(answered["Channel"])
    row = hotline.wait_row(answered["Uniqueid"])
    assert row.outcome == "answered"


def test_logging_out_on_the_first_device_frees_the_seat_for_the_second(
        web, browsers, asterisk):  # noqa: F811
    first, second = browsers(), browsers()
    sign_in_and_register(first, web)
    _refused(second, web)
    first.click("#logout-web")
    first.wait_for_url(web + "/login")
    wait_for(lambda: not _contacts(asterisk), 15, "the logged-out page's contact stayed")
    _registers(second, web)
    assert len(_contacts(asterisk)) == 1


def test_closing_the_first_page_frees_the_seat_for_the_second(
        web, browsers, asterisk):  # noqa: F811
    first, second = browsers(), browsers()
    sign_in_and_register(first, web)
    _refused(second, web)
    first.context.close()
    wait_for(lambda: not _contacts(asterisk), 15, "the closed page's contact stayed")
    _registers(second, web)
    assert len(_contacts(asterisk)) == 1
