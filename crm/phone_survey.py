"""The phone callback survey (回访) of a case: before the call, and the citizen's answers after.

- ``prepare_call``: the case must be in callback_survey (a repeated call) or be moved there
  from reviewed; returns the number to dial. The caller places the call in the same
  transaction, so a call that cannot be placed leaves the case as it was.
- ``awaiting_phone_survey``: is this case number one the survey script may rate?
- ``record_answers``: resolved (是否解决) and the 5-level rating, by crm.ratings.rate_case as
  ``system:survey`` on channel ``phone``; only while the case is in callback_survey.
Every function flushes and never commits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm import audit
from crm.audit import Actor
from crm.enums import CaseStatus, Rating
from crm.errors import IllegalTransition, NotFound
from crm.models import Caller, Case
from crm.moves import HOTLINE, load, require
from crm.ratings import rate_case
from crm.sla import Deadlines
from crm.workflow import start_callback_survey

SURVEY_ACTOR = Actor.system("survey")
PHONE = "phone"
CALL_EVENT = "survey_call"  # audit action of a repeated call on a case already in the survey
CASE_NUMBER = re.compile(r"^12345-\d{8}-\d{6}$", re.ASCII)
_DIALABLE = re.compile(r"^\+?[0-9]{3,20}$")


@dataclass(frozen=True)
class SurveyTarget:
    case_number: str
    citizen_number: str | None  # None: the case has no number we can dial


def citizen_number(session: Session, case: Case) -> str | None:
    """The case's contact number, else its caller's (E.164); None when neither is dialable."""
    number = case.contact_number
    if not number and case.caller_id is not None:
        number = session.scalar(select(Caller.number).where(Caller.id == case.caller_id))
    return number if number and _DIALABLE.fullmatch(number) else None


def prepare_call(session: Session, *, case_id: int, actor: Actor,
                 now: datetime | None = None) -> tuple[Case, SurveyTarget]:
    """Make sure the case awaits the survey (moving reviewed -> callback_survey) before a call.

    A case with no dialable number is still moved (the survey is then made by hand and
    recorded through the rating endpoint). Raises IllegalTransition when the case is neither
    reviewed nor in the survey, or is in it already with no number to call.
    """
    require(actor, HOTLINE, system=True)
    case = load(session, case_id)
    number = citizen_number(session, case)
    if case.status != CaseStatus.CALLBACK_SURVEY:
        case = start_callback_survey(session, case_id=case_id, actor=actor, channel=PHONE,
                                     now=now)
    elif number is None:
        raise IllegalTransition(f"case {case.number} is in the survey and has no number to call",
                                status=case.status, action="survey_call")
    else:
        audit.record(session, actor, CALL_EVENT, case.id, channel=PHONE)
    return case, SurveyTarget(case.number, number)


def _by_number(session: Session, case_number: str) -> Case | None:
    if not CASE_NUMBER.fullmatch(case_number or ""):
        return None
    return session.scalar(select(Case).where(Case.number == case_number))


def awaiting_phone_survey(session: Session, case_number: str) -> bool:
    case = _by_number(session, case_number)
    return case is not None and case.status == CaseStatus.CALLBACK_SURVEY


def record_answers(session: Session, *, case_number: str, resolved: bool, rating: Rating | str,
                   deadlines: Deadlines | None = None, now: datetime | None = None) -> Case:
    """Store the survey's result: satisfied closes the case, dissatisfied reopens it."""
    case = _by_number(session, case_number)
    if case is None:
        raise NotFound(f"no case {case_number!r}", number=case_number)
    if case.status != CaseStatus.CALLBACK_SURVEY:
        raise IllegalTransition(f"case {case.number} is not in the callback survey",
                                status=case.status, action="rate")
    return rate_case(session, case_id=case.id, rating=rating, actor=SURVEY_ACTOR, now=now,
                     resolved=resolved, channel=PHONE, deadlines=deadlines)
