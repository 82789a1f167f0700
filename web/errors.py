"""Errors of the web edge and the one table mapping every error code to an HTTP status.

Responses are JSON: ``{"error": <code>, "message": <text>, "detail": {...}}``. The codes
are part of the API: never rename one.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from callqueue.errors import QueueError
from config.errors import ConfigError
from crm.errors import CrmError, NotCaseOwner, SupervisorsOnly

log = logging.getLogger("hotline.web")


class WebError(Exception):
    code = "web_error"

    def __init__(self, message: str, **detail):
        super().__init__(message)
        self.message, self.detail = message, detail


class NotAuthenticated(WebError):
    code = "not_authenticated"


class Forbidden(WebError):
    code = "forbidden"


class CsrfFailed(WebError):
    code = "csrf_failed"


class RateLimited(WebError):
    code = "rate_limited"


class TelephonyUnavailable(WebError):
    code = "telephony_unavailable"


class QueueRefused(WebError):
    """The queue did not do what was asked (e.g. the call was no longer offered)."""

    code = "queue_refused"


class NotAnAgent(WebError):
    code = "agent_not_logged_in"


# code -> HTTP status. Unknown codes of domain errors fall back to 400.
STATUS_OF: dict[str, int] = {
    # crm.errors
    "not_found": 404,
    "conflict": 409,
    "invalid_input": 400,
    "illegal_transition": 409,
    "auth_failed": 401,
    NotCaseOwner.code: 403,  # 首接负责制: another agent's case
    SupervisorsOnly.code: 403,  # e.g. an agent re-dispatching a returned order
    # callqueue.errors
    "queue_error": 409,
    "unknown_line": 400,
    "unknown_site": 400,
    "unknown_agent": 409,
    "unknown_pause_reason": 400,
    "agent_busy": 409,
    "call_finished": 409,
    "invalid_argument": 400,
    # config.errors
    "config_invalid": 503,
    # web.errors
    "not_authenticated": 401,
    "forbidden": 403,
    "csrf_failed": 403,
    "rate_limited": 429,
    "telephony_unavailable": 503,
    "queue_refused": 409,
    "agent_not_logged_in": 409,
    # framework
    "validation_failed": 422,
    "http_error": 400,
}
DEFAULT_STATUS = 400
RETRY_AFTER_DEFAULT = 60


def status_of(code: str) -> int:
    return STATUS_OF.get(code, DEFAULT_STATUS)


def error_response(code: str, message: str, detail: dict | None = None,
                   status: int | None = None, headers: dict | None = None) -> JSONResponse:
    body = {"error": code, "message": message, "detail": detail or {}}
    return JSONResponse(body, status_code=status or status_of(code), headers=headers)


def _domain(request: Request, exc) -> JSONResponse:
    headers = None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.detail.get("retry_after", RETRY_AFTER_DEFAULT))}
    detail = _jsonable(getattr(exc, "detail", None) or {})
    return error_response(exc.code, exc.message, detail, headers=headers)


def _config(request: Request, exc: ConfigError) -> JSONResponse:
    log.error("configuration problem while serving %s: %s", request.url.path, exc)
    return error_response(exc.code, "服务配置有误，请联系管理员 (configuration error)")


def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = [{"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", "")}
                for e in exc.errors()]
    return error_response("validation_failed", "输入有误 (invalid input)", {"problems": problems})


def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return error_response(code, str(exc.detail), status=exc.status_code,
                          headers=getattr(exc, "headers", None))


def _jsonable(detail: dict) -> dict:
    return {k: v if isinstance(v, (str, int, float, bool, type(None))) else str(v)
            for k, v in detail.items()}


def install(app: FastAPI) -> None:
    app.add_exception_handler(WebError, _domain)
    app.add_exception_handler(CrmError, _domain)
    app.add_exception_handler(QueueError, _domain)
    app.add_exception_handler(ConfigError, _config)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
