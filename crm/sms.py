"""SMS intake: an inbound text opens a case, a reply of 1-5 rates one, surveys go out by SMS."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm import audit, workflow
from crm.audit import Actor
from crm.callers import upsert_caller
from crm.cases import NewCase, create_case, get_by_number
from crm.enums import CaseStatus, Channel, Rating
from crm.errors import Conflict, IllegalTransition, InvalidInput
from crm.lifecycle import RATEABLE
from crm.models import Case, CaseEvent, CaseRating
from crm.numbers import normalize, site_for_location
from crm.types import utcnow

ACTOR = Actor.system("sms")
SURVEY_EVENT = "survey_sms_sent"
SURVEY_REPLY_DAYS = 7  # a rating reply counts for the latest survey sent this long ago
PENDING_CANDIDATES = 5  # recent surveys of one number looked at for one still unrated
MAX_BODY = 1600  # Twilio's longest concatenated SMS
TITLE_CHARS = 30
RATING_RE = re.compile(r"^\s*([1-5])\s*[。.！!]?\s*$")
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")

# The SMS survey asks all five levels of 好差评, best first.
RATING_BY_DIGIT = {
    "1": Rating.VERY_SATISFIED,
    "2": Rating.SATISFIED,
    "3": Rating.BASICALLY_SATISFIED,
    "4": Rating.DISSATISFIED,
    "5": Rating.VERY_DISSATISFIED,
}

TEXT_CASE_OPENED = "【12345热线】您的诉求已受理，工单编号{number}。可凭编号和手机号在网上查询办理进度。"
TEXT_RATED = "【12345热线】感谢您对工单{number}的评价！"
TEXT_NO_SURVEY = "【12345热线】未找到待评价的工单。如需反映问题，请直接发送诉求内容。"
TEXT_EMPTY = "【12345热线】请发送您的诉求内容，我们将为您登记工单。"
TEXT_SURVEY = (
    "【12345热线】您的工单{number}已办理完毕，请回复数字评价："
    "1非常满意 2满意 3基本满意 4不满意 5非常不满意。"
)


@dataclass(frozen=True)
class SmsOutcome:
    """What an inbound SMS did; ``reply`` is the auto-reply text to send back."""

    kind: str  # case_opened | rated | no_survey | empty
    reply: str
    case_number: str | None = None


def handle_inbound(
    session: Session, *, sender: str, body: str, sites=(), now: datetime | None = None
) -> SmsOutcome:
    """Rate a surveyed case on a 1-5 reply, else open a case on the SMS channel. Flushes."""
    now = now or utcnow()
    text = (body or "").strip()[:MAX_BODY]
    if not text:
        return SmsOutcome("empty", TEXT_EMPTY)
    match = RATING_RE.match(text.translate(FULL_WIDTH_DIGITS))
    if match:
        case = rate_by_reply(session, sender=sender, digit=match.group(1), now=now)
        if case is None:
            return SmsOutcome("no_survey", TEXT_NO_SURVEY)
        return SmsOutcome("rated", TEXT_RATED.format(number=case.number), case.number)
    case = open_sms_case(session, sender=sender, text=text, sites=sites, now=now)
    return SmsOutcome("case_opened", TEXT_CASE_OPENED.format(number=case.number), case.number)


def open_sms_case(session: Session, *, sender: str, text: str, sites=(), now: datetime) -> Case:
    """Register a case from an SMS: the sender becomes the caller and the contact number."""
    number = normalize(sender)
    site = site_for_location(number.location, sites)
    caller_id = upsert_caller(session, number, site, now)
    new = NewCase(
        channel=Channel.SMS,
        title=text[:TITLE_CHARS],
        content=text,
        site_id=site,
        caller_id=caller_id,
        contact_number=number.e164 or number.raw[:20] or None,
    )
    return create_case(session, new, ACTOR, now=now)


def pending_survey(session: Session, e164: str, now: datetime) -> Case | None:
    """The case of this number whose SMS survey went out most recently and awaits a rating."""
    since = now - timedelta(days=SURVEY_REPLY_DAYS)
    rows = session.execute(
        select(Case, CaseEvent.at)
        .join(CaseEvent, CaseEvent.case_id == Case.id)
        .where(CaseEvent.action == SURVEY_EVENT, CaseEvent.at >= since,
               Case.contact_number == e164)
        .order_by(CaseEvent.at.desc(), CaseEvent.id.desc())
        .limit(PENDING_CANDIDATES)
    ).all()
    for case, sent_at in rows:
        if case.status in RATEABLE and not _rated_since(session, case.id, sent_at):
            return case
    return None


def _rated_since(session: Session, case_id: int, sent_at: datetime) -> bool:
    return session.scalar(
        select(CaseRating.id).where(CaseRating.case_id == case_id, CaseRating.at >= sent_at)
        .limit(1)
    ) is not None


def rate_by_reply(session: Session, *, sender: str, digit: str, now: datetime) -> Case | None:
    """Record the 5-level rating a surveyed citizen replied; None when nothing awaits one."""
    number = normalize(sender)
    if not number.known:
        return None
    case = pending_survey(session, number.e164, now)
    if case is None:
        return None
    try:
        return workflow.rate_case(session, case_id=case.id, rating=RATING_BY_DIGIT[digit],
                                  actor=ACTOR, now=now, channel=str(Channel.SMS))
    except (Conflict, IllegalTransition):  # rated or moved meanwhile through another channel
        return None


def send_survey(session: Session, case_number: str, send: Callable[[str, str], str],
                now: datetime | None = None) -> str:
    """Text the callback survey (回访) to the case's contact number; return the message id.

    A reviewed case enters its callback survey first; a case that cannot be rated is refused
    (IllegalTransition). ``send(to, body)`` delivers the SMS (Twilio's Messages API in
    production). The audit event it leaves is what a later reply of 1-5 is matched against.
    """
    case = get_by_number(session, case_number)
    number = normalize(case.contact_number)
    if not number.known:
        raise InvalidInput("case has no number to text", number=case_number)
    if case.status == CaseStatus.REVIEWED:
        case = workflow.start_callback_survey(session, case_id=case.id, actor=ACTOR,
                                              channel=str(Channel.SMS), now=now)
    if case.status not in RATEABLE:
        raise IllegalTransition(f"case {case.number} is {case.status}: nothing to rate",
                                status=case.status)
    message_id = send(number.e164, TEXT_SURVEY.format(number=case.number))
    audit.record(session, ACTOR, SURVEY_EVENT, case.id, message_id=message_id)
    return message_id
