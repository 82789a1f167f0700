"""The agent's SIP seat for the browser phone: credentials after login, resets by admins.

The password is handed out only here, to the signed-in agent whose profile holds the
extension, with ``Cache-Control: no-store``; it is never logged.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from crm.enums import Role
from crm.errors import InvalidInput, NotFound
from crm.models import AgentProfile
from seats.render import REALM, testphone_username
from seats.store import SeatSecrets
from seats.sync import TESTPHONE_ROLES
from web.deps import StateDep, UserDep

router = APIRouter(prefix="/api", tags=["seat"])


def seat_sync(request: Request):
    """The app's seats.sync.SeatSync writing into Asterisk, or None (no Asterisk here)."""
    return getattr(request.app.state, "seat_sync", None)


def apply_seats(request: Request) -> None:
    sync = seat_sync(request)
    if sync is not None:
        sync.apply()


def rotate_seat(request: Request, state, extension: str) -> None:
    """A new password for ``extension`` (logout, admin reset), then Asterisk is told."""
    SeatSecrets(state.ctx.redis).rotate(extension)
    apply_seats(request)


def end_seat_session(request: Request, state, user) -> None:
    """A user logging out of the web: the SIP password they were handed is rotated (an
    agent's seat, a trainer's test phone), so a phone left registered elsewhere with the old
    one cannot register again."""
    if user.role in TESTPHONE_ROLES:
        rotate_seat(request, state, testphone_username(user.user_id))
        return
    if user.role != Role.AGENT:
        return
    with state.ctx.sessions() as db:
        ext = db.scalar(select(AgentProfile.extension).where(AgentProfile.user_id == user.user_id))
    if ext is not None:
        rotate_seat(request, state, ext)


def _extension_of(state, user_id: int) -> str:
    with state.ctx.sessions() as db:
        ext = db.scalar(select(AgentProfile.extension).where(AgentProfile.user_id == user_id))
    if ext is None:
        raise InvalidInput("该账号没有坐席资料 (no agent profile: ask an admin)")
    return ext


@router.get("/agent/seat", summary="The browser phone's SIP credentials (the agent's own seat)")
def my_seat(request: Request, response: Response, user: UserDep, state: StateDep) -> dict:
    extension = _extension_of(state, user.user_id)
    password, created = SeatSecrets(state.ctx.redis).password_of(extension)
    if created:  # a seat used for the first time reaches Asterisk before it registers
        apply_seats(request)
    s = state.ctx.settings
    response.headers["Cache-Control"] = "no-store"
    return {"extension": extension, "password": password, "realm": REALM,
            "ws_url": s.sip_ws_url, "uri": f"sip:{extension}@{s.sip_domain}"}


@router.post("/seats/{extension}/reset", summary="Give a seat a new SIP password (admin)")
def reset_seat(extension: str, request: Request, state: StateDep) -> dict:
    with state.ctx.sessions() as db:
        known = db.scalar(select(AgentProfile.user_id).where(AgentProfile.extension == extension))
    if known is None:
        raise NotFound(f"没有分机 {extension} (no such seat)")
    rotate_seat(request, state, extension)
    return {"extension": extension, "reset": True}
