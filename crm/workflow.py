"""Work-order services (派单 → 签收 → 办理 → 回复 → 审核 → 回访 → 办结), one per lifecycle step.

Every function is keyword-only, takes the caller's session, moves the case by the table in
crm.lifecycle with a conditional UPDATE (Conflict when someone moved it first), appends the
CaseEvent in the same transaction, flushes and never commits. It returns the refreshed Case.
Deadlines come from ``deadlines`` (crm.sla.Deadlines) or, when omitted, from the process's
configuration. Ratings (rate_case) live in crm.ratings and are re-exported here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.audit import Actor
from crm.enums import Role
from crm.errors import Forbidden, InvalidInput
from crm.lifecycle import Action
from crm.models import Case, CaseEvent, Department, KnowledgeArticle
from crm.moves import (DEPARTMENT, HOTLINE, SUPERVISORS, department_of, first_taker, load,
                       move, own_department, require, touch)
from crm.ratings import rate_case  # noqa: F401  (part of this module's API)
from crm.sla import Deadlines, configured_deadlines
from crm.types import utcnow

TEXT_MAX = 4000
MAX_EXTENSION_DAYS = 60


def _text(value: str, field: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(f"{field} is required", field=field)
    return value[:TEXT_MAX]


def take_case(session: Session, *, case_id: int, actor: Actor, now: datetime | None = None) -> Case:
    """An agent takes a registered case nobody owns yet (首接负责制); taking one's own is a no-op."""
    require(actor, frozenset({Role.AGENT}))
    case = load(session, case_id)
    where, values = first_taker(actor, case)
    if not values or case.owner_id == actor.user_id:
        return case
    return touch(session, case, actor, "take", now or utcnow(), where=where, values=values)


def dispatch(session: Session, *, case_id: int, actor: Actor, department_id: str,
             note: str = "", deadlines: Deadlines | None = None,
             now: datetime | None = None) -> Case:
    """派单 to a department; sets the sign-for deadline and, the first time, the handling one."""
    require(actor, HOTLINE)
    now, d = now or utcnow(), deadlines or configured_deadlines()
    case = load(session, case_id)
    if session.get(Department, department_id) is None:
        raise InvalidInput(f"unknown department {department_id!r}", field="department_id")
    where, values = first_taker(actor, case)
    values.update(department_id=department_id, dispatched_at=now, signed_at=None,
                  sign_due_at=d.sign_due(now),
                  due_at=case.due_at or d.handling_due(case.request_type, now))
    return move(session, case, Action.DISPATCH, actor, now, where=where, values=values,
                detail={"department_id": department_id,
                        "note": _text(note, "note", required=False)})


def suggest_department(cfg, case: Case) -> str | None:
    """The dispatch catalogue's suggestion (派单目录) for the case's category and site."""
    return cfg.suggest_department(case.category, case.site_id or "*")


def resolve_on_call(session: Session, *, case_id: int, actor: Actor, answer: str = "",
                    kb_article_id: int | None = None, now: datetime | None = None) -> Case:
    """直接办结: answered on the call, optionally from a knowledge base article."""
    require(actor, HOTLINE)
    now = now or utcnow()
    case = load(session, case_id)
    if kb_article_id is not None and session.get(KnowledgeArticle, kb_article_id) is None:
        raise InvalidInput(f"no knowledge article {kb_article_id}", field="kb_article_id")
    where, values = first_taker(actor, case)
    values.update(closed_at=now, kb_article_id=kb_article_id)
    return move(session, case, Action.RESOLVE_ON_CALL, actor, now, where=where, values=values,
                detail={"answer": _text(answer, "answer", required=False),
                        "kb_article_id": kb_article_id})


def _department_step(session, action: Action, case_id: int, actor: Actor, now, *,
                     values: dict | None = None, detail: dict | None = None) -> Case:
    case = load(session, case_id)
    where = own_department(session, actor, case)
    return move(session, case, action, actor, now or utcnow(), where=where, values=values,
                detail=detail)


def sign_for(session: Session, *, case_id: int, actor: Actor, now: datetime | None = None) -> Case:
    """签收 by a handler of the department the order is dispatched to."""
    now = now or utcnow()
    return _department_step(session, Action.SIGN_FOR, case_id, actor, now,
                            values={"signed_at": now})


def start(session: Session, *, case_id: int, actor: Actor, now: datetime | None = None) -> Case:
    """办理: work starts (after signing for, or on a case reopened for rectification)."""
    return _department_step(session, Action.START, case_id, actor, now)


def reply(session: Session, *, case_id: int, actor: Actor, text: str,
          now: datetime | None = None) -> Case:
    """回复: the department's answer to the citizen's matter."""
    now = now or utcnow()
    return _department_step(session, Action.REPLY, case_id, actor, now,
                            values={"replied_at": now}, detail={"text": _text(text, "text")})


