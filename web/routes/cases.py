"""Cases (工单) through the web: register from a call, resolve or dispatch, read (audited)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy import select

from crm import audit
from crm.callers import upsert_caller
from crm.cases import NewCase, attach_call, create_case, read_case
from crm.enums import Channel, Role
from crm.errors import InvalidInput, NotFound
from crm.models import Case
from crm.numbers import normalize
from crm.types import utcnow
from web import workflow
from web.deps import StateDep, UserDep, actor_of
from web.offers import STATUS_NAMES
from web.privacy import show_number
from web.schemas import CaseIn, DispatchIn, ResolveIn

router = APIRouter(prefix="/api", tags=["cases"])
LIST_LIMIT = 100
CASE_NUMBER = r"^[0-9A-Za-z-]{1,32}$"
Number = Annotated[str, Path(pattern=CASE_NUMBER)]


def case_out(case: Case, cfg, role: str) -> dict:
    name = lambda table, key: table[key].name if key in table else (key or "")  # noqa: E731
    return {
        "number": case.number, "status": case.status,
        "status_name": STATUS_NAMES.get(case.status, case.status),
        "request_type": case.request_type, "category": case.category,
        "category_name": name(cfg.categories, case.category), "title": case.title,
        "content": case.content, "site_id": case.site_id or "",
        "site_name": name(cfg.sites, case.site_id), "district": case.district,
        "address": case.address, "urgency": case.urgency,
        "contact_number": show_number(case.contact_number, role,
                                      confidential=case.confidential),
        "department_id": case.department_id or "",
        "department_name": name(cfg.departments, case.department_id),
        "created_at": case.created_at.isoformat(),
        "dispatched_at": case.dispatched_at.isoformat() if case.dispatched_at else None,
    }


def _check_form(body: CaseIn, cfg) -> None:
    """Refuse unknown references before anything is written."""
    for value, table, what in ((body.request_type, cfg.request_types, "诉求类型"),
                               (body.category, cfg.categories, "事项分类"),
                               (body.site_id, cfg.sites, "地区")):
        if value not in table:
            raise InvalidInput(f"未知的{what} {value!r}", value=value)
    if body.then == "dispatch" and body.department_id not in cfg.departments:
        raise InvalidInput("派单需要选择有效的承办单位 (choose a department)",
                           department_id=body.department_id or "")


def _caller_of_call(state, user, call_id: str | None) -> str:
    if not call_id or not user.agent_id:
        return ""
    offer = state.offers.offer_for(user.agent_id, call_id)
    return offer.get("caller") or offer.get("callback_number") or ""


@router.post("/cases", summary="Register a case, optionally resolving or dispatching it at once")
def register(body: CaseIn, user: UserDep, state: StateDep) -> dict:
    cfg = state.operator
    _check_form(body, cfg)
    number = normalize(_caller_of_call(state, user, body.call_id))
    actor = actor_of(user)
    with state.ctx.sessions.begin() as db:
        caller_id = upsert_caller(db, number, body.site_id, utcnow()) if number.known else None
        new = NewCase(channel=Channel.ASTERISK if body.call_id else Channel.WEB,
                      request_type=body.request_type, category=body.category,
                      title=body.title or body.content[:30], content=body.content,
                      site_id=body.site_id, district=body.district, address=body.address,
                      urgency=body.urgency, caller_id=caller_id, contact_number=number.e164,
                      confidential=body.confidential)
        case = create_case(db, new, actor)
        if body.call_id:
            attach_call(db, case, body.call_id, actor)
        if body.then == "resolve":
            case = workflow.resolve(db, case, actor, body.note, body.kb_article_id)
        elif body.then == "dispatch":
            case = workflow.dispatch(db, case, body.department_id, actor, cfg, body.note)
        return case_out(case, cfg, user.role)


def _load_for(db, number: str, user, actor) -> Case:
    """The case, read with an audit event; department handlers only see their own."""
    case = read_case(db, number, actor)
    if user.role == Role.DEPARTMENT and case.department_id != user.department_id:
        raise NotFound(f"no case {number}", number=number)
    return case


@router.get("/cases/{number}", summary="One case (the read is audited)")
def get_case(number: Number, user: UserDep, state: StateDep) -> dict:
    with state.ctx.sessions.begin() as db:
        return case_out(_load_for(db, number, user, actor_of(user)), state.operator, user.role)


@router.get("/cases", summary="Cases: a department's own, an agent's own, or the latest")
def list_cases(user: UserDep, state: StateDep,
               status: Annotated[str | None, Query(pattern=r"^[a-z_]{1,24}$")] = None) -> dict:
    query = select(Case).order_by(Case.created_at.desc()).limit(LIST_LIMIT)
    if user.role == Role.DEPARTMENT:
        query = query.where(Case.department_id == user.department_id)
    elif user.role == Role.AGENT:
        query = query.where(Case.owner_id == user.user_id)
    if status:
        query = query.where(Case.status == status)
    with state.ctx.sessions.begin() as db:
        cases = db.scalars(query).all()
        audit.record(db, actor_of(user), "list", None, count=len(cases), status=status or "")
        return {"items": [case_out(c, state.operator, user.role) for c in cases]}


@router.post("/cases/{number}/resolve",
             summary="Resolve on the call a registered case that is yours or nobody's yet")
def resolve_case(number: Number, body: ResolveIn, user: UserDep, state: StateDep) -> dict:
    with state.ctx.sessions.begin() as db:
        case = _load_for(db, number, user, actor_of(user))
        return case_out(workflow.resolve(db, case, actor_of(user), body.note, body.kb_article_id),
                        state.operator, user.role)


@router.post("/cases/{number}/dispatch",
             summary="Dispatch: an agent their own registered case; supervisors and admins "
                     "also a returned or reopened order")
def dispatch_case(number: Number, body: DispatchIn, user: UserDep, state: StateDep) -> dict:
    with state.ctx.sessions.begin() as db:
        case = _load_for(db, number, user, actor_of(user))
        case = workflow.dispatch(db, case, body.department_id, actor_of(user), state.operator,
                                 body.note)
        return case_out(case, state.operator, user.role)


@router.get("/dispatch/suggestion", summary="The dispatch catalogue's department for a case")
def suggestion(state: StateDep, category: Annotated[str, Query(max_length=32)],
               site: Annotated[str, Query(max_length=32)]) -> dict:
    cfg = state.operator
    dept = cfg.suggest_department(category, site)
    return {"department_id": dept or "",
            "department_name": cfg.departments[dept].name if dept in cfg.departments else ""}
