"""Rendering the HTML pages (Jinja2 templates shipped in web/templates)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
ROLE_NAMES = {"agent": "坐席", "supervisor": "班长", "department": "承办单位", "admin": "管理员"}
URGENCIES = {"normal": "一般", "urgent": "紧急", "very_urgent": "特急"}
HOME_OF_ROLE = {"agent": "/agent", "supervisor": "/wallboard", "admin": "/wallboard",
                "department": "/department"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
                               "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                               "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    return Jinja2Templates(directory=str(TEMPLATES_DIR))


def render(request: Request, name: str, *, user, status: int = 200, **context):
    context = {"user": user, "role_names": ROLE_NAMES, **context}
    return templates().TemplateResponse(request, name, context, status_code=status,
                                        headers=SECURITY_HEADERS)
