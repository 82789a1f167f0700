"""Who may call what: the one table of route -> roles, checked on every request.

``create_app`` refuses to start when a route is missing from the table, so a new route
cannot slip through without a decision. Tests walk every route with every role.
Every authenticated request also reads the user's CRM account, so a disabled account or a
changed role takes effect on open sessions at once.
"""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlsplit

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from crm.enums import Role
from crm.models import User
from web.errors import CsrfFailed, Forbidden, NotAuthenticated
from web.sessions import SessionUser, refreshed

PUBLIC = frozenset({"*public*"})  # no login: health, login, static assets
LOOPBACK = frozenset({"*loopback*"})  # /metrics: loopback scrapers, or supervisors/admins
ALL = frozenset(Role)
AGENT = frozenset({Role.AGENT})
SUPERVISION = frozenset({Role.SUPERVISOR, Role.ADMIN})
CASE_READERS = frozenset(Role)
DISPATCHERS = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
DEPARTMENT = frozenset({Role.DEPARTMENT})
ADMIN = frozenset({Role.ADMIN})
WORK_ORDERS = frozenset({Role.DEPARTMENT, Role.SUPERVISOR, Role.ADMIN})

ROUTE_ROLES: dict[str, frozenset] = {
    "GET /healthz": PUBLIC,
    "GET /metrics": LOOPBACK,
    "GET /openapi.json": ALL,
    "GET /docs": ALL,
    "GET /login": PUBLIC,
    "POST /login": PUBLIC,
    "POST /logout": ALL,
    "GET /": ALL,
    "GET /agent": AGENT,
    "GET /wallboard": SUPERVISION,
    "GET /department": DEPARTMENT,
    "POST /api/auth/login": PUBLIC,
    "POST /api/auth/logout": ALL,
    "GET /api/me": ALL,
    "GET /api/reference": ALL,
    "GET /api/telephony": ALL,
    "GET /api/agent/seat": AGENT,
    "POST /api/seats/{extension}/reset": ADMIN,
    "GET /testphone": SUPERVISION,  # trainers call the hotline as a citizen (web/routes/testphone.py)
    "GET /api/testphone/seat": SUPERVISION,
    "GET /api/dispatch/suggestion": DISPATCHERS,
    "POST /api/agent/login": AGENT,
    "POST /api/agent/ready": AGENT,
    "POST /api/agent/pause": AGENT,
    "POST /api/agent/logout": AGENT,
    "GET /api/agent/state": AGENT,
    "POST /api/agent/accept": AGENT,
    "POST /api/agent/hangup": AGENT,
    "POST /api/agent/transfer": AGENT,
    "GET /api/agent/events": AGENT,
    "POST /api/cases": AGENT,
    "GET /api/cases": CASE_READERS,
    "GET /api/cases/{number}": CASE_READERS,
    "POST /api/cases/{number}/resolve": AGENT,
    "POST /api/cases/{number}/dispatch": DISPATCHERS,
    "GET /api/wallboard/snapshot": SUPERVISION,
    "GET /api/wallboard/history": SUPERVISION,
    "GET /api/wallboard/events": SUPERVISION,
    "GET /api/agents": SUPERVISION,
    "POST /api/agents/{agent_id}/pause": SUPERVISION,
    "POST /api/agents/{agent_id}/logout": SUPERVISION,
    "POST /api/agents/{agent_id}/spy": SUPERVISION,
    "GET /api/users": ADMIN,
    "POST /api/users": ADMIN,
    "PATCH /api/users/{user_id}": ADMIN,
    "POST /api/users/{user_id}/password": ADMIN,
    "GET /api/floor": ALL,
    # Work orders (web/routes/workorders.py, oversight.py, kpi.py, knowledge.py).
    "GET /supervision": SUPERVISION,
    "GET /kpi": SUPERVISION,
    "GET /knowledge": SUPERVISION,
    "GET /api/workorders": WORK_ORDERS,
    "GET /api/workorders/{number}": WORK_ORDERS,
    "POST /api/workorders/{number}/sign": DEPARTMENT,
    "POST /api/workorders/{number}/start": DEPARTMENT,
    "POST /api/workorders/{number}/reply": DEPARTMENT,
    "POST /api/workorders/{number}/extension": DEPARTMENT,
    "POST /api/workorders/{number}/return": DEPARTMENT,
    "POST /api/workorders/{number}/review": SUPERVISION,
    "POST /api/workorders/{number}/extension/approve": SUPERVISION,
    "POST /api/workorders/{number}/extension/refuse": SUPERVISION,
    "POST /api/workorders/{number}/survey": SUPERVISION,
    "POST /api/workorders/{number}/rating": SUPERVISION,
    "POST /api/workorders/{number}/close": SUPERVISION,
    "POST /api/workorders/{number}/reopen": SUPERVISION,
    "POST /api/workorders/{number}/redispatch": SUPERVISION,
    "GET /api/supervision": WORK_ORDERS,
    "POST /api/supervision/sweep": SUPERVISION,
    "GET /api/kpi": SUPERVISION,
    "GET /api/kpi.csv": SUPERVISION,
    "GET /api/kb": ALL,
    "GET /api/kb/{article_id}": ALL,
    "POST /api/kb": SUPERVISION,
    "PUT /api/kb/{article_id}": SUPERVISION,
    # Twilio webhooks: no login; every one checks X-Twilio-Signature (web/twilio/signature.py).
    "POST /twilio/voice": PUBLIC,
    "POST /twilio/voice/digits": PUBLIC,
    "POST /twilio/voice/wait": PUBLIC,
    "POST /twilio/voice/agent-answered": PUBLIC,
    "POST /twilio/voice/dialed": PUBLIC,
    "POST /twilio/voice/status": PUBLIC,
    "POST /twilio/voice/callback-status": PUBLIC,
    "POST /twilio/sms": PUBLIC,
    # Citizen pages: no login; CSRF tokens and rate limits protect the forms.
    "GET /citizen": PUBLIC,
    "GET /citizen/": PUBLIC,
    "GET /citizen/lookup": PUBLIC,
    "POST /citizen/lookup": PUBLIC,
    "POST /citizen/submit": PUBLIC,
    "GET /citizen/static/citizen.css": PUBLIC,
}

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_COOKIE = "hotline_session"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
CROSS_SITE = "cross-site"
WEB_SCHEMES = ("http", "https")


