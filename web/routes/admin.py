"""Admin: staff accounts (passwords stored as argon2 hashes by crm.users)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import select

from crm.errors import InvalidInput
from crm.models import AgentProfile, User
from crm.users import add_user, set_agent_profile
from web.deps import StateDep
from web.schemas import NewUserIn

router = APIRouter(prefix="/api", tags=["admin"])
MAX_LEVEL = 9


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


@router.post("/users", summary="Create a staff account", status_code=201)
def create_user(body: NewUserIn, state: StateDep) -> dict:
    cfg = state.operator
    _check(body, cfg)
    with state.ctx.sessions.begin() as db:
        user = add_user(db, body.username, body.password, body.role,
                        display_name=body.display_name, department_id=body.department_id,
                        site_id=body.site_id)
        if body.role == "agent":
            if db.scalar(select(AgentProfile).where(AgentProfile.extension == body.extension)):
                raise InvalidInput(f"分机 {body.extension} 已被占用", extension=body.extension)
            set_agent_profile(db, user, body.extension, body.site_id or cfg.province.id,
                              body.skills or {cfg.queue.general_line: 1})
        return _user_out(user)
