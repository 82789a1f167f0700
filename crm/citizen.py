"""The citizen web form: submit a request, look up one's own case by number plus phone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm import audit
from crm.audit import Actor
from crm.callers import upsert_caller
from crm.case_numbers import NUMBER_RE, from_keypad
from crm.cases import NewCase, create_case
from crm.enums import Channel
from crm.errors import InvalidInput
from crm.models import Case, Department
from crm.numbers import normalize
from crm.types import utcnow

ACTOR = Actor.system("citizen_web")
LOOKUP_EVENT = "citizen_lookup"
CONTENT_MIN, CONTENT_MAX = 5, 2000
ADDRESS_MAX = 200
TITLE_CHARS = 30
DEFAULT_REQUEST_TYPE = "consultation"
CITIZEN_REQUEST_TYPES = ("consultation", "help", "suggestion", "complaint", "report")
PHONE_KINDS = ("mobile", "fixed_line")

# Field error codes (part of the API: the web layer maps each to a Chinese message).
E_REQUIRED = "required"
E_UNKNOWN = "unknown"
E_TOO_SHORT = "too_short"
E_TOO_LONG = "too_long"
E_PHONE = "bad_phone"
E_CASE_NUMBER = "bad_case_number"


@dataclass
class CitizenRequest:
    """What the public form sends."""

    category: str
    content: str
    phone: str
    site_id: str
    address: str = ""
    request_type: str = DEFAULT_REQUEST_TYPE


@dataclass(frozen=True)
class CaseView:
    """What a citizen may see of their own case: no staff, no notes, no other people."""

    number: str
    status: str
    category: str
    request_type: str
    title: str
    site_id: str | None
    department: str | None
    created_at: datetime
    due_at: datetime | None
    replied_at: datetime | None
    closed_at: datetime | None
    rating: str | None


def validate_request(req: CitizenRequest, cfg) -> dict[str, str]:
    """Field name -> error code for every problem found; empty when the request is valid."""
    errors: dict[str, str] = {}
    if req.category not in cfg.categories:
        errors["category"] = E_REQUIRED if not req.category else E_UNKNOWN
    if req.request_type not in CITIZEN_REQUEST_TYPES or req.request_type not in cfg.request_types:
        errors["request_type"] = E_UNKNOWN
    if req.site_id not in cfg.sites:
        errors["site_id"] = E_REQUIRED if not req.site_id else E_UNKNOWN
    content = req.content.strip()
    if len(content) < CONTENT_MIN:
        errors["content"] = E_REQUIRED if not content else E_TOO_SHORT
    elif len(content) > CONTENT_MAX:
        errors["content"] = E_TOO_LONG
    if len(req.address.strip()) > ADDRESS_MAX:
        errors["address"] = E_TOO_LONG
    if not req.phone.strip():
        errors["phone"] = E_REQUIRED
    elif _phone(req.phone) is None:
        errors["phone"] = E_PHONE
    return errors


def _phone(raw: str):
    number = normalize(raw)
    return number if number.known and number.kind in PHONE_KINDS else None


def submit_request(session: Session, req: CitizenRequest, cfg, now: datetime | None = None) -> Case:
    """Register the citizen's request as a case on the web channel; raise InvalidInput."""
    errors = validate_request(req, cfg)
    if errors:
        raise InvalidInput("citizen request is invalid", fields=errors)
    now = now or utcnow()
    number = _phone(req.phone)
    caller_id = upsert_caller(session, number, req.site_id, now)
    content = req.content.strip()
    new = NewCase(
        channel=Channel.WEB,
        request_type=req.request_type,
        category=req.category,
        title=content[:TITLE_CHARS],
        content=content,
        site_id=req.site_id,
        address=req.address.strip(),
        caller_id=caller_id,
        contact_number=number.e164,
    )
    return create_case(session, new, ACTOR, now=now)


def lookup_case(session: Session, case_number: str, phone: str) -> CaseView | None:
    """The case if ``phone`` is its contact number; None otherwise (not found looks the same).

    Every attempt is audited; a failed one names the number tried but not the phone.
    """
    wanted = case_number.strip()
    wanted = from_keypad(wanted) or wanted
    number = _phone(phone)
    case = None
    if NUMBER_RE.match(wanted) and number is not None:
        case = session.scalar(select(Case).where(Case.number == wanted))
    if case is None or case.contact_number != number.e164:
        audit.record(session, ACTOR, LOOKUP_EVENT, None, ok=False, number=wanted[:32])
        return None
    audit.record(session, ACTOR, LOOKUP_EVENT, case.id, ok=True)
    return _view(session, case)


def _view(session: Session, case: Case) -> CaseView:
    department = None
    if case.department_id:
        department = session.scalar(
            select(Department.name).where(Department.id == case.department_id)
        )
    return CaseView(
        number=case.number,
        status=case.status,
        category=case.category,
        request_type=case.request_type,
        title=case.title,
        site_id=case.site_id,
        department=department,
        created_at=case.created_at,
        due_at=case.due_at,
        replied_at=case.replied_at,
        closed_at=case.closed_at,
        rating=case.rating,
    )
