"""Every Redis key of the seats area."""

from __future__ import annotations

PREFIX = "hotline:seats"


def secrets() -> str:
    """A hash: extension -> the seat's current SIP password."""
    return f"{PREFIX}:secrets"
