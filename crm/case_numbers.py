"""Case numbers such as 12345-20261127-000042: a per-day sequence, safe under concurrency."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from crm.models import CaseCounter
from crm.upsert import insert_for

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
PREFIX = "12345"
NUMBER_RE = re.compile(r"^12345-([0-9]{8})-([0-9]{6})$", re.ASCII)
KEYPAD_RE = re.compile(r"[0-9]{14}", re.ASCII)  # not str.isdigit(): that accepts ٣ and ²


def next_case_number(session: Session, now: datetime) -> str:
    """Reserve the next number of ``now``'s local day in the caller's transaction."""
    day: date = now.astimezone(LOCAL_TZ).date()
    stmt = insert_for(session, CaseCounter).values(day=day, last=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[CaseCounter.day], set_={"last": CaseCounter.last + 1}
    ).returning(CaseCounter.last)
    seq = session.execute(stmt).scalar_one()
    return f"{PREFIX}-{day:%Y%m%d}-{seq:06d}"


def from_keypad(digits: str) -> str | None:
    """A case number typed on a phone keypad (14 digits, no dashes) in its written form."""
    if not KEYPAD_RE.fullmatch(digits or ""):
        return None
    return f"{PREFIX}-{digits[:8]}-{digits[8:]}"


def to_keypad(number: str) -> str:
    return number.replace(PREFIX + "-", "", 1).replace("-", "")
