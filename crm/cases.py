"""Open cases and read them, each with its audit event in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm import audit
from crm.audit import Actor
from crm.case_numbers import next_case_number
from crm.enums import OPEN_CASE_STATUSES, CaseStatus, Channel
from crm.errors import NotFound
from crm.models import Call, Case
from crm.types import utcnow


@dataclass
class NewCase:
    channel: Channel
    request_type: str = "consultation"
    category: str = "other"
    title: str = ""
    content: str = ""
    site_id: str | None = None
    district: str = ""
    address: str = ""
    urgency: str = "normal"
    caller_id: int | None = None
    contact_number: str | None = None
    confidential: bool = False


def create_case(session: Session, new: NewCase, actor: Actor, now: datetime | None = None) -> Case:
    """Register a case (受理登记). The taker owns it until dispatch (首接负责制). Flushes."""
    now = now or utcnow()
    case = Case(
        number=next_case_number(session, now),
        channel=str(new.channel),
        status=str(CaseStatus.REGISTERED),
        request_type=new.request_type,
        category=new.category,
        title=new.title[:200],
        content=new.content,
        site_id=new.site_id,
        district=new.district[:64],
        address=new.address[:200],
        urgency=new.urgency,
        caller_id=new.caller_id,
        contact_number=new.contact_number,
        owner_id=actor.user_id,
        confidential=new.confidential,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    audit.record(session, actor, "create", case.id, to_status=case.status, channel=case.channel)
    return case


def open_case_of_caller(session: Session, caller_id: int, since: datetime) -> Case | None:
    """The caller's most recent open case created since ``since``, if any."""
    return session.scalar(
        select(Case)
        .where(
            Case.caller_id == caller_id,
            Case.created_at >= since,
            Case.status.in_([str(s) for s in OPEN_CASE_STATUSES]),
            Case.merged_into_id.is_(None),
        )
        .order_by(Case.created_at.desc())
        .limit(1)
    )


def attach_call(session: Session, case: Case, call_id: str, actor: Actor) -> None:
    """Link a call to a case and audit it."""
    session.execute(update(Call).where(Call.call_id == call_id).values(case_id=case.id))
    audit.record(session, actor, "attach_call", case.id, call_id=call_id)


def get_by_number(session: Session, number: str) -> Case:
    case = session.scalar(select(Case).where(Case.number == number))
    if case is None:
        raise NotFound(f"no case {number}", number=number)
    return case


def read_case(session: Session, number: str, actor: Actor) -> Case:
    """A case as staff see it; the read itself is audited."""
    case = get_by_number(session, number)
    audit.record(session, actor, "read", case.id)
    return case
