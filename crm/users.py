"""Staff users: argon2 password hashes, roles and agent profiles."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.enums import Role
from crm.errors import AuthFailed, Conflict, InvalidInput
from crm.models import AgentProfile, User

_hasher = PasswordHasher()
MIN_PASSWORD = 8
EXTENSION_RE = re.compile(r"[0-9]{2,16}", re.ASCII)  # not str.isdigit(): that accepts ٣ and ²
# Verifying against this keeps the time of a login for an unknown user like a known one.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def add_user(
    session: Session,
    username: str,
    password: str,
    role: Role,
    *,
    display_name: str = "",
    department_id: str | None = None,
    site_id: str | None = None,
) -> User:
    """Create a user; flushes. Raises Conflict when the username is taken."""
    role = Role(role)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} exists", username=username)
    if role == Role.DEPARTMENT and not department_id:
        raise InvalidInput("a department handler needs a department")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=str(role),
        department_id=department_id,
        site_id=site_id,
    )
    session.add(user)
    session.flush()
    return user


def set_agent_profile(
    session: Session, user: User, extension: str, site_id: str, skills: dict[str, int]
) -> AgentProfile:
    if not EXTENSION_RE.fullmatch(extension or ""):
        raise InvalidInput("an extension is 2-16 digits", extension=extension)
    profile = session.get(AgentProfile, user.id) or AgentProfile(user_id=user.id)
    profile.extension, profile.site_id, profile.skills = extension, site_id, dict(skills)
    session.add(profile)
    session.flush()
    return profile


def authenticate(session: Session, username: str, password: str) -> User:
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise AuthFailed("wrong username or password") from None
    if user is None:
        raise AuthFailed("wrong username or password")
    return user
