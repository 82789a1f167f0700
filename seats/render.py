"""Render the seats' PJSIP objects (pure): endpoint, auth and aor per extension.

The generated file holds only ``md5_cred`` (MD5 of ``user:realm:password``), never the
password itself; the password lives in Redis and reaches the agent's browser over the
authenticated API.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

REALM = "hotline12345"
WEBRTC_TEMPLATE = "agent-webrtc"
UDP_TEMPLATE = "agent-endpoint"
SEATS_FILE = "pjsip_seats.conf"
EXTENSION_RE = re.compile(r"[0-9]{2,16}", re.ASCII)
HEADER = ("; generated from the agent profiles (hotline seats sync); do not edit.\n"
          "; One registration per seat; passwords are not in this file (md5_cred only).\n")


class SeatError(ValueError):
    """A seat cannot be rendered. ``code`` is part of the API: never rename."""

    code = "seat_invalid"


@dataclass(frozen=True)
class Seat:
    extension: str
    password: str
    webrtc: bool = True  # False: a desk phone over plain UDP


def md5_cred(username: str, password: str, realm: str = REALM) -> str:
    return hashlib.md5(f"{username}:{realm}:{password}".encode()).hexdigest()  # noqa: S324 - SIP digest


def render_seat(seat: Seat) -> str:
    if not EXTENSION_RE.fullmatch(seat.extension):
        raise SeatError(f"extension {seat.extension!r}: 2-16 ASCII digits")
    ext, template = seat.extension, WEBRTC_TEMPLATE if seat.webrtc else UDP_TEMPLATE
    return (f"[{ext}]({template})\nauth = {ext}\naors = {ext}\n\n"
            f"[{ext}](agent-auth)\nusername = {ext}\nrealm = {REALM}\n"
            f"md5_cred = {md5_cred(ext, seat.password)}\n\n"
            f"[{ext}](agent-aor)\n\n")


def render_seats(seats: list[Seat]) -> str:
    """The whole include file, seats in extension order."""
    return HEADER + "\n" + "".join(render_seat(s) for s in sorted(seats, key=lambda s: s.extension))
