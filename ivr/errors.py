"""Errors of the voice menu. Each ``code`` is part of the API: never rename one."""

from __future__ import annotations


class IvrError(Exception):
    code = "ivr_error"


class UnexpectedEvent(IvrError):
    """An event that the current phase does not accept (an edge bug, never caller input)."""

    code = "ivr_unexpected_event"
