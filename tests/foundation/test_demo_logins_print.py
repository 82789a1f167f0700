"""What `hotline up --demo` (scripts/run) prints once the hotline is up: the test phone page
and the agent page, with the demo logins to open them."""

from __future__ import annotations

from hotline.console import console
from hotline.demo_accounts import DEMO_ACCOUNTS, print_demo_logins

BASE = "http://127.0.0.1:8000"


def test_the_test_phone_and_agent_urls_are_printed_with_the_logins():
    passwords = {name: f"pw-{name}" for name in DEMO_ACCOUNTS}
    with console.capture() as captured:
        print_demo_logins(BASE, passwords)
    text = captured.get()
    assert f"{BASE}/testphone" in text and f"{BASE}/agent" in text
    for name, password in passwords.items():
        assert name in text and password in text
    hint = next(line for line in text.splitlines() if line.startswith("try a call"))
    assert f"{BASE}/testphone" in hint and f"{BASE}/agent" in hint and "12345" in hint