def route_key(method: str, path: str) -> str:
    return f"{method} {path}"


def iter_routes(app):
    """(method, path) of every endpoint, included routers flattened; HEAD left out."""
    for route in app.routes:
        inner = route.effective_route_contexts() if hasattr(route, "effective_route_contexts") \
            else [route]
        for r in inner:
            for method in sorted(getattr(r, "methods", None) or ()):
                if method != "HEAD":
                    yield method, r.path


def router_routes(router) -> list[str]:
    """"METHOD /path" of every endpoint of one router (under its prefix)."""
    from fastapi import FastAPI

    app = FastAPI()
    app.include_router(router)
    return sorted(f"{m} {p}" for m, p in iter_routes(app) if p.startswith(router.prefix))


def missing_routes(app) -> list[str]:
    """Routes of ``app`` the table says nothing about (must be empty)."""
    return [route_key(m, p) for m, p in iter_routes(app) if route_key(m, p) not in ROUTE_ROLES]


def _token(request: Request) -> tuple[str | None, bool]:
    """(token, came from the cookie)."""
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip(), False
    return request.cookies.get(SESSION_COOKIE), True


def is_loopback(request: Request) -> bool:
    if request.headers.get("x-forwarded-for") or request.client is None:
        return False
    try:
        return ipaddress.ip_address(request.client.host).is_loopback
    except ValueError:
        return False


async def authorize(request: Request) -> SessionUser | None:
    """The app-wide dependency: authenticate, check CSRF, check the route's roles."""
    route = request.scope.get("route")
    roles = ROUTE_ROLES[route_key(request.method, route.path)]
    if roles is PUBLIC:
        return None
    if roles is LOOPBACK and is_loopback(request):
        return None
    await _read_form_csrf(request)
    user = await run_in_threadpool(current_user, request)  # Redis and a CRM read
    if roles is LOOPBACK:
        roles = SUPERVISION
    if user.role not in roles:
        raise Forbidden("无权访问 (your role may not do this)", role=user.role)
    return user


def current_user(request: Request) -> SessionUser:
    cached = getattr(request.state, "user", None)
    if cached is not None:
        return cached
    token, from_cookie = _token(request)
    user = request.app.state.web.sessions.load(token) if token else None
    if user is not None:
        user = _as_account_stands(request, user)
    if user is None:
        raise NotAuthenticated("请先登录 (not logged in)")
    if from_cookie and request.method not in SAFE_METHODS:
        _check_csrf(request, user)
    request.state.user = user
    return user


async def _read_form_csrf(request: Request) -> None:
    ctype = request.headers.get("content-type", "")
    if request.method in SAFE_METHODS or not ctype.startswith(FORM_TYPES):
        return
    form = await request.form()
    value = form.get(CSRF_FIELD)
    request.state.form_csrf = value if isinstance(value, str) else None


def _check_csrf(request: Request, user: SessionUser) -> None:
    sent = request.headers.get(CSRF_HEADER) or getattr(request.state, "form_csrf", None)
    if not sent or not hmac.compare_digest(sent.encode(), user.csrf.encode()):
        raise CsrfFailed("CSRF 校验失败，请刷新页面 (missing or wrong CSRF token)")


def _as_account_stands(request: Request, user: SessionUser) -> SessionUser | None:
    """The session with the account's current role; None once the account is disabled."""
    with request.app.state.web.ctx.sessions() as db:
        return refreshed(user, db.get(User, user.user_id))


def cross_site(request: Request, public_base_url: str) -> bool:
    """True when the browser says the request comes from another site.

    ``Sec-Fetch-Site: cross-site`` says so; so does an ``Origin`` that is neither this
    host nor the configured public URL (``null`` included). Clients that send neither,
    such as scripts using the JSON API, are not cross-site.
    """
    if request.headers.get("sec-fetch-site", "").strip().lower() == CROSS_SITE:
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    parts = urlsplit(origin.strip().lower())
    own = {urlsplit(public_base_url.lower()).netloc, request.headers.get("host", "").lower()}
    return parts.scheme not in WEB_SCHEMES or not parts.netloc or parts.netloc not in own
