"""Repeat demands (并单): the same caller, same category, an open order within N days.

``register_or_link`` is the intake path: instead of a new order, the new contact is linked to
the open one (an audited ``repeat_demand`` event carrying what the citizen said this time).
``merge_into`` folds a duplicate order that was already registered into the earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm import audit
from crm.audit import Actor
from crm.cases import NewCase, create_case
from crm.enums import OPEN_CASE_STATUSES
from crm.errors import InvalidInput
from crm.lifecycle import Action
from crm.models import Case
from crm.moves import HOTLINE, first_taker, load, move, require
from crm.types import utcnow

REPEAT_EVENT = "repeat_demand"
CONTENT_IN_EVENT = 500


@dataclass(frozen=True)
class Registered:
    case: Case
    linked: bool  # True: an open order existed and the contact was linked to it


def find_repeat(session: Session, *, caller_id: int | None, category: str, now: datetime,
                days: int, exclude_id: int | None = None) -> Case | None:
    """The caller's most recent open, unmerged order of this category created within ``days``."""
    if caller_id is None or days <= 0:
        return None
    stmt = select(Case).where(
        Case.caller_id == caller_id,
        Case.category == category,
        Case.created_at >= now - timedelta(days=days),
        Case.status.in_([str(s) for s in OPEN_CASE_STATUSES]),
        Case.merged_into_id.is_(None),
    )
    if exclude_id is not None:
        stmt = stmt.where(Case.id != exclude_id)
    return session.scalar(stmt.order_by(Case.created_at.desc(), Case.id.desc()).limit(1))


def register_or_link(session: Session, *, new: NewCase, actor: Actor, repeat_days: int,
                     now: datetime | None = None, call_id: str | None = None) -> Registered:
    """Open a new order, or link this contact to the caller's open order of the same category."""
    now = now or utcnow()
    existing = find_repeat(session, caller_id=new.caller_id, category=new.category, now=now,
                           days=repeat_days)
    if existing is None:
        return Registered(create_case(session, new, actor, now=now), linked=False)
    event = audit.record(session, actor, REPEAT_EVENT, existing.id, channel=str(new.channel),
                         content=new.content[:CONTENT_IN_EVENT], call_id=call_id)
    event.at = now
    return Registered(existing, linked=True)


def merge_into(session: Session, *, case_id: int, into_id: int, actor: Actor,
               now: datetime | None = None) -> Case:
    """并单: close a registered duplicate as merged into an open order of the same caller."""
    require(actor, HOTLINE)
    now = now or utcnow()
    case, target = load(session, case_id), load(session, into_id)
    if case.id == target.id or target.merged_into_id is not None:
        raise InvalidInput("merge into a different, unmerged order", field="into_id")
    if case.caller_id is None or case.caller_id != target.caller_id:
        raise InvalidInput("only orders of the same caller are merged", field="into_id")
    if target.status not in OPEN_CASE_STATUSES:
        raise InvalidInput("merge into an open order", field="into_id")
    where, values = first_taker(actor, case)
    values.update(merged_into_id=target.id, closed_at=now)
    merged = move(session, case, Action.MERGE, actor, now, where=where, values=values,
                  detail={"into": target.number})
    event = audit.record(session, actor, REPEAT_EVENT, target.id, merged=case.number,
                         content=case.content[:CONTENT_IN_EVENT])
    event.at = now
    return merged
