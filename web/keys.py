"""Every Redis key the web service writes itself (sessions, login limits, wallboard samples).

Queue state is never written here: that is callqueue's, through its API.
"""

from __future__ import annotations

PREFIX = "hotline:web"


def session(session_id: str) -> str:
    return f"{PREFIX}:session:{session_id}"


def user_sessions(user_id: int) -> str:
    """The set of session ids one staff user opened, so that all of them can be ended."""
    return f"{PREFIX}:user_sessions:{user_id}"


def login_failures_user(username: str) -> str:
    """Login attempts for a username since its last success (counted before the check)."""
    return f"{PREFIX}:login_fail:user:{username.lower()}"


def login_failures_ip(ip: str) -> str:
    """Login attempts from a client address, less those that succeeded."""
    return f"{PREFIX}:login_fail:ip:{ip}"


def queue_samples() -> str:
    """A list of JSON samples of waiting callers per line, newest first, capped."""
    return f"{PREFIX}:queue_samples"


def sampler_lock() -> str:
    """Held by the one process that samples the queue in a given interval."""
    return f"{PREFIX}:queue_samples:lock"


def phone_pages(agent_id: str) -> str:
    """How many workstation pages holding the agent's browser phone are connected now."""
    return f"{PREFIX}:phone_pages:{agent_id}"
