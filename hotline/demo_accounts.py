"""`hotline up --demo`: the accounts a newcomer signs in with, each with a fresh password
printed once per start (development only: refused when HOTLINE_ENV is production)."""

from __future__ import annotations

import secrets

from rich.table import Table
from sqlalchemy import select

from crm.models import User
from crm.users import hash_password
from hotline.console import console
from hotline.setup import create_user

# username -> (role, display name, extension); agents get every line at level 1
DEMO_ACCOUNTS = {
    "demo.admin": ("admin", "演示管理员", None),
    "demo.super": ("supervisor", "演示班长", None),
    "demo.agent1": ("agent", "演示坐席一", "8001"),
    "demo.agent2": ("agent", "演示坐席二", "8002"),
}
DEMO_SITE = "guiyang"


def _new_password() -> str:
    return secrets.token_urlsafe(9)


def ensure_demo_accounts(ctx) -> dict[str, str]:
    """Create the demo accounts (or give existing ones a new password); username -> password."""
    if ctx.settings.env == "production":
        raise RuntimeError("demo accounts are for development: HOTLINE_ENV is production")
    skills = ",".join(f"{line}:1" for line in ctx.operator.lines)
    passwords = {}
    for username, (role, name, extension) in DEMO_ACCOUNTS.items():
        password = _new_password()
        with ctx.sessions.begin() as db:
            user = db.scalar(select(User).where(User.username == username))
            if user is not None:
                user.password_hash, user.active = hash_password(password), True
        if user is None:
            create_user(ctx, username, role, password, name=name, site=DEMO_SITE,
                        extension=extension, skills=skills)
        passwords[username] = password
    return passwords


PAGES_OF_ROLE = {"admin": ("/wallboard", "/testphone"), "supervisor": ("/wallboard", "/testphone"),
                 "agent": ("/agent",)}
TESTPHONE_PAGE, AGENT_PAGE = "/testphone", "/agent"


def print_demo_logins(base_url: str, passwords: dict[str, str]) -> None:
    table = Table("pages", "username", "password", "role", title="demo logins (new passwords each start)")
    for username, password in passwords.items():
        role = DEMO_ACCOUNTS[username][0]
        pages = "\n".join(base_url + page for page in PAGES_OF_ROLE[role])
        table.add_row(pages, username, password, role)
    console.print(table)
    console.print(f"try a call: open {base_url}{TESTPHONE_PAGE} (测试话机) as demo.admin and dial "
                  f"12345; answer it at {base_url}{AGENT_PAGE} as demo.agent1", highlight=False)
