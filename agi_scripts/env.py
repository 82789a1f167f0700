"""The agi_* environment block that opens every AGI conversation."""

from __future__ import annotations

import logging
import re

from agi_scripts.protocol import AgiHangup, AgiProtocolError

MAX_ENV_LINES = 256
KEY_RE = re.compile(r"^agi_[a-z0-9_]{1,40}$")
UNKNOWN = "unknown"
log = logging.getLogger("hotline.agi.env")
# Only these are digits on the wire. str.isdigit() and re's \d also accept ٣, ², ３ and more.
ASCII_DIGITS = frozenset("0123456789")
MAX_DNID = 20
MAX_CALLER_ID = 64
# The caller ID recorded when the one sent holds digits other than 0-9 (never a real number).
INVALID_CALLER_ID = "invalid"


def parse_env_line(line: str) -> tuple[str, str]:
    """``key: value`` split on the first ':' (values may be empty or contain ':')."""
    key, sep, value = line.partition(":")
    key, value = key.strip(), value.strip()
    if not sep or not KEY_RE.match(key):
        raise AgiProtocolError(f"not an agi_* line: {line[:80]!r}")
    return key, ("" if value == UNKNOWN else value)


def read_env(readline) -> dict[str, str]:
    """Read lines until the blank one; ``readline`` raises AgiHangup at EOF."""
    env: dict[str, str] = {}
    for _ in range(MAX_ENV_LINES):
        try:
            line = readline()
        except AgiHangup:
            if not env:
                raise  # a port probe: connected and closed without a word
            raise AgiProtocolError("EOF inside the environment block") from None
        if line.strip() == "":
            if not env:
                raise AgiProtocolError("empty environment block")
            return env
        key, value = parse_env_line(line)
        env[key] = value
    raise AgiProtocolError("environment block too long")


def foreign_digits(text: str) -> bool:
    """Whether ``text`` holds a digit that is not 0-9 (Arabic-Indic, superscript, full-width)."""
    return any(ch.isdigit() and ch not in ASCII_DIGITS for ch in text)


def ascii_digits(text: str, limit: int) -> str:
    """The 0-9 digits of ``text``, at most ``limit``; "" when it holds any other digit, so
    that dropping those never turns one number into another."""
    if foreign_digits(text):
        return ""
    return "".join(ch for ch in text if ch in ASCII_DIGITS)[:limit]


def dialled_number(env: dict[str, str]) -> str:
    """The number the citizen dialled (12345, a legacy hotline): agi_dnid, else agi_extension,
    else the script's first argument (the dialplan runs the scripts from a subroutine's s
    extension and passes the dialled number along)."""
    return (ascii_digits(env.get("agi_dnid", ""), MAX_DNID)
            or ascii_digits(env.get("agi_extension", ""), MAX_DNID)
            or ascii_digits(env.get("agi_arg_1", ""), MAX_DNID))


def caller_id(env: dict[str, str]) -> str:
    """agi_callerid as sent, unless it holds digits other than 0-9: normalising such a number
    would keep only some of its digits, so the call is recorded as from an invalid number."""
    raw = env.get("agi_callerid", "")[:MAX_CALLER_ID]
    if foreign_digits(raw):
        log.warning("caller ID %r has digits other than 0-9: recorded as invalid", raw)
        return INVALID_CALLER_ID
    return raw


def script_name(env: dict[str, str]) -> str:
    """The route: agi_network_script without a query ('menu?x=1' -> 'menu'), or agi_request's
    last path part for classic AGI."""
    raw = env.get("agi_network_script") or env.get("agi_request", "").rsplit("/", 1)[-1]
    name = raw.split("?", 1)[0].strip("/").lower()
    return name if re.fullmatch(r"[a-z_]{1,32}", name) else ""


def agi_args(env: dict[str, str]) -> list[str]:
    out, i = [], 1
    while f"agi_arg_{i}" in env:
        out.append(env[f"agi_arg_{i}"])
        i += 1
    return out
