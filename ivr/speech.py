"""Numbers, dates and case statuses as sequences of prompt names (digit_0..digit_9 etc.)."""

from __future__ import annotations

import math
from datetime import date

DIGIT = "digit_{}"
TEN = "ten"
STATUS_PROMPTS = {
    "registered": "status_registered",
    "dispatched": "status_in_progress",
    "signed_for": "status_in_progress",
    "in_progress": "status_in_progress",
    "extension_requested": "status_in_progress",
    "returned": "status_in_progress",
    "reopened": "status_in_progress",
    "replied": "status_replied",
    "reviewed": "status_replied",
    "callback_survey": "status_replied",
    "closed": "status_closed",
    "resolved_on_call": "status_closed",
}
UNKNOWN_STATUS = "status_in_progress"


def digits(text: str) -> tuple[str, ...]:
    """Each decimal digit of text as its prompt; anything else is skipped."""
    return tuple(DIGIT.format(ch) for ch in text if ch.isdigit())


def number(n: int) -> tuple[str, ...]:
    """0..99 read the Chinese way (十一, 二十三); larger numbers digit by digit."""
    if n < 0:
        n = 0
    if n < 10:
        return digits(str(n))
    if n >= 100:
        return digits(str(n))
    tens, units = divmod(n, 10)
    head = () if tens == 1 else digits(str(tens))
    return head + (TEN,) + (digits(str(units)) if units else ())


def a_date(day: date) -> tuple[str, ...]:
    """2026年11月27日: the year digit by digit, month and day as numbers."""
    return digits(str(day.year)) + ("year",) + number(day.month) + ("month",) + number(day.day) + ("day",)


def case_number(number_text: str) -> tuple[str, ...]:
    """A case number as the 14 digits the caller would type (without the 12345 prefix)."""
    core = number_text.split("-", 1)[1] if "-" in number_text else number_text
    return digits(core)


def status(value: str) -> str:
    return STATUS_PROMPTS.get(value, UNKNOWN_STATUS)


def wait_minutes(seconds: float) -> tuple[str, ...]:
    """预计等待 N 分钟, or 不到1分钟 under a minute."""
    if seconds < 60:
        return ("estimated_wait", "less_than_a_minute")
    return ("estimated_wait",) + number(math.ceil(seconds / 60)) + ("minutes",)


def position(ahead: int) -> tuple[str, ...]:
    """您前面还有 N 位 (position is 1-based, so ahead = position - 1)."""
    return ("position_ahead",) + number(max(ahead, 0)) + ("position_callers",)
