"""The citizen pages in a real browser: Debian's chromium driven by Playwright."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest
import uvicorn

from channel_helpers import Ctx, build_app, make_settings, wait_started

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "channels"
PHONE = "13985012345"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed "
                       "(Debian package chromium); the browser tests need it"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def site(sqlite_sessions, redis_client, operator_config, queue):
    """The app served by uvicorn in a thread on a free loopback port."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    ctx = Ctx(make_settings(public_base_url=base), operator_config, sqlite_sessions, redis_client)
    app = build_app(ctx, queue=queue)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_started(server)
    yield base
    server.should_exit = True
    thread.join(timeout=10)
    app.state.twilio.bridge.stop()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="zh-CN", viewport={"width": 1000, "height": 900})
        yield context.new_page()
        context.close()
        browser.close()


def test_a_citizen_submits_a_request_and_follows_its_progress(site, page):
    page.goto(site + "/citizen/")
    assert page.title().startswith("我要反映")
    page.select_option("#category", "urban")
    page.select_option("#request_type", "complaint")
    page.select_option("#site_id", "guiyang")
    page.fill("#address", "南明区花果园大街1号")
    page.fill("#content", "太短")
    page.fill("#phone", PHONE)
    page.click("#submit")
    assert "内容太短" in page.inner_text("#error-content")
    assert page.input_value("#address") == "南明区花果园大街1号"  # what was typed is kept
    page.screenshot(path=str(ARTIFACTS / "citizen-form-error.png"), full_page=True)

    page.fill("#content", "小区门口路灯坏了一个月，夜间出行很不方便，请尽快维修。")
    page.click("#submit")
    number = page.inner_text("#case-number").strip()
    assert number.startswith("12345-")
    page.screenshot(path=str(ARTIFACTS / "citizen-submitted.png"), full_page=True)

    page.click("text=查询办理进度")
    page.fill("#case_number", number)
    page.fill("#phone", "13800000000")
    page.click("#lookup")
    assert "未查到相符的工单" in page.inner_text("#not-found")
    assert page.locator("#case").count() == 0

    page.fill("#phone", PHONE)
    page.click("#lookup")
    assert page.inner_text("#case-number") == number
    assert page.inner_text("#case-status") == "已受理"
    assert "路灯" in page.inner_text("#case")
    page.screenshot(path=str(ARTIFACTS / "citizen-progress.png"), full_page=True)
