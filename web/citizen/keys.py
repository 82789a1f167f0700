"""Every Redis key the citizen pages use, in one place."""

from __future__ import annotations

PREFIX = "hotline:citizen"


def rate_limit(action: str, subject: str, window: int) -> str:
    """Fixed-window counter of ``action`` by ``subject`` (a client address or a case number)."""
    return f"{PREFIX}:rl:{action}:{subject}:{window}"
