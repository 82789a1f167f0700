"""An agent's day through the API, against the real queue (Redis) and the CRM (SQLite)."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select

from callqueue.models import WaitingEntry
from crm.calls import CallRecord, record_call
from crm.enums import CallOutcome, Channel
from crm.models import Call, Case, CaseEvent
from web.telephony import NoTelephony
from web_helpers import login

CALLER = "+8613985012345"


def _sign_in_ready(client):
    h = login(client, "agent1")
    client.cookies.clear()
    assert client.post("/api/agent/login", json={"extension": "8001"}, headers=h).json()["state"] \
        == "paused"
    assert client.post("/api/agent/ready", json={}, headers=h).json()["state"] == "ready"
    return h


def _earlier_call(ctx):
    with ctx.sessions.begin() as db:
        record_call(db, CallRecord(call_id="old-1", channel=Channel.ASTERISK, caller_raw=CALLER,
                                   arrived_at=datetime(2026, 11, 1, tzinfo=timezone.utc),
                                   outcome=CallOutcome.ABANDONED, line="market"))


def test_offered_call_pops_up_masked_with_history_then_case_is_dispatched(
        client, queue, web_ctx, telephony):
    _earlier_call(web_ctx)
    h = _sign_in_ready(client)
    queue.enqueue(WaitingEntry("call-1", "general", "guiyang", caller=CALLER))
    st = client.get("/api/agent/state", headers=h).json()
    assert st["state"] == "offered"
    pop = st["offer"]
    assert pop["caller_masked"] == "139****2345" and CALLER not in str(st)
    assert "贵阳" in pop["location"] and pop["line_name"] == "综合服务"
    assert [c["call_id"] for c in pop["history"]["calls"]] == ["old-1"]
    assert client.post("/api/agent/accept", json={"call_id": "call-1"}, headers=h) \
        .json()["state"] == "on_call"
    sugg = client.get("/api/dispatch/suggestion", params={"category": "consumer",
                                                           "site": "guiyang"}, headers=h).json()
    assert sugg["department_id"]
    case = client.post("/api/cases", headers=h, json={
        "request_type": "complaint", "category": "consumer", "content": "商家拒绝退货",
        "site_id": "guiyang", "district": "云岩区", "urgency": "normal", "call_id": "call-1",
        "then": "dispatch", "department_id": sugg["department_id"]}).json()
    assert case["status"] == "dispatched" and case["contact_number"] == "139****2345"
    with web_ctx.sessions() as db:
        actions = db.scalars(select(CaseEvent.action).join(Case, Case.id == CaseEvent.case_id)
                             .where(Case.number == case["number"])).all()
    assert "create" in actions and "dispatch" in actions
    after = client.post("/api/agent/hangup", json={"call_id": "call-1"}, headers=h).json()
    assert after["state"] == "wrap_up" and after["wrap_up_until"] > after["since"]


def test_pop_up_shows_the_live_menu_path_while_the_call_waits(client, queue, web_ctx):
    h = _sign_in_ready(client)
    path = "in>menu:main>key:0>queue:general"
    queue.enqueue(WaitingEntry("call-live", "general", "guiyang", caller=CALLER, menu_path=path))
    with web_ctx.sessions() as db:  # the CRM row is only written when the call ends
        assert db.scalar(select(func.count()).select_from(Call)) == 0
    st = client.get("/api/agent/state", headers=h).json()
    assert st["state"] == "offered" and st["offer"]["menu_path"] == path


def test_pop_up_falls_back_to_the_crm_menu_path_when_the_offer_has_none(
        client, queue, web_ctx):
    with web_ctx.sessions.begin() as db:
        record_call(db, CallRecord(call_id="call-old", channel=Channel.ASTERISK,
                                   caller_raw=CALLER, arrived_at=datetime.now(timezone.utc),
                                   outcome=CallOutcome.CALLBACK, line="general",
                                   menu_path="in>menu:main>silence>queue:general"))
    h = _sign_in_ready(client)
    queue.enqueue(WaitingEntry("call-old", "general", "guiyang", caller=CALLER))
    pop = client.get("/api/agent/state", headers=h).json()["offer"]
    assert pop["menu_path"] == "in>menu:main>silence>queue:general"


def test_bad_case_input_changes_nothing(client, web_ctx):
    h = login(client, "agent1")
    base = {"request_type": "complaint", "category": "consumer", "content": "x",
            "site_id": "guiyang"}
    for bad in ({"category": "no_such"}, {"site_id": "atlantis"}, {"then": "dispatch"},
                {"then": "dispatch", "department_id": "nowhere"}, {"urgency": "whenever"},
                {"content": ""}, {"extra_field": 1}):
        resp = client.post("/api/cases", json={**base, **bad}, headers=h)
        assert 400 <= resp.status_code < 500, bad
        assert resp.json()["error"] in ("invalid_input", "validation_failed")
    with web_ctx.sessions() as db:
        assert db.scalar(select(func.count(Case.id))) == 0
        assert db.scalar(select(func.count(CaseEvent.id))) == 0


def test_case_reads_are_audited_and_departments_see_only_theirs(client, web_ctx):
    h = login(client, "agent1")
    case = client.post("/api/cases", headers=h, json={
        "request_type": "help", "category": "consumer", "content": "c", "site_id": "guiyang",
        "then": "dispatch", "department_id": "guiyang_market"}).json()
    other = client.post("/api/cases", headers=h, json={
        "request_type": "help", "category": "health", "content": "c", "site_id": "guiyang"}).json()
    d = login(client, "dept1")
    assert client.get(f"/api/cases/{case['number']}", headers=d).status_code == 200
    assert client.get(f"/api/cases/{other['number']}", headers=d).status_code == 404
    assert [c["number"] for c in client.get("/api/cases", headers=d).json()["items"]] \
        == [case["number"]]
    with web_ctx.sessions() as db:
        reads = db.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.action == "read",
                                                                 CaseEvent.actor == "dept1"))
    assert reads == 1  # the refused read revealed nothing and rolled back


def test_transfers_go_to_telephony_or_answer_503(client, queue, telephony, app):
    h = _sign_in_ready(client)
    queue.enqueue(WaitingEntry("call-2", "general", "guiyang", caller=CALLER))
    client.post("/api/agent/accept", json={"call_id": "call-2"}, headers=h)
    assert client.post("/api/agent/transfer", json={"call_id": "call-9", "kind": "police"},
                       headers=h).status_code == 409
    working, app.state.web.telephony = app.state.web.telephony, NoTelephony("AMI not configured")
    r = client.post("/api/agent/transfer", json={"call_id": "call-2", "kind": "expert",
                                                 "target": "9001"}, headers=h)
    assert r.status_code == 503 and r.json()["error"] == "telephony_unavailable"
    app.state.web.telephony = working
    r = client.post("/api/agent/transfer", json={"call_id": "call-2", "kind": "police"}, headers=h)
    assert r.status_code == 200 and telephony.calls[-1][1]["target"] == "110"
    # the citizen went to 110: the agent's part is over, wrap-up starts at once
    assert client.get("/api/agent/state", headers=h).json()["state"] != "on_call"


def test_pause_with_an_unknown_reason_is_refused(client):
    h = _sign_in_ready(client)
    assert client.post("/api/agent/pause", json={"reason": "nap"}, headers=h).status_code == 400
    assert client.get("/api/agent/state", headers=h).json()["state"] == "ready"
    assert client.post("/api/agent/pause", json={"reason": "meal"}, headers=h) \
        .json()["reason_name"] == "用餐"
