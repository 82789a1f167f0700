"""Supervisors and admins on work orders: review, extensions, callback survey, reopen,
re-dispatch; supervision orders (督办单), reminders (催办) and running the SLA sweep now.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from crm import audit, phone_survey, workflow
from crm.enums import Role
from crm.errors import InvalidInput
from crm.models import Case
from crm.sla import Deadlines, open_supervision_orders, reminders_since, run_sla_sweep
from crm.types import utcnow
from web.deps import StateDep, UserDep, actor_of
from web.offers import STATUS_NAMES
from web.pages import render
from web.routes.workorders import Number, run
from web.wo_schemas import (ApproveIn, OptionalReasonIn, RatingIn, ReasonIn, RedispatchIn,
                            ReviewIn, SurveyIn)
from web.wo_views import KIND_NAMES, deadlines_of, iso, order_out, visible_case

router = APIRouter(prefix="/api", tags=["supervision"])
pages = APIRouter(include_in_schema=False)
DeadlinesDep = Annotated[Deadlines, Depends(deadlines_of)]
REMINDER_HOURS_DEFAULT = 72
REMINDER_HOURS_MAX = 24 * 31
PHONE = "phone"
SMS = "sms"


@router.post("/workorders/{number}/review", summary="审核: accept the reply, or reject it back")
def review(number: Number, body: ReviewIn, user: UserDep, state: StateDep) -> dict:
    return run(state, user, number, workflow.review, approved=body.approved, note=body.note)


@router.post("/workorders/{number}/extension/approve", summary="Approve an extension request")
def approve_extension(number: Number, body: ApproveIn, user: UserDep, state: StateDep,
                      deadlines: DeadlinesDep) -> dict:
    return run(state, user, number, workflow.approve_extension, days=body.days,
               deadlines=deadlines)


@router.post("/workorders/{number}/extension/refuse", summary="Refuse an extension request")
def refuse_extension(number: Number, body: ReasonIn, user: UserDep, state: StateDep) -> dict:
    return run(state, user, number, workflow.refuse_extension, reason=body.reason)


@router.post("/workorders/{number}/survey",
             summary="回访: start the callback survey; by phone, the survey call is placed")
def start_survey(number: Number, body: SurveyIn, user: UserDep, state: StateDep,
                 request: Request) -> dict:
    if body.channel == SMS:
        return _survey_by_sms(number, user, state, request)
    with state.ctx.sessions.begin() as db:  # a call that cannot be placed rolls the move back
        case = visible_case(db, number, user)
        case, target = phone_survey.prepare_call(db, case_id=case.id, actor=actor_of(user))
        if target.citizen_number:
            state.telephony.place_survey(case_number=target.case_number,
                                         citizen_number=target.citizen_number)
        out = order_out(case, state.operator, user.role, utcnow())
    out["survey_call"] = ({"placed": True} if target.citizen_number
                          else {"placed": False, "reason": "no_contact_number"})
    return out


def _survey_by_sms(number: str, user, state, request: Request) -> dict:
    """Text the survey (a reply of 1-5 rates the case); nothing changes if it cannot be sent."""
    from twilio.base.exceptions import TwilioException

    from web.errors import TelephonyUnavailable
    from web.twilio.sms_routes import send_survey

    twilio = getattr(request.app.state, "twilio", None)
    with state.ctx.sessions() as db:
        visible_case(db, number, user)  # another department's order does not exist
    try:
        message_id = send_survey(twilio, number)
    except (RuntimeError, TwilioException, OSError) as exc:
        raise TelephonyUnavailable(f"短信未发出 (SMS survey not sent: {exc})") from None
    with state.ctx.sessions() as db:
        out = order_out(visible_case(db, number, user), state.operator, user.role, utcnow())
    out["survey_sms"] = {"sent": True, "message_id": message_id}
    return out


@router.post("/workorders/{number}/rating",
             summary="Record the callback survey's result by phone (5 levels + resolved)")
def rate(number: Number, body: RatingIn, user: UserDep, state: StateDep,
         deadlines: DeadlinesDep) -> dict:
    return run(state, user, number, workflow.rate_case, rating=body.rating,
               resolved=body.resolved, channel="phone", deadlines=deadlines)


@router.post("/workorders/{number}/close", summary="办结 without a rating (citizen unreachable)")
def close(number: Number, body: OptionalReasonIn, user: UserDep, state: StateDep) -> dict:
    return run(state, user, number, workflow.close, reason=body.reason)


@router.post("/workorders/{number}/reopen", summary="Reopen a closed order for rectification")
def reopen(number: Number, body: ReasonIn, user: UserDep, state: StateDep,
           deadlines: DeadlinesDep) -> dict:
    return run(state, user, number, workflow.reopen, reason=body.reason, deadlines=deadlines)


@router.post("/workorders/{number}/redispatch",
             summary="Re-dispatch a returned or reopened order to a department")
def redispatch(number: Number, body: RedispatchIn, user: UserDep, state: StateDep,
               deadlines: DeadlinesDep) -> dict:
    if body.department_id not in state.operator.departments:
        raise InvalidInput(f"未知的承办单位 {body.department_id!r}", field="department_id")
    return run(state, user, number, workflow.dispatch, department_id=body.department_id,
               note=body.note, deadlines=deadlines)


def _numbers(db, case_ids) -> dict[int, Case]:
    ids = sorted(set(case_ids))
    return {c.id: c for c in db.scalars(select(Case).where(Case.id.in_(ids)))} if ids else {}


def _row(item, cases, cfg, now) -> dict:
    case = cases.get(item.case_id)
    dept = cfg.departments.get(item.department_id or "")
    return {"id": item.id, "number": case.number if case else "", "kind": item.kind,
            "kind_name": KIND_NAMES.get(item.kind, item.kind),
            "deadline_at": iso(item.deadline_at), "created_at": iso(item.created_at),
            "department_id": item.department_id or "",
            "department_name": dept.name if dept else "",
            "status": case.status if case else "",
            "status_name": STATUS_NAMES.get(case.status, case.status) if case else "",
            "title": case.title if case else "",
            "overdue_hours": round((now - item.deadline_at).total_seconds() / 3600, 1)}


@router.get("/supervision", summary="Open supervision orders (督办单) and recent reminders (催办)")
def supervision(user: UserDep, state: StateDep,
                hours: Annotated[int, Query(ge=1, le=REMINDER_HOURS_MAX)]
                = REMINDER_HOURS_DEFAULT) -> dict:
    now, cfg = utcnow(), state.operator
    # A handler sees their own department's only ("" matches nothing when they have none).
    dept = (user.department_id or "") if user.role == Role.DEPARTMENT else None
    with state.ctx.sessions.begin() as db:
        orders = open_supervision_orders(db, department_id=dept)
        reminders = reminders_since(db, now - timedelta(hours=hours), department_id=dept)
        cases = _numbers(db, [x.case_id for x in [*orders, *reminders]])
        audit.record(db, actor_of(user), "list", None, count=len(orders) + len(reminders),
                     scope="supervision")
        return {"at": now.isoformat(),
                "supervision_orders": [_row(o, cases, cfg, now) for o in orders],
                "reminders": [_row(r, cases, cfg, now) for r in reminders]}


@router.post("/supervision/sweep", summary="Run the SLA sweep now: reminders and supervision")
def sweep(user: UserDep, state: StateDep, deadlines: DeadlinesDep) -> dict:
    now = utcnow()
    with state.ctx.sessions.begin() as db:
        result = run_sla_sweep(db, now, reminder_before=deadlines.reminder_before)
        audit.record(db, actor_of(user), "sla_sweep", None, **result.as_dict())
    return {"at": now.isoformat(), **result.as_dict()}


@pages.get("/supervision")
def supervision_page(request: Request, user: UserDep, state: StateDep):
    cfg = state.operator
    return render(request, "supervision.html", user=user,
                  departments=list(cfg.departments.values()))
