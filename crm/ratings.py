"""Per-case ratings (好差评, 一事一评) from the callback survey, by phone or SMS.

Five levels. Very satisfied, satisfied and basically satisfied close a case in its callback
survey (or leave a closed case closed); dissatisfied and very dissatisfied reopen it for
rectification with a deadline of ``rectification_working_days``. One rating per case and
round: a round ends with each reopening, so the rectified case can be rated again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm.audit import Actor
from crm.enums import CaseStatus, Rating
from crm.errors import Conflict, InvalidInput
from crm.lifecycle import rating_action
from crm.models import Case, CaseEvent, CaseRating
from crm.moves import load, move
from crm.sla import Deadlines, configured_deadlines
from crm.types import utcnow

DISSATISFIED = frozenset({Rating.DISSATISFIED, Rating.VERY_DISSATISFIED})
SATISFIED = frozenset(Rating) - DISSATISFIED


def _round(session: Session, case_id: int) -> int:
    reopenings = session.scalar(
        select(func.count()).select_from(CaseEvent).where(
            CaseEvent.case_id == case_id, CaseEvent.to_status == str(CaseStatus.REOPENED)
        )
    )
    return 1 + (reopenings or 0)


def rate_case(session: Session, *, case_id: int, rating: Rating | str, actor: Actor,
              now: datetime | None = None, resolved: bool | None = None, channel: str = "",
              deadlines: Deadlines | None = None) -> Case:
    """Record the citizen's 5-level rating and whether the matter was resolved.

    Raises IllegalTransition when the case is not awaiting a rating, Conflict when this round
    was already rated (or the case moved meanwhile).
    """
    try:
        rating = Rating(rating)
    except ValueError:
        raise InvalidInput(f"unknown rating {rating!r}", field="rating") from None
    now = now or utcnow()
    case = load(session, case_id)
    dissatisfied = rating in DISSATISFIED
    action = rating_action(dissatisfied)
    rnd = _round(session, case_id)
    if session.scalar(select(CaseRating.id).where(CaseRating.case_id == case_id,
                                                  CaseRating.round == rnd)) is not None:
        raise Conflict(f"case {case.number} is already rated", case_id=case_id, round=rnd)
    values = {"rating": str(rating), "resolved": resolved}
    detail = {"rating": str(rating), "resolved": resolved, "channel": channel, "round": rnd}
    if dissatisfied:
        due = (deadlines or configured_deadlines()).rectification_due(now)
        values.update(due_at=due, closed_at=None)
        detail["due_at"] = due.isoformat()
    elif case.status == CaseStatus.CALLBACK_SURVEY:
        values["closed_at"] = now
    case = move(session, case, action, actor, now, values=values, detail=detail)
    session.add(CaseRating(case_id=case_id, round=rnd, rating=str(rating), resolved=resolved,
                           channel=channel[:16], actor=actor.name[:64], at=now))
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"case {case.number} is already rated", case_id=case_id, round=rnd) from None
    return case


def ratings_of(session: Session, case_id: int) -> list[CaseRating]:
    return list(session.scalars(
        select(CaseRating).where(CaseRating.case_id == case_id).order_by(CaseRating.round)
    ))
