"""One lifecycle move, stored: a conditional UPDATE checked by rowcount plus its audit event.

Used by crm.workflow and crm.ratings. Who may act is checked here too: hotline roles, the
first taker of a registered case (首接负责制), the moves agents may make at all
(crm.lifecycle.agent_verdict), and department handlers on their own orders.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from crm import audit, lifecycle
from crm.audit import Actor
from crm.enums import CaseStatus, Role
from crm.errors import Conflict, Forbidden, NotCaseOwner, NotFound, SupervisorsOnly
from crm.lifecycle import Action, AgentVerdict
from crm.models import Case, User

HOTLINE = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})
DEPARTMENT = frozenset({Role.DEPARTMENT})
SYSTEM_PREFIX = "system:"


def is_system(actor: Actor) -> bool:
    return actor.role is None and actor.name.startswith(SYSTEM_PREFIX)


def require(actor: Actor, roles: frozenset, *, system: bool = False) -> None:
    """Raise Forbidden unless the actor has one of ``roles`` (or is a system component)."""
    if system and is_system(actor):
        return
    if actor.role not in roles:
        raise Forbidden(f"{actor.name} may not do this", role=actor.role)


def load(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"no case {case_id}", case_id=case_id)
    return case


def first_taker(actor: Actor, case: Case) -> tuple[tuple, dict]:
    """首接负责制: an agent acts on a registered case only if it is theirs or nobody's yet.

    Returns the extra WHERE clause and values that claim it in the same update.
    """
    if case.status != CaseStatus.REGISTERED or actor.role != Role.AGENT:
        return (), {}
    if case.owner_id not in (None, actor.user_id):
        raise NotCaseOwner("该工单由首接坐席负责 (the case belongs to the agent who took it "
                           "first)", owner_id=case.owner_id)
    where = (or_(Case.owner_id.is_(None), Case.owner_id == actor.user_id),)
    return where, {"owner_id": actor.user_id}


def check_agent_move(actor: Actor, case: Case, action: Action) -> tuple:
    """An agent makes only the moves crm.lifecycle.agent_verdict allows them on ``case``.

    Returns the WHERE clause that keeps what was checked true at the update."""
    if actor.role != Role.AGENT:
        return ()
    verdict = lifecycle.agent_verdict(case.status, action, owner_id=case.owner_id,
                                      agent_id=actor.user_id,
                                      dispatched=case.dispatched_at is not None)
    if verdict is AgentVerdict.NOT_OWNER:
        raise NotCaseOwner("该工单由首接坐席负责 (the case belongs to the agent who took it "
                           "first)", owner_id=case.owner_id)
    if verdict is AgentVerdict.SUPERVISOR_ONLY:
        raise SupervisorsOnly(f"该工单当前须由班长处理 (an agent may not {action} a case "
                              f"that is {case.status})", status=case.status, action=str(action))
    return (or_(Case.owner_id.is_(None), Case.owner_id == actor.user_id),
            Case.dispatched_at.is_(None))


def department_of(session: Session, actor: Actor) -> str | None:
    if actor.user_id is None:
        return None
    return session.scalar(select(User.department_id).where(User.id == actor.user_id))


def own_department(session: Session, actor: Actor, case: Case) -> tuple:
    """A department handler acts only on orders dispatched to their department."""
    require(actor, DEPARTMENT)
    dept = department_of(session, actor)
    if dept is None or dept != case.department_id:
        raise Forbidden("the order is not dispatched to your department",
                        department_id=case.department_id)
    return (Case.department_id == dept,)


def move(
    session: Session,
    case: Case,
    action: Action,
    actor: Actor,
    now: datetime,
    *,
    where: tuple = (),
    values: dict | None = None,
    detail: dict | None = None,
) -> Case:
    """Apply ``action`` by the table, store it only if the status is still the one read.

    Raises IllegalTransition (the table refuses), SupervisorsOnly (an agent may not make this
    move) or Conflict (someone else moved it first).
    The case object is refreshed from the database afterwards.
    """
    old = case.status
    new = lifecycle.apply(old, action)
    guard = check_agent_move(actor, case, action)
    stmt = (
        update(Case)
        .where(Case.id == case.id, Case.status == old, *where, *guard)
        .values(status=str(new), updated_at=now, **(values or {}))
        .execution_options(synchronize_session=False)
    )
    if _execute(session, stmt) != 1:
        raise Conflict(f"case {case.number} changed meanwhile; reload it", case_id=case.id,
                       expected=old)
    event = audit.record(session, actor, str(action), case.id, from_status=old,
                         to_status=str(new), **(detail or {}))
    event.at = now
    session.flush()
    session.refresh(case)
    return case


def touch(session: Session, case: Case, actor: Actor, action: str, now: datetime,
          *, where: tuple = (), values: dict, detail: dict | None = None) -> Case:
    """A change that is not a status move (e.g. taking ownership), conditional like ``move``."""
    stmt = (
        update(Case)
        .where(Case.id == case.id, Case.status == case.status, *where)
        .values(updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if _execute(session, stmt) != 1:
        raise Conflict(f"case {case.number} changed meanwhile; reload it", case_id=case.id)
    event = audit.record(session, actor, action, case.id, **(detail or {}))
    event.at = now
    session.flush()
    session.refresh(case)
    return case


def _execute(session: Session, stmt) -> int:
    """Run a conditional update; SQLite's stale-snapshot refusal is a lost race, i.e. 0 rows."""
    try:
        return session.execute(stmt).rowcount
    except OperationalError as exc:
        if session.get_bind().dialect.name == "sqlite" and "locked" in str(exc.orig):
            return 0
        raise
