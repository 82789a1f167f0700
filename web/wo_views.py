"""Work orders (工单) as the web shows them: deadlines, overdue flags, actions and timeline.

Shared by the department, supervisor, supervision and knowledge routes. Numbers are masked
by role (web.privacy); a department handler only ever sees their own department's orders.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import Request
from crm import audit, workflow
from crm.cases import get_by_number
from crm.enums import CaseStatus, Role
from crm.errors import NotFound
from crm.lifecycle import WITH_DEPARTMENT, allowed_actions
from crm.models import Case, CaseEvent
from crm.sla import Deadlines
from web.offers import STATUS_NAMES
from web.routes.cases import case_out

ACTION_NAMES = {
    "create": "登记", "take": "首接", "read": "查看", "list": "查看列表",
    "attach_call": "关联来电", "repeat_demand": "重复诉求", "merge": "并单",
    "resolve_on_call": "直接办结", "dispatch": "派单", "sign_for": "签收", "start": "开始办理",
    "return": "退单", "request_extension": "申请延期", "approve_extension": "同意延期",
    "refuse_extension": "不同意延期", "reply": "回复", "review": "审核通过",
    "reject_reply": "审核退回", "start_survey": "开始回访", "close": "办结",
    "rate_satisfied": "回访满意", "rate_dissatisfied": "回访不满意", "reopen": "重新办理",
    "remind": "催办", "supervise": "督办",
}
KIND_NAMES = {"sign_for": "签收时限", "handling": "办理时限"}
RATING_NAMES = {"very_satisfied": "非常满意", "satisfied": "满意",
                "basically_satisfied": "基本满意", "dissatisfied": "不满意",
                "very_dissatisfied": "非常不满意"}
# What a role may do from the web, by lifecycle action (the table decides when).
DEPARTMENT_ACTIONS = frozenset({"sign_for", "start", "reply", "request_extension", "return"})
SUPERVISOR_ACTIONS = frozenset({"review", "reject_reply", "approve_extension",
                                "refuse_extension", "start_survey", "close", "reopen",
                                "dispatch", "rate_satisfied", "rate_dissatisfied"})
ACTIONS_OF_ROLE = {Role.DEPARTMENT: DEPARTMENT_ACTIONS, Role.SUPERVISOR: SUPERVISOR_ACTIONS,
                   Role.ADMIN: SUPERVISOR_ACTIONS}


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def deadlines_of(request: Request) -> Deadlines:
    """The app's configured limits, built once per app (kept on app.state)."""
    cached = getattr(request.app.state, "wo_deadlines", None)
    if cached is None:
        cached = Deadlines.from_config(request.app.state.web.operator)
        request.app.state.wo_deadlines = cached
    return cached


def flags(case: Case, now: datetime) -> dict:
    """Overdue flags: the sign-for limit while dispatched, the handling limit while with them."""
    sign_overdue = bool(case.status == CaseStatus.DISPATCHED and case.sign_due_at
                        and case.sign_due_at < now)
    overdue = bool(case.status in WITH_DEPARTMENT and case.due_at and case.due_at < now)
    return {"sign_overdue": sign_overdue, "overdue": overdue}


def order_out(case: Case, cfg, role: str, now: datetime) -> dict:
    """case_out plus the work-order fields: deadlines, flags, rating, next actions."""
    allowed = ACTIONS_OF_ROLE.get(role, frozenset())
    return {
        **case_out(case, cfg, role), **flags(case, now),
        "sign_due_at": iso(case.sign_due_at), "due_at": iso(case.due_at),
        "signed_at": iso(case.signed_at), "replied_at": iso(case.replied_at),
        "closed_at": iso(case.closed_at), "rating": case.rating or "",
        "rating_name": RATING_NAMES.get(case.rating or "", ""), "resolved": case.resolved,
        "kb_article_id": case.kb_article_id,
        "actions": [str(a) for a in allowed_actions(case.status) if str(a) in allowed],
    }


def event_out(event: CaseEvent) -> dict:
    return {
        "at": iso(event.at), "actor": event.actor, "action": event.action,
        "action_name": ACTION_NAMES.get(event.action, event.action),
        "from_status": event.from_status or "", "to_status": event.to_status or "",
        "to_status_name": STATUS_NAMES.get(event.to_status or "", ""),
        "detail": event.detail or {},
    }


def visible_case(db, number: str, user) -> Case:
    """The case by number; another department's order does not exist for a handler."""
    try:
        case = get_by_number(db, number)
    except NotFound:
        raise NotFound(f"没有工单 {number} (no such order)", number=number) from None
    if user.role == Role.DEPARTMENT and case.department_id != (user.department_id or None):
        raise NotFound(f"没有工单 {number} (no such order)", number=number)
    return case


def read_order(db, number: str, user, actor) -> Case:
    """visible_case, with the read written to the audit trail (same transaction)."""
    case = visible_case(db, number, user)
    audit.record(db, actor, "read", case.id)
    return case


def timeline_of(db, case_id: int) -> list[dict]:
    return [event_out(e) for e in workflow.timeline(db, case_id)]
