"""A work order's whole life through the HTTP API, every step in its audit trail; role
refusals; two handlers signing for the same order at once (exactly one wins)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import update

from crm.enums import Role
from crm.models import Case
from crm.types import utcnow
from wo_web_support import (DEPT, OTHER_DEPT, add_handler, case_row, changes, dispatched_order,
                            step)

FULL_LIFE = [
    ("create", "registered", "agent1"),
    ("dispatch", "dispatched", "agent1"),
    ("sign_for", "signed_for", "dept1"),
    ("start", "in_progress", "dept1"),
    ("request_extension", "extension_requested", "dept1"),
    ("approve_extension", "in_progress", "super1"),
    ("reply", "replied", "dept1"),
    ("review", "reviewed", "super1"),
    ("start_survey", "callback_survey", "super1"),
    ("rate_dissatisfied", "reopened", "super1"),
    ("start", "in_progress", "dept1"),
    ("reply", "replied", "dept1"),
    ("reject_reply", "in_progress", "admin1"),
    ("reply", "replied", "dept1"),
    ("review", "reviewed", "admin1"),
    ("start_survey", "callback_survey", "admin1"),
    ("rate_satisfied", "closed", "admin1"),
    ("reopen", "reopened", "super1"),
]


def _when(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def test_a_case_from_dispatch_to_closure_with_every_step_audited(client, as_role, web_ctx):
    agent, dept = as_role(Role.AGENT), as_role(Role.DEPARTMENT)
    sup, admin = as_role(Role.SUPERVISOR), as_role(Role.ADMIN)
    number = dispatched_order(client, agent)

    mine = client.get("/api/workorders", headers=dept).json()["items"]
    assert [o["number"] for o in mine] == [number]
    order = mine[0]
    assert order["sign_due_at"] and order["due_at"] and not order["overdue"]
    assert set(order["actions"]) == {"sign_for", "return"}

    assert step(client, dept, number, "sign")["status"] == "signed_for"
    assert step(client, dept, number, "start")["status"] == "in_progress"
    asked = step(client, dept, number, "extension", {"days": 3, "reason": "需现场检测"})
    assert asked["status"] == "extension_requested"
    approved = step(client, sup, number, "extension/approve", {})
    assert approved["status"] == "in_progress"
    assert _when(approved["due_at"]) > _when(asked["due_at"])  # three more working days

    step(client, dept, number, "reply", {"text": "已约谈商家，同意退货。"})
    assert step(client, sup, number, "review", {"approved": True})["status"] == "reviewed"
    assert step(client, sup, number, "survey", {"channel": "phone"})["status"] \
        == "callback_survey"
    unhappy = step(client, sup, number, "rating", {"rating": "dissatisfied", "resolved": False})
    assert unhappy["status"] == "reopened" and unhappy["rating"] == "dissatisfied"
    assert "start" in client.get(f"/api/workorders/{number}", headers=dept).json()["actions"]

    step(client, dept, number, "start")
    step(client, dept, number, "reply", {"text": "商家已退款。"})
    rejected = step(client, admin, number, "review", {"approved": False, "note": "缺退款凭证"})
    assert rejected["status"] == "in_progress"
    step(client, dept, number, "reply", {"text": "商家已退款，凭证已上传。"})
    step(client, admin, number, "review", {"approved": True})
    step(client, admin, number, "survey", {})
    closed = step(client, admin, number, "rating", {"rating": "satisfied", "resolved": True})
    assert closed["status"] == "closed" and closed["resolved"] is True
    assert step(client, sup, number, "reopen", {"reason": "市民再次反映"})["status"] == "reopened"

    assert changes(web_ctx, number) == FULL_LIFE
    detail = client.get(f"/api/workorders/{number}", headers=sup).json()
    shown = [(e["action"], e["to_status"] or None, e["actor"]) for e in detail["timeline"]
             if e["action"] not in ("read", "list")]
    assert shown == FULL_LIFE
    assert any(e["action"] == "read" and e["actor"] == "dept1" for e in detail["timeline"])
    texts = [e["detail"].get("text") for e in detail["timeline"] if e["action"] == "reply"]
    assert texts[-1] == "商家已退款，凭证已上传。"


def test_returned_order_is_redispatched_to_another_department(client, as_role, web_ctx):
    agent, dept, sup = as_role(Role.AGENT), as_role(Role.DEPARTMENT), as_role(Role.SUPERVISOR)
    urban = add_handler(web_ctx, client, "dept2", OTHER_DEPT)
    number = dispatched_order(client, agent)
    step(client, dept, number, "return", {"reason": "不属于本单位职责"})
    todo = client.get("/api/workorders", headers=sup).json()["items"]
    assert [(o["number"], o["status"]) for o in todo] == [(number, "returned")]
    assert "dispatch" in todo[0]["actions"]
    step(client, sup, number, "redispatch", {"department_id": OTHER_DEPT, "note": "改派城管"})
    assert client.get(f"/api/workorders/{number}", headers=dept).status_code == 404
    assert step(client, urban, number, "sign")["status"] == "signed_for"
    assert case_row(web_ctx, number).department_id == OTHER_DEPT
    reasons = [e["detail"].get("reason") for e in
               client.get(f"/api/workorders/{number}", headers=sup).json()["timeline"]
               if e["action"] == "return"]
    assert reasons == ["不属于本单位职责"]


def test_other_roles_and_departments_are_refused_and_nothing_changes(client, as_role, web_ctx):
    agent, dept, sup = as_role(Role.AGENT), as_role(Role.DEPARTMENT), as_role(Role.SUPERVISOR)
    outsider = add_handler(web_ctx, client, "dept2", OTHER_DEPT)
    number = dispatched_order(client, agent)
    before = changes(web_ctx, number)

    assert client.get(f"/api/workorders/{number}", headers=outsider).status_code == 404
    assert client.get("/api/workorders?scope=all", headers=outsider).json()["items"] == []
    for path, body in (("sign", {}), ("start", {}), ("reply", {"text": "越权回复"}),
                       ("extension", {"days": 2, "reason": "x"}), ("return", {"reason": "x"})):
        resp = client.post(f"/api/workorders/{number}/{path}", headers=outsider, json=body)
        assert resp.status_code == 404, (path, resp.text)
    for headers, path, body in ((agent, "sign", {}), (dept, "review", {"approved": True}),
                                (dept, "rating", {"rating": "satisfied", "resolved": True}),
                                (agent, "reopen", {"reason": "x"}), (sup, "sign", {})):
        resp = client.post(f"/api/workorders/{number}/{path}", headers=headers, json=body)
        assert resp.status_code == 403 and resp.json()["error"] == "forbidden", path
    # Moves the lifecycle table does not allow: 409, and bad input: 4xx.
    resp = client.post(f"/api/workorders/{number}/reply", headers=dept, json={"text": "先回复"})
    assert resp.status_code == 409 and resp.json()["error"] == "illegal_transition"
    resp = client.post(f"/api/workorders/{number}/extension/approve", headers=sup,
                       json={"days": 3})
    assert resp.status_code == 409
    for bad in ({"days": 0, "reason": "x"}, {"days": 3, "reason": ""}, {"days": 3}):
        resp = client.post(f"/api/workorders/{number}/extension", headers=dept, json=bad)
        assert resp.status_code == 422, bad

    assert changes(web_ctx, number) == before
    assert case_row(web_ctx, number).status == "dispatched"


def test_two_handlers_sign_for_the_same_order_at_once_exactly_one_wins(client, as_role, web_ctx):
    number = dispatched_order(client, as_role(Role.AGENT))
    handlers = [as_role(Role.DEPARTMENT), add_handler(web_ctx, client, "dept1b", DEPT)]
    gate, codes = threading.Barrier(len(handlers)), []

    def sign(headers):
        gate.wait()
        codes.append(client.post(f"/api/workorders/{number}/sign", headers=headers).status_code)

    threads = [threading.Thread(target=sign, args=(h,)) for h in handlers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 409]
    signed = [c for c in changes(web_ctx, number) if c[0] == "sign_for"]
    assert len(signed) == 1 and signed[0][2] in ("dept1", "dept1b")
    assert case_row(web_ctx, number).status == "signed_for"


def test_supervision_lists_overdue_orders_after_a_sweep(client, as_role, web_ctx):
    agent, dept, sup = as_role(Role.AGENT), as_role(Role.DEPARTMENT), as_role(Role.SUPERVISOR)
    late, soon = dispatched_order(client, agent), dispatched_order(client, agent)
    now = utcnow()
    with web_ctx.sessions.begin() as db:  # one order past its sign-for limit, one nearly
        for number, shift in ((late, -2), (soon, 2)):
            db.execute(update(Case).where(Case.number == number)
                       .values(sign_due_at=now + timedelta(hours=shift)))
    listed = {o["number"]: o for o in client.get("/api/workorders", headers=dept).json()["items"]}
    assert listed[late]["sign_overdue"] and not listed[soon]["sign_overdue"]

    result = client.post("/api/supervision/sweep", headers=sup).json()
    assert (result["supervision_orders"], result["reminders"]) == (1, 1)
    again = client.post("/api/supervision/sweep", headers=sup).json()
    assert (again["supervision_orders"], again["reminders"]) == (0, 0)  # idempotent
    board = client.get("/api/supervision", headers=sup).json()
    assert [o["number"] for o in board["supervision_orders"]] == [late]
    assert board["supervision_orders"][0]["kind"] == "sign_for"
    assert board["supervision_orders"][0]["overdue_hours"] >= 2
    assert [r["number"] for r in board["reminders"]] == [soon]
    assert client.get("/api/supervision", headers=dept).json()["supervision_orders"][0][
        "number"] == late
    outsider = add_handler(web_ctx, client, "dept2", OTHER_DEPT)
    theirs = client.get("/api/supervision", headers=outsider).json()
    assert (theirs["supervision_orders"], theirs["reminders"]) == ([], [])

    step(client, dept, late, "sign")
    client.post("/api/supervision/sweep", headers=sup)
    assert client.get("/api/supervision", headers=sup).json()["supervision_orders"] == []
    assert ("supervise", None, "system:sla") in changes(web_ctx, late)
