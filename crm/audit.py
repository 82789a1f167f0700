"""Append audit events in the caller's transaction: the change and its record commit together."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from crm.models import CaseEvent


@dataclass(frozen=True)
class Actor:
    """Who did something: a staff user, or a system component such as ``ivr`` or ``sms``."""

    name: str
    user_id: int | None = None
    role: str | None = None

    @classmethod
    def system(cls, name: str) -> "Actor":
        return cls(name=f"system:{name}")


def record(
    session: Session,
    actor: Actor,
    action: str,
    case_id: int | None,
    *,
    from_status: str | None = None,
    to_status: str | None = None,
    **detail,
) -> CaseEvent:
    """Add one CaseEvent and flush; the caller's service commits."""
    event = CaseEvent(
        case_id=case_id,
        actor=actor.name,
        actor_id=actor.user_id,
        action=action,
        from_status=from_status,
        to_status=to_status,
        detail=detail,
    )
    session.add(event)
    session.flush()
    return event
