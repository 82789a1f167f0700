"""Shared pieces of the browser-phone tests on the real Asterisk: the web app served by
uvicorn with its seats written into Asterisk, Chromium with fake media (one browser profile
per agent), and the agent page's sign-in.

Test modules import the fixtures they use (``from voice_helpers import web, browsers``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from live_server import serving

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "voice-agent-pass-1"
EXT = "8811"
OTHER_EXT = "8812"  # a second agent, in a browser of their own
AGENT_EXTENSIONS = (EXT, OTHER_EXT)
SPEAKING = "m600"  # the citizen plays hold music towards the hotline: audio to measure

VOICE_MARKS = [
    pytest.mark.asterisk, pytest.mark.browser, pytest.mark.voice,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason="Debian's chromium is not installed at /usr/bin/chromium"),
]


@pytest.fixture
def web_app(hotline, asterisk, ami, redis_server, tmp_path, asterisk_settings, web_settings):
    """(app, ctx): the web app on the hotline's Redis and CRM, its seats written into the
    real Asterisk, one agent account per AGENT_EXTENSIONS (user voice.<ext>)."""
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
                              ami_secret=asterisk_settings.ami_secret.get_secret_value(),
                              **web_settings)
    skills = ",".join(f"{line}:1" for line in hotline.operator.lines)
    for ext in AGENT_EXTENSIONS:
        create_user(ctx, f"voice.{ext}", "agent", PASSWORD, name=f"语音坐席{ext}", extension=ext,
                    site=hotline.site, skills=skills)
    path = asterisk.etc_path(SEATS_FILE)
    reload = lambda: ami.action("ModuleLoad", LoadType="reload", Module=SEATS_MODULE)  # noqa: E731
    app = create_app(ctx, queue=hotline.queue, background=False,
                     seat_sync=SeatSync(ctx.sessions, ctx.redis, path=path, reload=reload))
    yield app, ctx
    path.unlink(missing_ok=True)
    reload()
    ctx.engine.dispose()


@pytest.fixture
def web(web_app):
    """The base URL of the web app served by a real uvicorn."""
    with serving(web_app[0]) as base:
        yield base


@pytest.fixture
def browsers(asterisk_settings, browser_args):
    """new_page() -> a page in a browser profile of its own (its own phone, its own tabs)."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    voice = asterisk_settings.prompts_dir / "zh" / "welcome.wav"
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-audio-capture={voice}",
            "--autoplay-policy=no-user-gesture-required", *browser_args]
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


def log_in(page, base, ext=EXT):
    from playwright.sync_api import expect

    page.goto(base + "/login")
    page.fill("#username", f"voice.{ext}")
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    expect(page).to_have_url(base + "/agent")


def sign_in_and_register(page, base, ext=EXT):
    """Log in, wait for the browser phone to register, sign in to the queue and go ready."""
    from playwright.sync_api import expect

    log_in(page, base, ext)
    expect(page.locator("#phone-state")).to_have_attribute("data-state", "registered",
                                                            timeout=20_000)
    page.click("#btn-signin")
    expect(page.locator("#state")).to_have_text("示忙", timeout=10_000)
    page.click("#btn-ready")
    expect(page.locator("#state")).to_have_text("空闲", timeout=10_000)


def phone_call(page) -> str:
    """The page's phone call state: "", "ringing" or "talking"."""
    return page.evaluate("document.body.dataset.phoneCall || ''")


def ringing(page) -> bool:
    return phone_call(page) == "ringing"


def agent_id(ext: str) -> str:
    """The queue's agent id of the account voice.<ext> (its user name)."""
    return f"voice.{ext}"
