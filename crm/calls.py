"""Record calls: exactly one row per call, idempotent on its uniqueid or CallSid."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm.callers import upsert_caller
from crm.enums import CallOutcome, Channel, Rating
from crm.errors import InvalidInput
from crm.models import Call
from crm.numbers import normalize
from crm.upsert import insert_for


@dataclass
class CallRecord:
    """Everything a finished call leaves behind, whichever channel carried it."""

    call_id: str
    channel: Channel
    caller_raw: str
    arrived_at: datetime
    outcome: CallOutcome
    dnid: str = ""
    line: str | None = None
    site_id: str | None = None
    menu_path: str = ""
    queued_at: datetime | None = None
    offered_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    agent: str | None = None
    rating: Rating | None = None
    callback_number: str | None = None
    case_id: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def wait_seconds(self) -> float | None:
        if self.queued_at is None:
            return None
        end = self.answered_at or self.ended_at
        return None if end is None else max(0.0, (end - self.queued_at).total_seconds())


def _check(rec: CallRecord) -> None:
    if not rec.call_id or len(rec.call_id) > 64:
        raise InvalidInput("call_id must be 1-64 characters", call_id=rec.call_id[:80])
    CallOutcome(rec.outcome)
    Channel(rec.channel)


def record_call(session: Session, rec: CallRecord, site_of=None) -> tuple[int, bool]:
    """Write the call's row; return (row id, created). A replay changes nothing.

    ``site_of`` maps a geocoder location to a site id, for callers seen the first time.
    Flushes only: the calling service commits.
    """
    _check(rec)
    existing = session.scalar(select(Call.id).where(Call.call_id == rec.call_id))
    if existing is not None:
        return existing, False
    number = normalize(rec.caller_raw)
    site = site_of(number.location) if site_of else None
    caller_id = upsert_caller(session, number, site, rec.arrived_at)
    stmt = insert_for(session, Call).values(**_row(rec, caller_id, site))
    stmt = stmt.on_conflict_do_nothing(index_elements=[Call.call_id]).returning(Call.id)
    row_id = session.execute(stmt).scalar()
    if row_id is not None:
        return row_id, True
    return session.scalar(select(Call.id).where(Call.call_id == rec.call_id)), False


def _row(rec: CallRecord, caller_id: int | None, site: str | None) -> dict:
    return dict(
        call_id=rec.call_id,
        channel=str(rec.channel),
        caller_id=caller_id,
        caller_raw=rec.caller_raw[:64],
        dnid=rec.dnid[:32],
        line=rec.line,
        site_id=rec.site_id or site,
        menu_path=rec.menu_path[:200],
        arrived_at=rec.arrived_at,
        queued_at=rec.queued_at,
        offered_at=rec.offered_at,
        answered_at=rec.answered_at,
        ended_at=rec.ended_at,
        outcome=str(rec.outcome),
        wait_seconds=rec.wait_seconds,
        agent=rec.agent,
        rating=str(rec.rating) if rec.rating else None,
        callback_number=rec.callback_number,
        case_id=rec.case_id,
    )


def rate_call(session: Session, call_id: str, rating: Rating) -> bool:
    """Set the per-contact rating once (一次一评); False when absent or already rated."""
    result = session.execute(
        update(Call)
        .where(Call.call_id == call_id, Call.rating.is_(None))
        .values(rating=str(Rating(rating)))
    )
    return result.rowcount == 1
