"""The agi_* environment block that opens every AGI conversation."""

from __future__ import annotations

import re

from agi_scripts.protocol import AgiHangup, AgiProtocolError

MAX_ENV_LINES = 256
KEY_RE = re.compile(r"^agi_[a-z0-9_]{1,40}$")
UNKNOWN = "unknown"


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
