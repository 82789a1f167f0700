"""Logging in and out: the login page, the JSON login for API clients, and /api/me."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from crm.errors import AuthFailed
from crm.users import authenticate
from web.access import SESSION_COOKIE
from web.deps import StateDep, UserDep
from web.errors import RateLimited
from web.pages import render
from web.schemas import LoginIn, LoginOut, Message, UserOut
from web.sessions import SessionUser

log = logging.getLogger("hotline.web.auth")
router = APIRouter()
MAX_FIELD = 256


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def login(state, username: str, password: str, ip: str) -> tuple[str, SessionUser]:
    """Check the rate limit, then the password; return (token, session)."""
    wait = state.limiter.retry_after(username, ip)
    if wait:
        raise RateLimited(f"登录失败次数过多，请 {wait} 秒后再试 (too many failed logins)",
                          retry_after=wait)
    try:
        with state.ctx.sessions() as db:
            user = authenticate(db, username, password)
    except AuthFailed:
        state.limiter.failed(username, ip)
        log.info("failed login for %r from %s", username[:64], ip)  # never the password
        raise AuthFailed("用户名或密码错误 (wrong username or password)") from None
    state.limiter.succeeded(username)
    log.info("login %s (%s) from %s", user.username, user.role, ip)
    return state.sessions.create(user)


def set_cookie(state, response: Response, token: str) -> None:
    secure = state.ctx.settings.public_base_url.startswith("https://")
    response.set_cookie(SESSION_COOKIE, token, max_age=state.sessions.ttl, httponly=True,
                        samesite="strict", secure=secure, path="/")


def user_out(user: SessionUser) -> UserOut:
    return UserOut(user_id=user.user_id, username=user.username, display_name=user.display_name,
                   role=user.role, department_id=user.department_id, site_id=user.site_id,
                   agent_id=user.agent_id)


@router.post("/api/auth/login", summary="Log in; returns a bearer token and sets the cookie")
def api_login(body: LoginIn, request: Request, response: Response, state: StateDep) -> LoginOut:
    token, user = login(state, body.username, body.password, client_ip(request))
    set_cookie(state, response, token)
    return LoginOut(token=token, csrf_token=user.csrf, user=user_out(user))


@router.post("/api/auth/logout", summary="End this session everywhere")
def api_logout(user: UserDep, response: Response, state: StateDep) -> Message:
    state.sessions.delete(user)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return Message(message="已退出")


@router.get("/api/me", summary="Who is logged in")
def me(user: UserDep) -> UserOut:
    return user_out(user)


@router.get("/login", include_in_schema=False)
def login_page(request: Request):
    return render(request, "login.html", user=None)


@router.post("/login", include_in_schema=False)
def login_form(request: Request, state: StateDep,
               username: Annotated[str, Form(max_length=MAX_FIELD)] = "",
               password: Annotated[str, Form(max_length=MAX_FIELD)] = ""):
    try:
        token, _ = login(state, username, password, client_ip(request))
    except (AuthFailed, RateLimited) as exc:
        status = 429 if isinstance(exc, RateLimited) else 401
        return render(request, "login.html", user=None, error=exc.message, status=status)
    response = RedirectResponse("/", status_code=303)
    set_cookie(state, response, token)
    return response


@router.post("/logout", include_in_schema=False)
def logout_form(user: UserDep, state: StateDep):
    state.sessions.delete(user)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
