"""Time limits (办理时限): deadlines in working days, reminders (催办) and supervision (督办).

``Deadlines`` turns config/time_limits.toml and the working-day calendar into datetimes.
``run_sla_sweep(session, now)`` is idempotent: it adds at most one reminder per case, kind and
deadline once the deadline is near, and one supervision order once it has passed, and marks
supervision orders resolved when the order has moved on or its deadline changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm import audit
from crm.audit import Actor
from crm.enums import CaseStatus
from crm.errors import InvalidInput
from crm.lifecycle import WITH_DEPARTMENT
from crm.models import Case, Department, Reminder, SupervisionOrder
from crm.upsert import insert_for
from crm.workdays import WorkCalendar

SIGN_FOR = "sign_for"  # the sign-for limit (签收时限)
HANDLING = "handling"  # the request type's limit (办理时限), or a rectification limit
SLA_ACTOR = Actor.system("sla")
DEFAULT_REMINDER_BEFORE = timedelta(hours=24)


@dataclass(frozen=True)
class Deadlines:
    """The configured limits over a working-day calendar."""

    calendar: WorkCalendar
    limits: object  # config.models.TimeLimitsFile

    @classmethod
    def from_config(cls, cfg) -> "Deadlines":
        return cls(WorkCalendar.from_config(cfg), cfg.time_limits)

    def working_days(self, request_type: str) -> int:
        for rt in self.limits.request_types:
            if rt.id == request_type:
                return rt.working_days
        raise InvalidInput(f"unknown request type {request_type!r}", request_type=request_type)

    def handling_due(self, request_type: str, start: datetime) -> datetime:
        return self.calendar.deadline(start, self.working_days(request_type))

    def sign_due(self, start: datetime) -> datetime:
        return self.calendar.deadline(start, self.limits.sign_for_working_days)

    def rectification_due(self, start: datetime) -> datetime:
        return self.calendar.deadline(start, self.limits.rectification_working_days)

    def extended(self, due: datetime, days: int) -> datetime:
        return self.calendar.deadline(due, days)

    @property
    def reminder_before(self) -> timedelta:
        return timedelta(hours=self.limits.reminder_before_hours)


@lru_cache(maxsize=1)
def configured_deadlines() -> Deadlines:
    """Deadlines from the process's configuration (for callers that pass none)."""
    from config.operator import load_operator_config
    from config.settings import load_settings

    return Deadlines.from_config(load_operator_config(load_settings().config_dir))


@dataclass
class SweepResult:
    reminders: int = 0
    supervision_orders: int = 0
    resolved: int = 0

    def as_dict(self) -> dict:
        return {"reminders": self.reminders, "supervision_orders": self.supervision_orders,
                "resolved": self.resolved}


def _watched(session: Session, horizon: datetime):
    """(case, kind, deadline) for every order whose deadline is at or before ``horizon``."""
    signing = select(Case).where(
        Case.status == str(CaseStatus.DISPATCHED), Case.sign_due_at <= horizon,
        Case.merged_into_id.is_(None),
    )
    for case in session.scalars(signing):
        yield case, SIGN_FOR, case.sign_due_at
    handling = select(Case).where(
        Case.status.in_([str(s) for s in WITH_DEPARTMENT]), Case.due_at <= horizon,
        Case.department_id.is_not(None), Case.merged_into_id.is_(None),
    )
    for case in session.scalars(handling):
        yield case, HANDLING, case.due_at


def _insert_once(session: Session, model, **row) -> bool:
    stmt = insert_for(session, model).values(**row).on_conflict_do_nothing(
        index_elements=["case_id", "kind", "deadline_at"]
    ).returning(model.id)
    return session.execute(stmt).scalar() is not None


def _site_of(session: Session, department_id: str | None) -> str | None:
    if department_id is None:
        return None
    return session.scalar(select(Department.site_id).where(Department.id == department_id))


def run_sla_sweep(session: Session, now: datetime,
                  reminder_before: timedelta = DEFAULT_REMINDER_BEFORE) -> SweepResult:
    """Send due reminders, open supervision orders for overdue orders, resolve settled ones."""
    result = SweepResult()
    for case, kind, deadline in list(_watched(session, now + reminder_before)):
        row = dict(case_id=case.id, kind=kind, deadline_at=deadline,
                   department_id=case.department_id, created_at=now)
        if deadline < now:
            site = _site_of(session, case.department_id)
            if _insert_once(session, SupervisionOrder, site_id=site, **row):
                result.supervision_orders += 1
                _audit(session, case, "supervise", now, kind, deadline)
        elif _insert_once(session, Reminder, **row):
            result.reminders += 1
            _audit(session, case, "remind", now, kind, deadline)
    result.resolved = _resolve_settled(session, now)
    session.flush()
    return result


def _audit(session: Session, case: Case, action: str, now: datetime, kind: str,
           deadline: datetime) -> None:
    event = audit.record(session, SLA_ACTOR, action, case.id, kind=kind,
                         deadline=deadline.isoformat(), department_id=case.department_id)
    event.at = now


def _still_overdue(case: Case, order: SupervisionOrder) -> bool:
    if order.kind == SIGN_FOR:
        return case.status == CaseStatus.DISPATCHED and case.sign_due_at == order.deadline_at
    return case.status in WITH_DEPARTMENT and case.due_at == order.deadline_at


def _resolve_settled(session: Session, now: datetime) -> int:
    rows = session.execute(
        select(SupervisionOrder, Case).join(Case, Case.id == SupervisionOrder.case_id)
        .where(SupervisionOrder.resolved_at.is_(None))
    ).all()
    settled = [order for order, case in rows if not _still_overdue(case, order)]
    for order in settled:
        order.resolved_at = now
    return len(settled)


def open_supervision_orders(session: Session, *, site_id: str | None = None,
                            department_id: str | None = None) -> list[SupervisionOrder]:
    """Unresolved supervision orders, oldest deadline first (supervisor and department pages)."""
    stmt = select(SupervisionOrder).where(SupervisionOrder.resolved_at.is_(None))
    if site_id is not None:
        stmt = stmt.where(SupervisionOrder.site_id == site_id)
    if department_id is not None:
        stmt = stmt.where(SupervisionOrder.department_id == department_id)
    return list(session.scalars(stmt.order_by(SupervisionOrder.deadline_at, SupervisionOrder.id)))


def reminders_since(session: Session, since: datetime, *,
                    department_id: str | None = None) -> list[Reminder]:
    """Reminders sent since ``since``, newest first."""
    stmt = select(Reminder).where(Reminder.created_at >= since)
    if department_id is not None:
        stmt = stmt.where(Reminder.department_id == department_id)
    return list(session.scalars(stmt.order_by(Reminder.created_at.desc(), Reminder.id.desc())))
