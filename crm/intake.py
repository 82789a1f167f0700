"""Call handling shared by both voice edges (FastAGI and Twilio): each function is one transaction.

- ``finish_call``: the call's one Call row; a call that reached a person opens a Case or
  attaches to the caller's open one.
- ``repeat_caller``: the caller's open case of the last N days (case number, status, line).
- ``case_progress``: a case's status and deadline by its keypad digits, audited as system:ivr.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from crm import audit
from crm.audit import Actor
from crm.calls import CallRecord, record_call
from crm.case_numbers import LOCAL_TZ, from_keypad
from crm.cases import NewCase, attach_call, create_case, open_case_of_caller
from crm.enums import CallOutcome
from crm.models import Call, Caller, Case
from crm.numbers import normalize, site_for_location
from crm.types import utcnow

IVR_ACTOR = Actor.system("ivr")
DEFAULT_LINE = "general"


@dataclass(frozen=True)
class CaseSummary:
    number: str
    status: str
    line: str
    due: date | None


@dataclass(frozen=True)
class Finished:
    call_row_id: int
    created: bool
    case_number: str | None


class Intake:
    """The CRM side of a phone call, over a sessionmaker and the operator configuration."""

    def __init__(self, sessions, operator):
        self.sessions = sessions
        self.operator = operator

    def _site_of(self, location: str | None) -> str | None:
        return site_for_location(location, self.operator.sites.values())

    def _line_of(self, case: Case) -> str:
        category = self.operator.categories.get(case.category)
        line = category.line if category else DEFAULT_LINE
        return line if line in self.operator.lines else self.operator.queue.general_line

    def _summary(self, case: Case) -> CaseSummary:
        due = case.due_at.astimezone(LOCAL_TZ).date() if case.due_at else None
        return CaseSummary(case.number, case.status, self._line_of(case), due)

    def finish_call(self, rec: CallRecord, repeat_days: int = 30) -> Finished:
        """Write the call (idempotent); open or attach a case when a person answered it."""
        with self.sessions.begin() as session:
            row_id, created = record_call(session, rec, site_of=self._site_of)
            case_number = None
            if created and rec.outcome == CallOutcome.ANSWERED:
                case_number = self._case_for(session, rec, row_id, repeat_days)
        return Finished(row_id, created, case_number)

    def _case_for(self, session, rec: CallRecord, row_id: int, repeat_days: int) -> str:
        call = session.get(Call, row_id)
        now = rec.ended_at or utcnow()
        case = None
        if call.caller_id is not None:
            case = open_case_of_caller(session, call.caller_id, now - timedelta(days=repeat_days))
        if case is None:
            number = normalize(rec.caller_raw)
            case = create_case(session, NewCase(
                channel=rec.channel, caller_id=call.caller_id, contact_number=number.e164,
                site_id=call.site_id, title=f"来电 {rec.line or ''}".strip(),
            ), IVR_ACTOR, now=now)
        attach_call(session, case, rec.call_id, IVR_ACTOR)
        return case.number

    def repeat_caller(self, caller_raw: str, days: int, now: datetime | None = None) -> CaseSummary | None:
        """The open case this number opened in the last ``days`` days, if any (read audited)."""
        number = normalize(caller_raw)
        if not number.known or days <= 0:
            return None
        now = now or utcnow()
        with self.sessions.begin() as session:
            caller_id = session.scalar(select(Caller.id).where(Caller.number == number.e164))
            if caller_id is None:
                return None
            case = open_case_of_caller(session, caller_id, now - timedelta(days=days))
            if case is None or case.confidential:
                return None
            audit.record(session, IVR_ACTOR, "read", case.id, reason="repeat_caller")
            return self._summary(case)

    def case_progress(self, keypad: str) -> CaseSummary | None:
        """Status and deadline of the case typed on the keypad; None when unknown.

        Confidential cases are reported as unknown: a case number is not a secret.
        """
        number = from_keypad(keypad)
        if number is None:
            return None
        with self.sessions.begin() as session:
            case = session.scalar(select(Case).where(Case.number == number))
            if case is None or case.confidential or case.merged_into_id is not None:
                return None
            audit.record(session, IVR_ACTOR, "read", case.id, reason="case_progress")
            return self._summary(case)