def return_case(session: Session, *, case_id: int, actor: Actor, reason: str,
                now: datetime | None = None) -> Case:
    """退单: back to the hotline, with a reason, for re-dispatch or objection review."""
    return _department_step(session, Action.RETURN, case_id, actor, now,
                            detail={"reason": _text(reason, "reason")})


def request_extension(session: Session, *, case_id: int, actor: Actor, days: int, reason: str,
                      now: datetime | None = None) -> Case:
    """延期申请: ask for ``days`` more working days."""
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidInput(f"days must be 1..{MAX_EXTENSION_DAYS}", field="days")
    return _department_step(session, Action.REQUEST_EXTENSION, case_id, actor, now,
                            detail={"days": days, "reason": _text(reason, "reason")})


def _requested_days(session: Session, case_id: int) -> int:
    event = session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case_id,
                                CaseEvent.action == str(Action.REQUEST_EXTENSION))
        .order_by(CaseEvent.id.desc()).limit(1)
    )
    return int(event.detail.get("days", 0)) if event else 0


def approve_extension(session: Session, *, case_id: int, actor: Actor, days: int | None = None,
                      deadlines: Deadlines | None = None, now: datetime | None = None) -> Case:
    """Approve an extension (as requested unless ``days`` is given): the deadline moves on."""
    require(actor, SUPERVISORS)
    now, d = now or utcnow(), deadlines or configured_deadlines()
    case = load(session, case_id)
    days = days or _requested_days(session, case_id)
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise InvalidInput(f"days must be 1..{MAX_EXTENSION_DAYS}", field="days")
    due = d.extended(case.due_at or now, days)
    return move(session, case, Action.APPROVE_EXTENSION, actor, now, values={"due_at": due},
                detail={"days": days, "due_at": due.isoformat()})


def refuse_extension(session: Session, *, case_id: int, actor: Actor, reason: str,
                     now: datetime | None = None) -> Case:
    """Refuse an extension: work goes on against the original deadline."""
    require(actor, SUPERVISORS)
    case = load(session, case_id)
    return move(session, case, Action.REFUSE_EXTENSION, actor, now or utcnow(),
                detail={"reason": _text(reason, "reason")})


def review(session: Session, *, case_id: int, actor: Actor, approved: bool, note: str = "",
           now: datetime | None = None) -> Case:
    """审核 the reply: approved goes on to the callback survey, refused back to the department."""
    require(actor, HOTLINE)
    case = load(session, case_id)
    action = Action.REVIEW if approved else Action.REJECT_REPLY
    note = _text(note, "note", required=not approved)
    return move(session, case, action, actor, now or utcnow(), detail={"note": note})


def start_callback_survey(session: Session, *, case_id: int, actor: Actor, channel: str = "phone",
                          now: datetime | None = None) -> Case:
    """回访: the citizen is asked (phone, SMS) whether the matter was resolved, and to rate it."""
    require(actor, HOTLINE, system=True)
    case = load(session, case_id)
    return move(session, case, Action.START_SURVEY, actor, now or utcnow(),
                detail={"channel": channel})


def close(session: Session, *, case_id: int, actor: Actor, reason: str = "",
          now: datetime | None = None) -> Case:
    """办结 without a rating, e.g. the citizen could not be reached for the survey."""
    require(actor, HOTLINE, system=True)
    now = now or utcnow()
    case = load(session, case_id)
    return move(session, case, Action.CLOSE, actor, now, values={"closed_at": now},
                detail={"reason": _text(reason, "reason", required=False)})


def reopen(session: Session, *, case_id: int, actor: Actor, reason: str,
           deadlines: Deadlines | None = None, now: datetime | None = None) -> Case:
    """A supervisor reopens a closed case for rectification, with its own deadline."""
    require(actor, SUPERVISORS)
    now, d = now or utcnow(), deadlines or configured_deadlines()
    case = load(session, case_id)
    due = d.rectification_due(now)
    return move(session, case, Action.REOPEN, actor, now,
                values={"due_at": due, "closed_at": None},
                detail={"reason": _text(reason, "reason"), "due_at": due.isoformat()})


def department_orders(session: Session, *, actor: Actor, statuses=None) -> list[Case]:
    """The orders dispatched to the handler's own department, oldest deadline first."""
    require(actor, DEPARTMENT)
    dept = department_of(session, actor)
    if dept is None:
        raise Forbidden("the handler has no department")
    stmt = select(Case).where(Case.department_id == dept, Case.merged_into_id.is_(None))
    if statuses is not None:
        stmt = stmt.where(Case.status.in_([str(s) for s in statuses]))
    return list(session.scalars(stmt.order_by(Case.due_at, Case.id)))


def timeline(session: Session, case_id: int) -> list[CaseEvent]:
    """The case's audit trail in order."""
    return list(session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    ))
