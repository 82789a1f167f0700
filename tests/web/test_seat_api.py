"""The browser phone's SIP credentials: the agent's own seat only, never cached or logged;
an admin reset gives the seat a new password and rewrites Asterisk's seats file."""

from __future__ import annotations

import logging

import pytest

from crm.enums import Role
from hotline.setup import create_user
from seats.render import md5_cred
from seats.sync import SeatSync
from web_helpers import PASSWORD, login


def test_an_agent_gets_their_own_seat_not_cached(client, as_role):
    r = client.get("/api/agent/seat", headers=as_role(Role.AGENT))
    assert r.status_code == 200, r.text
    seat = r.json()
    assert seat["extension"] == "8001" and seat["uri"] == "sip:8001@127.0.0.1"
    assert seat["ws_url"] == "ws://127.0.0.1:8088/ws" and len(seat["password"]) >= 24
    assert "no-store" in r.headers["cache-control"]
    again = client.get("/api/agent/seat", headers=as_role(Role.AGENT)).json()
    assert again["password"] == seat["password"]


def test_two_agents_have_different_seats(client, web_ctx, as_role):
    create_user(web_ctx, "agent2", "agent", PASSWORD, extension="8002", site="guiyang")
    mine = client.get("/api/agent/seat", headers=as_role(Role.AGENT)).json()
    theirs = client.get("/api/agent/seat", headers=login(client, "agent2")).json()
    assert theirs["extension"] == "8002" and theirs["password"] != mine["password"]


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.DEPARTMENT, Role.ADMIN])
def test_other_roles_get_no_seat_credentials(client, as_role, role):
    assert client.get("/api/agent/seat", headers=as_role(role)).status_code == 403


def test_an_admin_reset_rotates_the_password_and_rewrites_the_seats_file(
        app, client, web_ctx, as_role, tmp_path, caplog):
    path = tmp_path / "pjsip_seats.conf"
    reloads = []
    app.state.seat_sync = SeatSync(web_ctx.sessions, web_ctx.redis, path=path,
                                   reload=lambda: reloads.append(1))
    caplog.set_level(logging.DEBUG)
    before = client.get("/api/agent/seat", headers=as_role(Role.AGENT)).json()["password"]
    assert md5_cred("8001", before) in path.read_text() and reloads == [1]
    assert client.post("/api/seats/8001/reset", headers=as_role(Role.AGENT)).status_code == 403
    r = client.post("/api/seats/8001/reset", headers=as_role(Role.ADMIN))
    assert r.status_code == 200, r.text
    after = client.get("/api/agent/seat", headers=as_role(Role.AGENT)).json()["password"]
    assert after != before and md5_cred("8001", after) in path.read_text()
    assert md5_cred("8001", before) not in path.read_text() and reloads == [1, 1]
    assert before not in caplog.text and after not in caplog.text
    assert client.post("/api/seats/9999/reset", headers=as_role(Role.ADMIN)).status_code == 404


def test_logging_out_rotates_the_agents_seat(client, as_role, web_ctx):
    from web_helpers import login as fresh_login

    headers = fresh_login(client, "agent1")
    before = client.get("/api/agent/seat", headers=headers).json()["password"]
    assert client.post("/api/auth/logout", headers=headers).status_code == 200
    after = client.get("/api/agent/seat", headers=fresh_login(client, "agent1")).json()["password"]
    assert after != before


def test_a_new_agent_from_the_admin_api_gets_a_seat_in_asterisk_at_once(
        app, client, web_ctx, as_role, tmp_path):
    path = tmp_path / "pjsip_seats.conf"
    app.state.seat_sync = SeatSync(web_ctx.sessions, web_ctx.redis, path=path)
    r = client.post("/api/users", headers=as_role(Role.ADMIN), json={
        "username": "agent7", "password": PASSWORD, "role": "agent", "extension": "8007",
        "site_id": "guiyang"})
    assert r.status_code == 201, r.text
    assert "[8007](agent-webrtc)" in path.read_text()
    user_id = r.json()["user_id"]
    r = client.patch(f"/api/users/{user_id}", headers=as_role(Role.ADMIN), json={"active": False})
    assert r.status_code == 200, r.text
    assert "8007" not in path.read_text()
