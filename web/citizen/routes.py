"""Public citizen pages under /citizen: submit a request, look up one's own case."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from crm.case_numbers import PREFIX as CASE_PREFIX
from crm.case_numbers import from_keypad
from crm.citizen import CITIZEN_REQUEST_TYPES, CitizenRequest, lookup_case, submit_request
from crm.errors import InvalidInput
from web.citizen import csrf, ratelimit
from web.citizen.labels import FIELD_ERRORS, STATUS_LABELS, local_time, rating_label

HERE = Path(__file__).resolve().parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))
CSS = (HERE / "static" / "citizen.css").read_text(encoding="utf-8")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
FormStr = Annotated[str, Form()]
MAX_CASE_INPUT = 40
KEYPAD_DIGITS = 14  # a case number without its prefix and dashes, as typed on a keypad
# Spaces and dashes citizens type inside a case number (after NFKC, which maps full-width ones).
CASE_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212\u30fc]")

router = APIRouter(prefix="/citizen", tags=["citizen"])


@dataclass
class CitizenDeps:
    """What the pages need from the process: settings, operator data, database, Redis."""

    settings: object
    operator: object
    sessions: object
    redis: object

    @property
    def secret(self) -> str:
        return self.settings.secret_key.get_secret_value()

    @property
    def secure_cookies(self) -> bool:
        return self.settings.public_base_url.startswith("https://")


def install(app, ctx) -> None:
    """Give the pages the process's context (called once by web.app.create_app)."""
    app.state.citizen = CitizenDeps(ctx.settings, ctx.operator, ctx.sessions, ctx.redis)


def _deps(request: Request) -> CitizenDeps:
    return request.app.state.citizen


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    deps = _deps(request)
    token = request.cookies.get(csrf.COOKIE)
    if not csrf.valid(deps.secret, token):
        token = csrf.issue(deps.secret)
    response = TEMPLATES.TemplateResponse(
        request, name, {"csrf_token": token, "csrf_field": csrf.FIELD, **context},
        status_code=status, headers=SECURITY_HEADERS,
    )
    response.set_cookie(csrf.COOKIE, token, httponly=True, samesite="strict",
                        secure=deps.secure_cookies, path=router.prefix)
    return response


def _form_context(deps: CitizenDeps, values: dict | None = None, errors: dict | None = None):
    op = deps.operator
    return {
        "categories": list(op.categories.values()),
        "sites": list(op.sites.values()),
        "request_types": [op.request_types[r] for r in CITIZEN_REQUEST_TYPES
                          if r in op.request_types],
        "values": values or {},
        "errors": {k: FIELD_ERRORS.get(v, "填写有误") for k, v in (errors or {}).items()},
    }


def _refuse(request: Request, status: int, message: str) -> HTMLResponse:
    return _render(request, "refused.html", status=status, message=message)


def _csrf_ok(request: Request, submitted: str) -> bool:
    return csrf.check(_deps(request).secret, request.cookies.get(csrf.COOKIE), submitted)


@router.get("/static/citizen.css", include_in_schema=False)
def stylesheet() -> Response:
    return Response(CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@router.get("", include_in_schema=False)
def root() -> RedirectResponse:
    return RedirectResponse(router.prefix + "/", status_code=307)


@router.get("/", response_class=HTMLResponse)
def request_form(request: Request) -> HTMLResponse:
    """The form to submit a request (诉求登记)."""
    return _render(request, "form.html", **_form_context(_deps(request)))


@router.post("/submit", response_class=HTMLResponse)
def submit(
    request: Request,
    csrf_token: FormStr = "",
    category: FormStr = "",
    request_type: FormStr = "consultation",
    content: FormStr = "",
    site_id: FormStr = "",
    address: FormStr = "",
    phone: FormStr = "",
) -> HTMLResponse:
    deps = _deps(request)
    if not _csrf_ok(request, csrf_token):
        return _refuse(request, 403, "页面已过期或来源不明，请刷新页面后重新提交。")
    if not ratelimit.hit(deps.redis, ratelimit.SUBMIT_PER_ADDRESS, _client(request)):
        return _refuse(request, 429, "提交过于频繁，请稍后再试。")
    req = CitizenRequest(category=category, content=content, phone=phone, site_id=site_id,
                         address=address, request_type=request_type)
    try:
        with deps.sessions.begin() as session:
            case = submit_request(session, req, deps.operator)
    except InvalidInput as exc:
        values = dict(category=category, request_type=request_type, content=content,
                      site_id=site_id, address=address, phone=phone)
        ctx = _form_context(deps, values, exc.detail.get("fields", {}))
        return _render(request, "form.html", status=422, **ctx)
    return _render(request, "submitted.html", case_number=case.number)


@router.get("/lookup", response_class=HTMLResponse)
def lookup_form(request: Request) -> HTMLResponse:
    """The form to look up a case's progress (进度查询)."""
    return _render(request, "lookup.html", values={}, not_found=False)


@router.post("/lookup", response_class=HTMLResponse)
def lookup(
    request: Request, csrf_token: FormStr = "", case_number: FormStr = "", phone: FormStr = ""
) -> HTMLResponse:
    deps = _deps(request)
    if not _csrf_ok(request, csrf_token):
        return _refuse(request, 403, "页面已过期或来源不明，请刷新页面后重新查询。")
    wanted = case_number.strip()[:MAX_CASE_INPUT]
    number = written_case_number(wanted)
    hits = [(ratelimit.LOOKUP_PER_ADDRESS, _client(request))]
    if number is not None:  # only a well-formed number can find a case: limit guesses on it
        hits.append((ratelimit.LOOKUP_PER_CASE, number))
    if not ratelimit.hit_all(deps.redis, hits):
        return _refuse(request, 429, "查询过于频繁，请稍后再试。")
    with deps.sessions.begin() as session:
        view = lookup_case(session, number or wanted, phone)
    if view is None:
        return _render(request, "lookup.html", status=404, not_found=True,
                       values={"case_number": wanted})
    return _render(request, "case.html", case=view, **_case_labels(deps, view))


def written_case_number(typed: str) -> str | None:
    """A case number however typed (dashes, spaces, full-width digits, keypad form) in its
    one written form 12345-YYYYMMDD-NNNNNN; None when it cannot be one."""
    digits = CASE_SEPARATORS.sub("", unicodedata.normalize("NFKC", typed))
    if not (digits.isascii() and digits.isdigit()):
        return None
    if len(digits) == len(CASE_PREFIX) + KEYPAD_DIGITS and digits.startswith(CASE_PREFIX):
        digits = digits[len(CASE_PREFIX):]
    return from_keypad(digits)


def _case_labels(deps: CitizenDeps, view) -> dict:
    op = deps.operator
    category = op.categories.get(view.category)
    site = op.sites.get(view.site_id) if view.site_id else None
    rtype = op.request_types.get(view.request_type)
    return {
        "status_label": STATUS_LABELS.get(view.status, "办理中"),
        "category_label": category.name if category else view.category,
        "site_label": site.name if site else "",
        "request_type_label": rtype.name if rtype else "",
        "rating_label": rating_label(view.rating),
        "t": local_time,
    }


def public_routes() -> list[str]:
    """"METHOD /path" of every page, for web.access's table.

    All are public: citizens do not log in; CSRF tokens and rate limits protect the forms.
    """
    from web.access import router_routes

    return router_routes(router)
