"""Render the seats' PJSIP objects (pure): endpoint, auth and aor per extension, and the
trainers' test phones (a citizen's line into [hotline-inbound], never the agents' context).

The generated file holds only ``md5_cred`` (MD5 of ``user:realm:password``), never the
password itself; the password lives in Redis and reaches the browser over the
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
# One registration per seat: a second phone's REGISTER gets 403 while the first is
# registered (max_contacts 1, remove_existing no), so no device takes a seat silently.
# A contact that stops answering OPTIONS (qualify) is unavailable and may be replaced
# (remove_unavailable); one that was never unregistered expires within
# REGISTRATION_MAX_EXPIRY_S (phones asking for longer are granted this).
REGISTRATION_MAX_EXPIRY_S = 120
REGISTRATION_MIN_EXPIRY_S = 60
SEAT_AOR_OPTIONS = (
    "max_contacts = 1\nremove_existing = no\nremove_unavailable = yes\n"
    f"default_expiration = {REGISTRATION_MAX_EXPIRY_S}\n"
    f"maximum_expiration = {REGISTRATION_MAX_EXPIRY_S}\n"
    f"minimum_expiration = {REGISTRATION_MIN_EXPIRY_S}\n"
)
# Test phones: "testphone-<user id>", calling from a fixed test number (a Guiyang landline,
# so the call is routed like a local citizen's).
TESTPHONE_PREFIX = "testphone-"
TESTPHONE_TEMPLATE = "testphone-webrtc"
TESTPHONE_CONTEXT = "hotline-inbound"
TESTPHONE_NUMBER = "085112345678"
TESTPHONE_NAME_PREFIX = "测试话机"
MAX_CALLER_NAME = 40
_NAME_UNSAFE_RE = re.compile(r"[\"<>;\[\]\\\x00-\x1f\x7f]")
TESTPHONE_TEMPLATE_TEXT = (
    f"; Test phones (/testphone): browsers of admins and supervisors calling the hotline\n"
    f"; as a citizen would. Their calls land in [{TESTPHONE_CONTEXT}] with the dialled\n"
    f"; number as EXTEN; they never reach the agents' context and never register.\n"
    f"[{TESTPHONE_TEMPLATE}](!)\ntype = endpoint\ncontext = {TESTPHONE_CONTEXT}\n"
    "webrtc = yes\ndtls_auto_generate_cert = yes\ndisallow = all\nallow = opus,alaw,ulaw\n"
    "direct_media = no\ndtmf_mode = rfc4733\nrtp_symmetric = yes\nforce_rport = yes\n"
    "rewrite_contact = yes\nlanguage = zh\n\n"
)
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


@dataclass(frozen=True)
class TestPhone:
    """A trainer's browser test phone: calls into the hotline as ``caller_name``."""

    __test__ = False  # a name pytest would otherwise take for a test class
    user_id: int
    password: str
    caller_name: str = ""
    caller_number: str = TESTPHONE_NUMBER

    @property
    def username(self) -> str:
        return testphone_username(self.user_id)


def testphone_username(user_id: int) -> str:
    return f"{TESTPHONE_PREFIX}{int(user_id)}"


def md5_cred(username: str, password: str, realm: str = REALM) -> str:
    return hashlib.md5(f"{username}:{realm}:{password}".encode()).hexdigest()  # noqa: S324 - SIP digest


def _auth(name: str, password: str) -> str:
    return (f"[{name}](agent-auth)\nusername = {name}\nrealm = {REALM}\n"
            f"md5_cred = {md5_cred(name, password)}\n\n")


def render_seat(seat: Seat) -> str:
    if not EXTENSION_RE.fullmatch(seat.extension):
        raise SeatError(f"extension {seat.extension!r}: 2-16 ASCII digits")
    ext, template = seat.extension, WEBRTC_TEMPLATE if seat.webrtc else UDP_TEMPLATE
    return (f"[{ext}]({template})\nauth = {ext}\naors = {ext}\n\n" + _auth(ext, seat.password)
            + f"[{ext}](agent-aor)\n{SEAT_AOR_OPTIONS}\n")


def caller_name(display_name: str) -> str:
    """``测试话机 <name>``: the caller ID name, without characters that end a conf value."""
    name = _NAME_UNSAFE_RE.sub("", display_name or "").strip()
    return f"{TESTPHONE_NAME_PREFIX} {name}"[:MAX_CALLER_NAME].strip()


def render_testphone(phone: TestPhone) -> str:
    if not EXTENSION_RE.fullmatch(phone.caller_number):
        raise SeatError(f"test number {phone.caller_number!r}: 2-16 ASCII digits")
    name = phone.username
    return (f"[{name}]({TESTPHONE_TEMPLATE})\nauth = {name}\n"
            f"callerid = \"{caller_name(phone.caller_name)}\" <{phone.caller_number}>\n\n"
            + _auth(name, phone.password))


def render_seats(seats: list[Seat], testphones: list[TestPhone] = ()) -> str:
    """The whole include file: seats in extension order, then the test phones."""
    text = HEADER + "\n" + "".join(render_seat(s) for s in sorted(seats, key=lambda s: s.extension))
    if testphones:
        text += TESTPHONE_TEMPLATE_TEXT + "".join(
            render_testphone(p) for p in sorted(testphones, key=lambda p: p.user_id))
    return text
