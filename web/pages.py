"""Rendering the HTML pages (Jinja2 templates shipped in web/templates)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"
PHONE_DIST = Path(__file__).resolve().parent / "phone" / "dist"  # jssip.js, from npm
ROLE_NAMES = {"agent": "坐席", "supervisor": "班长", "department": "承办单位", "admin": "管理员"}
URGENCIES = {"normal": "一般", "urgent": "紧急", "very_urgent": "特急"}
HOME_OF_ROLE = {"agent": "/agent", "supervisor": "/wallboard", "admin": "/wallboard",
                "department": "/department"}


@lru_cache(maxsize=1)
def templates() -> Jinja2Templates:
    """Templates that HTML-escape every value, whatever the file name."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True)
    return Jinja2Templates(env=env)


def render(request: Request, name: str, *, user, status: int = 200, **context):
    context = {"user": user, "role_names": ROLE_NAMES, **context}
    return templates().TemplateResponse(request, name, context, status_code=status)
