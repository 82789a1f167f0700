"""Admin: staff accounts (passwords stored as argon2 hashes by crm.users).

Disabling an account, changing its role, department or site, or resetting its password
ends every session it has open (web.sessions.SessionStore.revoke_user), after the change commits.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request
from pydantic import Field
from sqlalchemy import select

from crm import audit
from crm.enums import Role
from crm.errors import InvalidInput, NotFound
from crm.models import AgentProfile, User
from crm.users import add_user, hash_password, set_agent_profile
from web.routes.seat import apply_seats
from web.deps import StateDep, UserDep, actor_of
from web.schemas import CODE, DIGITS, In, NewUserIn
from web.sessions import SessionUser

router = APIRouter(prefix="/api", tags=["admin"])
MAX_LEVEL = 9
UPDATE_EVENT = "user_update"
# Changes that alter what an account may do or see: they end its open sessions.
REVOKING = frozenset({"active", "role", "department_id", "site_id"})
PASSWORD_EVENT = "user_password_reset"


class UserChangeIn(In):
    """Fields to change; those left out stay as they are."""

    active: bool | None = None
    role: Literal["agent", "supervisor", "department", "admin"] | None = None
    display_name: str | None = Field(default=None, min_length=1, max_length=64)
    department_id: str | None = Field(default=None, pattern=CODE)
    site_id: str | None = Field(default=None, pattern=CODE)
    extension: str | None = Field(default=None, pattern=DIGITS)


class PasswordIn(In):
    password: str = Field(min_length=8, max_length=256)


def _user_out(u: User) -> dict:
    return {"user_id": u.id, "username": u.username, "display_name": u.display_name,
            "role": u.role, "department_id": u.department_id or "", "site_id": u.site_id or "",
            "active": u.active}


@router.get("/users", summary="Staff accounts")
def users(state: StateDep) -> dict:
    with state.ctx.sessions() as db:
        return {"items": [_user_out(u) for u in db.scalars(select(User).order_by(User.id))]}


def _check(body: NewUserIn, cfg) -> None:
    if body.department_id and body.department_id not in cfg.departments:
        raise InvalidInput(f"未知的承办单位 {body.department_id!r}")
    if body.site_id and body.site_id not in cfg.sites:
        raise InvalidInput(f"未知的地区 {body.site_id!r}")
    bad = [k for k, v in body.skills.items() if k not in cfg.lines or not 1 <= v <= MAX_LEVEL]
    if bad:
        raise InvalidInput(f"技能有误 {', '.join(bad)} (unknown line or level not 1-9)")
    if body.role == "agent" and not body.extension:
        raise InvalidInput("坐席需要分机号 (an agent needs an extension)")


def _take_extension(db, user: User, extension: str, site_id: str, skills: dict) -> None:
    holder = db.scalar(select(AgentProfile).where(AgentProfile.extension == extension))
    if holder is not None and holder.user_id != user.id:
        raise InvalidInput(f"分机 {extension} 已被占用", extension=extension)
    set_agent_profile(db, user, extension, site_id, skills)


@router.post("/users", summary="Create a staff account", status_code=201)
def create_user(body: NewUserIn, request: Request, state: StateDep) -> dict:
    cfg = state.operator
    _check(body, cfg)
    with state.ctx.sessions.begin() as db:
        user = add_user(db, body.username, body.password, body.role,
                        display_name=body.display_name, department_id=body.department_id,
                        site_id=body.site_id)
        if body.role == "agent":
            _take_extension(db, user, body.extension, body.site_id or cfg.province.id,
                            body.skills or {cfg.queue.general_line: 1})
        out = _user_out(user)
    apply_seats(request)  # a new agent's seat reaches Asterisk at once
    return out


UserId = Annotated[int, Path(ge=1, le=2**63 - 1, description="A user's id")]


def _account(db, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise NotFound("没有这个账号 (no such user)", user_id=user_id)
    return user


def _changes(body: UserChangeIn, user: User, me: SessionUser) -> dict:
    """The fields that really change; refuses changes an admin may not make to themself."""
    wanted = body.model_dump(exclude_none=True, exclude={"extension"})
    changes = {k: v for k, v in wanted.items() if getattr(user, k) != v}
    if user.id == me.user_id and {"active", "role"} & changes.keys():
        raise InvalidInput("不能停用自己的账号或更改自己的角色 (ask another admin)")
    return changes


def _check_change(db, user: User, body: UserChangeIn, cfg) -> None:
    """The account as changed must still be whole (a unit for a department, a seat for an agent)."""
    if user.department_id and user.department_id not in cfg.departments:
        raise InvalidInput(f"未知的承办单位 {user.department_id!r}")
    if user.site_id and user.site_id not in cfg.sites:
        raise InvalidInput(f"未知的地区 {user.site_id!r}")
    if user.role == Role.DEPARTMENT and not user.department_id:
        raise InvalidInput("承办单位账号需要所属单位 (a department handler needs a department)")
    profile = db.get(AgentProfile, user.id)
    if body.extension:
        skills = profile.skills if profile else {cfg.queue.general_line: 1}
        _take_extension(db, user, body.extension, user.site_id or cfg.province.id, skills)
    elif user.role == Role.AGENT and profile is None:
        raise InvalidInput("坐席需要分机号 (an agent needs an extension)")


@router.patch("/users/{user_id}", summary="Change a staff account; ends its sessions")
def change_user(user_id: UserId, body: UserChangeIn, request: Request, me: UserDep,
                state: StateDep) -> dict:
    with state.ctx.sessions.begin() as db:
        user = _account(db, user_id)
        changes = _changes(body, user, me)
        for field, value in changes.items():
            setattr(user, field, value)
        _check_change(db, user, body, state.operator)
        if changes or body.extension:
            audit.record(db, actor_of(me), UPDATE_EVENT, None, user_id=user.id,
                         fields=",".join(sorted(changes)))
        out = _user_out(user)
    if REVOKING & changes.keys():
        state.sessions.revoke_user(user_id)
    apply_seats(request)  # disabled, re-enabled or a new extension: the seats follow
    return out


@router.post("/users/{user_id}/password", summary="Set a new password; ends the account's sessions")
def reset_password(user_id: UserId, body: PasswordIn, me: UserDep, state: StateDep) -> dict:
    with state.ctx.sessions.begin() as db:
        user = _account(db, user_id)
        user.password_hash = hash_password(body.password)
        audit.record(db, actor_of(me), PASSWORD_EVENT, None, user_id=user.id)
        out = _user_out(user)
    keep = me.session_id if user_id == me.user_id else ""
    state.sessions.revoke_user(user_id, keep=keep)
    return out
