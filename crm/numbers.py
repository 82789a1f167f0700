"""Caller numbers: normalise to E.164 with phonenumbers and guess the caller's site.

The site comes from the number's landline area code when a site lists it (config/sites.toml
``area_codes``), else from the geocoder's place name (``geocoder_names``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType, geocoder

WITHHELD_WORDS = {"", "unknown", "anonymous", "private", "withheld", "restricted", "unavailable"}
_KEEP = re.compile(r"[^0-9+]")
MAX_RAW = 32
CHINA = 86
TRUNK_PREFIX = "0"


class Location(str):
    """The geocoder's description of a number (what agents see and the CRM stores).

    It also remembers the number's landline area code (``0851``; None for mobiles and
    numbers abroad), so that ``site_for_location`` can prefer the site configured for that
    area code over a description that names several cities.
    """

    area_code: str | None

    def __new__(cls, text: str, area_code: str | None = None):
        obj = super().__new__(cls, text)
        obj.area_code = area_code
        return obj

    def __reduce__(self):
        return (Location, (str(self), self.area_code))


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

    @property
    def area_code(self) -> str | None:
        return getattr(self.location, "area_code", None)


def _kind(num: phonenumbers.PhoneNumber) -> str:
    t = phonenumbers.number_type(num)
    if t == PhoneNumberType.MOBILE:
        return "mobile"
    if t in (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        return "fixed_line"
    return "other"


def _area_code(num: phonenumbers.PhoneNumber) -> str | None:
    """A Chinese landline's area code with its trunk prefix (0851); None otherwise."""
    if num.country_code != CHINA:
        return None
    length = phonenumbers.length_of_geographical_area_code(num)
    if length <= 0:
        return None
    return TRUNK_PREFIX + phonenumbers.national_significant_number(num)[:length]


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
    text = geocoder.description_for_number(num, "zh")
    location = Location(text, _area_code(num)) if text else None
    return CallerNumber(raw=raw.strip()[:MAX_RAW], e164=e164, kind=_kind(num), location=location)


def site_for_location(location: str | None, sites) -> str | None:
    """The caller's site: the one listing the number's area code (a ``Location`` from
    ``normalize`` carries it), else the one whose geocoder names appear in ``location``;
    None when no site or several sites match."""
    if not location:
        return None
    by_code = _site_for_area_code(getattr(location, "area_code", None), sites)
    if by_code is not None:
        return by_code
    hits = {s.id for s in sites if any(n in location for n in s.geocoder_names)}
    return hits.pop() if len(hits) == 1 else None


def _site_for_area_code(code: str | None, sites) -> str | None:
    if not code:
        return None
    return next((s.id for s in sites if code in s.area_codes), None)


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
