"""Work orders for department handlers (签收, 办理, 回复, 延期, 退单) and the shared order views.

Each change is one transaction: crm.workflow moves the case with a conditional update and
appends its audit event; a lost race or a move the table forbids answers 409. A handler of
another department is told the order does not exist (404) and nothing changes.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from sqlalchemy import select

from crm import audit, workflow
from crm.enums import OPEN_CASE_STATUSES, CaseStatus, Role
from crm.errors import InvalidInput
from crm.lifecycle import WITH_DEPARTMENT
from crm.models import Case
from crm.types import utcnow
from web.deps import StateDep, UserDep, actor_of
from web.routes.cases import CASE_NUMBER
from web.wo_schemas import ExtensionIn, ReasonIn, ReplyIn
from web.wo_views import order_out, read_order, timeline_of, visible_case

router = APIRouter(prefix="/api/workorders", tags=["work orders"])
Number = Annotated[str, Path(pattern=CASE_NUMBER)]
LIST_LIMIT = 200
S = CaseStatus
# What each kind of user has to act on ("todo"), by status.
TODO = {
    Role.DEPARTMENT: WITH_DEPARTMENT,
    Role.SUPERVISOR: frozenset({S.RETURNED, S.EXTENSION_REQUESTED, S.REPLIED, S.REVIEWED,
                                S.CALLBACK_SURVEY}),
}
TODO[Role.ADMIN] = TODO[Role.SUPERVISOR]


def _statuses(user, scope: str, status: str | None):
    if status:
        try:
            return [S(s) for s in status.split(",") if s]
        except ValueError:
            raise InvalidInput(f"未知的状态 {status!r} (unknown status)", field="status") from None
    if scope == "todo":
        return sorted(TODO.get(user.role, OPEN_CASE_STATUSES))
    return sorted(OPEN_CASE_STATUSES) if scope == "open" else None


def _listed(db, user, actor, statuses) -> list[Case]:
    if user.role == Role.DEPARTMENT:
        return workflow.department_orders(db, actor=actor, statuses=statuses)[:LIST_LIMIT]
    stmt = select(Case).where(Case.merged_into_id.is_(None))
    if statuses is not None:
        stmt = stmt.where(Case.status.in_([str(s) for s in statuses]))
    return list(db.scalars(stmt.order_by(Case.due_at, Case.id).limit(LIST_LIMIT)))


@router.get("", summary="Work orders: a handler's own department's, or all for supervisors")
def list_orders(user: UserDep, state: StateDep,
                scope: Literal["todo", "open", "all"] = "todo",
                status: Annotated[str | None, Query(pattern=r"^[a-z_,]{1,300}$")] = None) -> dict:
    actor, now = actor_of(user), utcnow()
    with state.ctx.sessions.begin() as db:
        cases = _listed(db, user, actor, _statuses(user, scope, status))
        audit.record(db, actor, "list", None, count=len(cases), scope=scope,
                     status=status or "")
        items = [order_out(c, state.operator, user.role, now) for c in cases]
    return {"at": now.isoformat(), "items": items}


@router.get("/{number}", summary="One work order with its full timeline (the read is audited)")
def get_order(number: Number, user: UserDep, state: StateDep) -> dict:
    with state.ctx.sessions.begin() as db:
        case = read_order(db, number, user, actor_of(user))
        out = order_out(case, state.operator, user.role, utcnow())
        out["timeline"] = timeline_of(db, case.id)
    return out


def run(state, user, number: str, step, **kw) -> dict:
    """One workflow step on the order ``number`` in one transaction; the order as it is now."""
    actor = actor_of(user)
    with state.ctx.sessions.begin() as db:
        case = visible_case(db, number, user)
        case = step(db, case_id=case.id, actor=actor, **kw)
        return order_out(case, state.operator, user.role, utcnow())


@router.post("/{number}/sign", summary="签收: sign for an order dispatched to your department")
def sign(number: Number, user: UserDep, state: StateDep) -> dict:
    return run(state, user, number, workflow.sign_for)


@router.post("/{number}/start", summary="办理: start work (also on a reopened order)")
def start(number: Number, user: UserDep, state: StateDep) -> dict:
    return run(state, user, number, workflow.start)


@router.post("/{number}/reply", summary="回复: the department's answer")
def reply(number: Number, body: ReplyIn, user: UserDep, state: StateDep) -> dict:
    return run(state, user, number, workflow.reply, text=body.text)


@router.post("/{number}/extension", summary="延期申请: ask for more working days")
def request_extension(number: Number, body: ExtensionIn, user: UserDep,
                      state: StateDep) -> dict:
    return run(state, user, number, workflow.request_extension, days=body.days,
               reason=body.reason)


@router.post("/{number}/return", summary="退单: send the order back to the hotline, with a reason")
def return_order(number: Number, body: ReasonIn, user: UserDep, state: StateDep) -> dict:
    return run(state, user, number, workflow.return_case, reason=body.reason)
