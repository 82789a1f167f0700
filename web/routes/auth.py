"""Logging in and out: the login page, the JSON login for API clients, and /api/me.

The login form is a CSRF target even without a session (a forged post would log the
browser in as someone else), so it carries a signed double-submit token (web/citizen/csrf.py,
purpose LOGIN) and refuses what the browser marks as cross-site. The JSON login needs no
token: a browser cannot send a cross-site ``application/json`` post without a CORS
preflight, which this app never grants; it still refuses a foreign ``Origin``.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from crm.errors import AuthFailed
from crm.users import authenticate
from web.access import SESSION_COOKIE, cross_site
from web.citizen import csrf
from web.deps import StateDep, UserDep
from web.errors import CsrfFailed, RateLimited
from web.pages import render
from web.routes.seat import end_seat_session
from web.schemas import LoginIn, LoginOut, Message, UserOut
from web.sessions import SessionUser

log = logging.getLogger("hotline.web.auth")
router = APIRouter()
MAX_FIELD = 256
LOGIN_PATH = "/login"
LOGIN_CSRF_COOKIE = "login_csrf"
STALE_FORM = "页面已过期或来源不明，请刷新页面后重新登录。"
FOREIGN_ORIGIN = "请求来源不明 (cross-site login refused)"


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def login(state, username: str, password: str, ip: str) -> tuple[str, SessionUser]:
    """Count the attempt against the rate limit, then check the password; (token, session)."""
    wait = state.limiter.acquire(username, ip)
    if wait:
        raise RateLimited(f"登录失败次数过多，请 {wait} 秒后再试 (too many failed logins)",
                          retry_after=wait)
    try:
        with state.ctx.sessions() as db:
            user = authenticate(db, username, password)
    except AuthFailed:
        log.info("failed login for %r from %s", username[:64], ip)  # never the password
        raise AuthFailed("用户名或密码错误 (wrong username or password)") from None
    state.limiter.succeeded(username, ip)
    log.info("login %s (%s) from %s", user.username, user.role, ip)
    return state.sessions.create(user)


def set_cookie(state, response: Response, token: str) -> None:
    secure = _secure(state)
    response.set_cookie(SESSION_COOKIE, token, max_age=state.sessions.ttl, httponly=True,
                        samesite="strict", secure=secure, path="/")


def _secure(state) -> bool:
    return state.ctx.settings.public_base_url.startswith("https://")


def _secret(state) -> str:
    return state.ctx.settings.secret_key.get_secret_value()


def user_out(user: SessionUser) -> UserOut:
    return UserOut(user_id=user.user_id, username=user.username, display_name=user.display_name,
                   role=user.role, department_id=user.department_id, site_id=user.site_id,
                   agent_id=user.agent_id)


@router.post("/api/auth/login", summary="Log in; returns a bearer token and sets the cookie")
def api_login(body: LoginIn, request: Request, response: Response, state: StateDep) -> LoginOut:
    if cross_site(request, state.ctx.settings.public_base_url):
        raise CsrfFailed(FOREIGN_ORIGIN)
    token, user = login(state, body.username, body.password, client_ip(request))
    set_cookie(state, response, token)
    return LoginOut(token=token, csrf_token=user.csrf, user=user_out(user))


@router.post("/api/auth/logout", summary="End this session everywhere")
def api_logout(user: UserDep, request: Request, response: Response, state: StateDep) -> Message:
    state.sessions.delete(user)
    end_seat_session(request, state, user)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return Message(message="已退出")


@router.get("/api/me", summary="Who is logged in")
def me(user: UserDep) -> UserOut:
    return user_out(user)


def _login_page(request: Request, state, *, status: int = 200, error: str | None = None):
    """The login form with a CSRF token, the same one in its cookie (kept while valid)."""
    token = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not csrf.valid(_secret(state), token, csrf.LOGIN):
        token = csrf.issue(_secret(state), csrf.LOGIN)
    response = render(request, "login.html", user=None, error=error, status=status,
                      csrf_token=token)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=_secure(state), path=LOGIN_PATH)
    return response


def _form_forged(request: Request, state, submitted: str) -> bool:
    if cross_site(request, state.ctx.settings.public_base_url):
        return True
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    return not csrf.check(_secret(state), cookie, submitted, csrf.LOGIN)


@router.get(LOGIN_PATH, include_in_schema=False)
def login_page(request: Request, state: StateDep):
    return _login_page(request, state)


@router.post(LOGIN_PATH, include_in_schema=False)
def login_form(request: Request, state: StateDep,
               username: Annotated[str, Form(max_length=MAX_FIELD)] = "",
               password: Annotated[str, Form(max_length=MAX_FIELD)] = "",
               csrf_token: Annotated[str, Form(max_length=MAX_FIELD)] = ""):
    if _form_forged(request, state, csrf_token):
        log.info("refused a login form without a valid token from %s", client_ip(request))
        return _login_page(request, state, status=403, error=STALE_FORM)
    try:
        token, _ = login(state, username, password, client_ip(request))
    except (AuthFailed, RateLimited) as exc:
        status = 429 if isinstance(exc, RateLimited) else 401
        return _login_page(request, state, status=status, error=exc.message)
    response = RedirectResponse("/", status_code=303)
    set_cookie(state, response, token)
    return response


@router.post("/logout", include_in_schema=False)
def logout_form(user: UserDep, request: Request, state: StateDep):
    state.sessions.delete(user)
    end_seat_session(request, state, user)
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
