"""Caller numbers: normalise to E.164 with phonenumbers and guess the caller's site."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType, geocoder

WITHHELD_WORDS = {"", "unknown", "anonymous", "private", "withheld", "restricted", "unavailable"}
_KEEP = re.compile(r"[^0-9+]")
MAX_RAW = 32


@dataclass(frozen=True)
class CallerNumber:
    """What we know of a number. ``e164`` is None when it is withheld or invalid."""

    raw: str
    e164: str | None
    kind: str  # mobile | fixed_line | other | withheld | invalid
    location: str | None = None

    @property
    def known(self) -> bool:
        return self.e164 is not None


def _kind(num: phonenumbers.PhoneNumber) -> str:
    t = phonenumbers.number_type(num)
    if t == PhoneNumberType.MOBILE:
        return "mobile"
    if t in (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return "fixed_line"
    return "other"


def normalize(raw: str | None, region: str = "CN") -> CallerNumber:
    """Normalise a caller ID as Asterisk or Twilio gives it (quotes, names and all)."""
    text = (raw or "").strip()[:MAX_RAW]
    if text.strip("\"' ").lower() in WITHHELD_WORDS:
        return CallerNumber(raw=text, e164=None, kind="withheld")
    if "<" in text and ">" in text:  # "Name" <number>
        text = text[text.rindex("<") + 1 : text.rindex(">")]
    digits = _KEEP.sub("", text)
    try:
        num = phonenumbers.parse(digits, region)
    except phonenumbers.NumberParseException:
        return CallerNumber(raw=text, e164=None, kind="invalid")
    if not phonenumbers.is_valid_number(num):
        return CallerNumber(raw=text, e164=None, kind="invalid")
    e164 = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    location = geocoder.description_for_number(num, "zh") or None
    return CallerNumber(raw=raw.strip()[:MAX_RAW], e164=e164, kind=_kind(num), location=location)


def site_for_location(location: str | None, sites) -> str | None:
    """The site whose geocoder names appear in ``location``; None when none or several do."""
    if not location:
        return None
    hits = {s.id for s in sites if any(n in location for n in s.geocoder_names)}
    return hits.pop() if len(hits) == 1 else None


def mask(e164: str | None) -> str:
    """139****2345 style masking for roles that need not see the whole number."""
    if not e164:
        return "未知号码"
    national = e164[3:] if e164.startswith("+86") else e164.lstrip("+")
    if e164.startswith("+86") and not national.startswith("1"):
        national = "0" + national  # landlines keep their trunk prefix: 0851****1234
    if len(national) <= 7:
        return national[:2] + "*" * max(len(national) - 4, 1) + national[-2:]
    keep = 4 if national.startswith("0") else 3
    return national[:keep] + "****" + national[-4:]
