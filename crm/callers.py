"""Caller rows: one per known number, found or created atomically."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.models import Caller
from crm.numbers import CallerNumber
from crm.upsert import insert_for


def upsert_caller(
    session: Session, number: CallerNumber, site_id: str | None, seen: datetime
) -> int | None:
    """The Caller id for a known number (created if new); None for withheld/invalid ones."""
    if not number.known:
        return None
    stmt = insert_for(session, Caller).values(
        number=number.e164,
        kind=number.kind,
        location=number.location,
        site_id=site_id,
        first_seen=seen,
        last_seen=seen,
    )
    stmt = stmt.on_conflict_do_nothing(index_elements=[Caller.number])
    session.execute(stmt)
    caller_id = session.scalar(select(Caller.id).where(Caller.number == number.e164))
    session.flush()
    return caller_id
