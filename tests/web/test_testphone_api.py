"""The test phone (测试话机): trainers (admins, supervisors) only; each gets a SIP identity of
their own whose calls land in [hotline-inbound] as a citizen's, never in the agents' context."""

from __future__ import annotations

import re

import pytest

from crm.enums import Role
from seats.render import TESTPHONE_NUMBER, md5_cred
from seats.sync import SeatSync

HTML = {"Accept": "text/html"}


@pytest.mark.parametrize("role", [Role.AGENT, Role.DEPARTMENT])
def test_agents_and_departments_get_403_on_the_page_and_its_credentials(client, as_role, role):
    headers = as_role(role)
    assert client.get("/testphone", headers={**headers, **HTML}).status_code == 403
    r = client.get("/api/testphone/seat", headers=headers)
    assert r.status_code == 403 and "password" not in r.text


def test_without_login_there_are_no_credentials(client):
    assert client.get("/api/testphone/seat").status_code == 401


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SUPERVISOR])
def test_a_trainer_gets_the_page_with_no_inline_script(client, as_role, role):
    r = client.get("/testphone", headers={**as_role(role), **HTML})
    assert r.status_code == 200, r.text
    assert "测试话机" in r.text and "/static/testphone.js" in r.text and "12333" in r.text
    assert "unsafe-inline" not in r.headers["content-security-policy"]
    inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", r.text)
    assert inline == []


def test_each_trainer_has_an_own_identity_written_into_the_inbound_context(
        app, client, web_ctx, as_role, tmp_path):
    path = tmp_path / "pjsip_seats.conf"
    reloads = []
    app.state.seat_sync = SeatSync(web_ctx.sessions, web_ctx.redis, path=path,
                                   reload=lambda: reloads.append(1))
    admin, supervisor = as_role(Role.ADMIN), as_role(Role.SUPERVISOR)
    r = client.get("/api/testphone/seat", headers=admin)
    assert r.status_code == 200, r.text
    mine = r.json()
    assert "no-store" in r.headers["cache-control"]
    me = client.get("/api/me", headers=admin).json()
    assert mine["username"] == f"testphone-{me['user_id']}"
    assert mine["uri"] == f"sip:testphone-{me['user_id']}@127.0.0.1" and len(mine["password"]) >= 24
    theirs = client.get("/api/testphone/seat", headers=supervisor).json()
    assert theirs["username"] != mine["username"] and theirs["password"] != mine["password"]
    text = path.read_text()
    block = text.split(f"[{mine['username']}](testphone-webrtc)", 1)[1].split("\n\n", 1)[0]
    assert f'callerid = "测试话机 {me["display_name"]}" <{TESTPHONE_NUMBER}>' in block
    template = text.split("[testphone-webrtc](!)", 1)[1].split("\n\n", 1)[0]
    assert "context = hotline-inbound" in template and "hotline-agents" not in template
    assert md5_cred(mine["username"], mine["password"]) in text
    assert mine["password"] not in text and reloads
    again = client.get("/api/testphone/seat", headers=admin).json()
    assert again["password"] == mine["password"]


@pytest.mark.parametrize("user", ["admin1", "super1"])
def test_logging_out_rotates_the_trainers_test_phone_password(client, user):
    from web_helpers import login

    headers = login(client, user)
    before = client.get("/api/testphone/seat", headers=headers).json()["password"]
    assert client.post("/api/auth/logout", headers=headers).status_code == 200
    after = client.get("/api/testphone/seat", headers=login(client, user)).json()["password"]
    assert after != before
