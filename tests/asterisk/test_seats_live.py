"""Seats on the real Asterisk: the generated endpoints load on reload, and a phone registers
with the seat's own password (digest over UDP), a wrong one is refused."""

from __future__ import annotations

import hashlib
import re
import secrets
import socket

import pytest

from crm.enums import Role
from crm.users import add_user, set_agent_profile
from hotline.seat_wiring import SEATS_MODULE
from seats.render import REALM, SEATS_FILE
from seats.store import SeatSecrets
from seats.sync import SeatSync

pytestmark = pytest.mark.asterisk
SIP = ("127.0.0.1", 5060)
EXT = "8801"


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - SIP digest


def _request(sock, port, cseq, call_id, auth=""):
    msg = (f"REGISTER sip:127.0.0.1 SIP/2.0\r\n"
           f"Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK{secrets.token_hex(6)};rport\r\n"
           f"Max-Forwards: 70\r\nFrom: <sip:{EXT}@127.0.0.1>;tag=t{call_id[:6]}\r\n"
           f"To: <sip:{EXT}@127.0.0.1>\r\nCall-ID: {call_id}\r\nCSeq: {cseq} REGISTER\r\n"
           f"Contact: <sip:{EXT}@127.0.0.1:{port}>\r\nExpires: 60\r\n{auth}"
           f"Content-Length: 0\r\n\r\n")
    sock.sendto(msg.encode(), SIP)
    while True:
        reply = sock.recv(65535).decode(errors="replace")
        # Asterisk may qualify the new contact (OPTIONS) before its final answer arrives.
        final = reply.startswith("SIP/2.0 ") and not reply.startswith("SIP/2.0 1")
        if final and f"CSeq: {cseq} REGISTER" in reply:
            return reply


def _register(password: str) -> str:
    """The final status line of a digest REGISTER of the seat with ``password``."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(5)
        port, call_id = sock.getsockname()[1], secrets.token_hex(8)
        challenge = _request(sock, port, 1, call_id)
        assert challenge.startswith("SIP/2.0 401"), challenge
        params = dict(re.findall(r'(\w+)="?([^",\r\n]+)"?', challenge.split("Digest", 1)[1]
                                 .split("\r\n", 1)[0]))
        assert params["realm"] == REALM
        cnonce, uri = secrets.token_hex(4), "sip:127.0.0.1"
        ha1, ha2 = _md5(f"{EXT}:{REALM}:{password}"), _md5(f"REGISTER:{uri}")
        response = _md5(f"{ha1}:{params['nonce']}:00000001:{cnonce}:auth:{ha2}")
        auth = (f'Authorization: Digest username="{EXT}", realm="{REALM}", '
                f'nonce="{params["nonce"]}", uri="{uri}", response="{response}", '
                f'algorithm=MD5, cnonce="{cnonce}", qop=auth, nc=00000001'
                + (f', opaque="{params["opaque"]}"' if "opaque" in params else "") + "\r\n")
        return _request(sock, port, 2, call_id, auth).split("\r\n", 1)[0]


@pytest.fixture
def seat(asterisk, ami, sqlite_sessions, redis_client):
    with sqlite_sessions.begin() as session:
        user = add_user(session, "seat.agent", "agent-password", Role.AGENT, site_id="guiyang")
        set_agent_profile(session, user, EXT, "guiyang", {"general": 1})
    path = asterisk.etc_path(SEATS_FILE)
    reload = lambda: ami.action("ModuleLoad", LoadType="reload", Module=SEATS_MODULE)  # noqa: E731
    sync = SeatSync(sqlite_sessions, redis_client, path=path, reload=reload)
    assert sync.apply()
    yield SeatSecrets(redis_client)
    path.unlink(missing_ok=True)
    reload()


def test_a_generated_seat_is_a_webrtc_endpoint_that_registers_with_its_own_password(asterisk, seat):
    shown = asterisk.cli(f"pjsip show endpoint {EXT}")
    assert f"Endpoint:  {EXT}" in shown, shown
    assert re.search(r"webrtc\s*:\s*(true|yes)", shown), shown
    assert re.search(r"media_encryption\s*:\s*dtls", shown), shown
    assert _register("not-the-password").startswith("SIP/2.0 401")
    assert _register(seat.password(EXT)) == "SIP/2.0 200 OK"
