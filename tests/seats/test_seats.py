"""Seats: every active agent profile becomes a PJSIP endpoint with its own secret."""

from __future__ import annotations

import re

import pytest

from crm.enums import Role
from crm.users import add_user, set_agent_profile
from seats.render import REALM, Seat, SeatError, md5_cred, render_seats
from seats.store import SeatSecrets
from seats.sync import SeatSync


def _cred_of(text: str, extension: str) -> str:
    block = text.split(f"[{extension}](agent-auth)", 1)[1]
    return re.search(r"md5_cred = ([0-9a-f]{32})", block).group(1)


def test_a_seat_renders_endpoint_auth_and_aor_without_its_password():
    text = render_seats([Seat("8002", "pw-two", webrtc=False), Seat("8001", "pw-one")])
    assert "[8001](agent-webrtc)" in text and "[8002](agent-endpoint)" in text
    assert text.index("[8001]") < text.index("[8002]")
    assert "[8001](agent-aor)" in text and "aors = 8001" in text
    assert _cred_of(text, "8001") == md5_cred("8001", "pw-one") != _cred_of(text, "8002")
    assert f"realm = {REALM}" in text
    assert "pw-one" not in text and "pw-two" not in text


@pytest.mark.parametrize("extension", ["", "1", "80x1", "٣٤٥٦", "8001]\n[evil", "12345678901234567"])
def test_an_extension_that_is_not_2_to_16_ascii_digits_is_refused(extension):
    with pytest.raises(SeatError):
        render_seats([Seat(extension, "pw")])


def _agent(session, username, extension, active=True):
    user = add_user(session, username, "agent-password", Role.AGENT, site_id="guiyang")
    user.active = active
    set_agent_profile(session, user, extension, "guiyang", {"general": 1})


@pytest.fixture
def two_agents(sqlite_sessions):
    with sqlite_sessions.begin() as session:
        _agent(session, "li.na", "8001")
        _agent(session, "wang.wei", "8002")
        _agent(session, "gone", "8009", active=False)
    return sqlite_sessions


def test_sync_renders_active_agents_with_stable_secrets_until_rotated(two_agents, redis_client):
    sync = SeatSync(two_agents, redis_client)
    first = sync.text()
    assert "[8001](agent-webrtc)" in first and "[8002](agent-webrtc)" in first
    assert "8009" not in first  # a disabled account has no seat
    assert sync.text() == first  # passwords are kept, not re-made on every render
    secrets = SeatSecrets(redis_client)
    password = secrets.password("8001")
    assert _cred_of(first, "8001") == md5_cred("8001", password)
    secrets.rotate("8001")
    again = sync.text()
    assert _cred_of(again, "8001") != _cred_of(first, "8001")
    assert _cred_of(again, "8002") == _cred_of(first, "8002")


def test_apply_writes_and_reloads_only_on_change(two_agents, redis_client, tmp_path):
    reloads = []
    path = tmp_path / "pjsip_seats.conf"
    sync = SeatSync(two_agents, redis_client, path=path, reload=lambda: reloads.append(1))
    assert sync.apply() is True and path.read_text() == sync.text()
    assert sync.apply() is False and len(reloads) == 1
    SeatSecrets(redis_client).rotate("8002")
    assert sync.apply() is True and len(reloads) == 2


def test_two_first_uses_of_a_seat_agree_on_one_password(redis_client):
    a, b = SeatSecrets(redis_client), SeatSecrets(redis_client)
    assert a.password("8101") == b.password("8101")
    assert len(a.password("8101")) >= 24
