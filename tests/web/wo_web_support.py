"""Helpers for the work-order web tests: a second department's handler, a dispatched order."""

from __future__ import annotations

from sqlalchemy import select

from crm.models import Case, CaseEvent
from hotline.setup import create_user
from web_helpers import PASSWORD, login

DEPT = "guiyang_market"  # dept1's department (web_helpers.STAFF)
OTHER_DEPT = "guiyang_urban"
LOOKS = ("read", "list")  # audit events of reads, not changes


def add_handler(ctx, client, username: str, department: str) -> dict:
    """Create a department handler and return their bearer headers."""
    create_user(ctx, username, "department", PASSWORD, name=f"{username}名",
                department=department)
    return login(client, username)


def dispatched_order(client, agent: dict, department: str = DEPT, *,
                     request_type: str = "complaint", category: str = "consumer") -> str:
    """An agent registers a case and dispatches it at once; returns its number."""
    resp = client.post("/api/cases", headers=agent, json={
        "request_type": request_type, "category": category, "site_id": "guiyang",
        "district": "云岩区", "content": "商场拒绝为质量问题的电器退货", "title": "电器退货纠纷",
        "then": "dispatch", "department_id": department})
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "dispatched"
    return resp.json()["number"]


def step(client, headers: dict, number: str, path: str, body: dict | None = None,
         status: int = 200) -> dict:
    resp = client.post(f"/api/workorders/{number}/{path}", headers=headers, json=body or {})
    assert resp.status_code == status, (path, resp.status_code, resp.text)
    return resp.json()


def case_row(ctx, number: str) -> Case:
    with ctx.sessions() as db:
        return db.scalar(select(Case).where(Case.number == number))


def changes(ctx, number: str) -> list[tuple[str, str | None, str]]:
    """(action, to_status, actor) of every audit event on the order that is not a read."""
    with ctx.sessions() as db:
        rows = db.execute(select(CaseEvent.action, CaseEvent.to_status, CaseEvent.actor)
                          .join(Case, Case.id == CaseEvent.case_id)
                          .where(Case.number == number).order_by(CaseEvent.id)).all()
    return [tuple(r) for r in rows if r[0] not in LOOKS]
