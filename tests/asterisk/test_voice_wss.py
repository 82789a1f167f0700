"""Real voice over wss://: the /agent page's browser phone registers on Asterisk's TLS
listener (http.conf as `hotline asterisk up` writes it, with the certificate made for dev),
rings, answers and carries audio both ways, as a phone on another machine would.

Chromium trusts exactly that certificate (its public key's hash), nothing else."""

from __future__ import annotations

import base64
import hashlib
import socket
import ssl
import subprocess
import time

import pytest

from e2e_harness import wait_for
from voice_helpers import (  # noqa: F401  (fixtures: the web app, the browsers)
    EXT, SPEAKING, VOICE_MARKS, agent_page, browsers, sign_in_and_register, web, web_app,
)

pytestmark = VOICE_MARKS
HOST = "127.0.0.1"


def _spki_sha256(cert_path) -> str:
    """base64 SHA-256 of the certificate's SubjectPublicKeyInfo (Chromium's SPKI pin)."""
    pem = subprocess.run(["openssl", "x509", "-in", str(cert_path), "-pubkey", "-noout"],
                         capture_output=True, text=True, check=True).stdout
    der = base64.b64decode("".join(line for line in pem.splitlines() if "-----" not in line))
    return base64.b64encode(hashlib.sha256(der).digest()).decode()


@pytest.fixture
def wss_url(asterisk_settings) -> str:
    return f"wss://{HOST}:{asterisk_settings.sip_wss_port}/ws"


@pytest.fixture
def web_settings(wss_url) -> dict:
    return {"sip_ws_url": wss_url}


@pytest.fixture
def browser_args(asterisk_settings) -> list[str]:
    return [f"--ignore-certificate-errors-spki-list={_spki_sha256(asterisk_settings.tls_cert)}"]


def test_asterisk_serves_tls_with_the_configured_certificate(asterisk, asterisk_settings):
    context = ssl.create_default_context(cafile=str(asterisk_settings.tls_cert))
    raw = socket.create_connection((HOST, asterisk_settings.sip_wss_port), timeout=5)
    with context.wrap_socket(raw, server_hostname=HOST) as tls:
        served = tls.getpeercert(binary_form=True)
    assert served == ssl.PEM_cert_to_DER_cert(asterisk_settings.tls_cert.read_text())


def test_the_page_registers_over_wss_and_talks_both_ways(hotline, web, agent_page, asterisk,
                                                         wss_url):
    from playwright.sync_api import expect

    page = agent_page
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    sign_in_and_register(page, web)
    assert page.request.get(web + "/api/agent/seat").json()["ws_url"] == wss_url
    assert sockets and set(sockets) == {wss_url}, sockets  # the phone's SIP socket, only
    assert f"Contact:  {EXT}/sip:" in asterisk.cli("pjsip show contacts")
    answered = hotline.answered(hotline.call(SPEAKING, caller="13985010821"))
    call_id = answered["Uniqueid"]
    expect(page.locator("body")).to_have_attribute("data-phone-call", "ringing", timeout=60_000)
    page.keyboard.press("F4")
    expect(page.locator("body")).to_have_attribute("data-phone-call", "talking", timeout=10_000)
    wait_for(lambda: hotline.queue_events("accepted", call_id=call_id), 10, "offer not accepted")
    time.sleep(4)
    stats = page.evaluate("HotlinePhone.stats()")
    assert stats["packetsReceived"] > 50 and stats["audioLevel"] > 0, stats
    assert stats["packetsSent"] > 50, stats
    page.keyboard.press("F6")
    expect(page.locator("body")).not_to_have_attribute("data-phone-call", "talking",
                                                       timeout=10_000)
    hotline.ami.hangup(answered["Channel"])
    assert hotline.wait_row(call_id).outcome == "answered"
