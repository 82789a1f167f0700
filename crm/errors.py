"""CRM domain errors. Each carries a fixed ``code``: it is part of the API, never rename one."""

from __future__ import annotations


class CrmError(Exception):
    code = "crm_error"

    def __init__(self, message: str, **detail):
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotFound(CrmError):
    code = "not_found"


class Conflict(CrmError):
    """The row changed under us, e.g. a conditional update matched nothing."""

    code = "conflict"


class InvalidInput(CrmError):
    code = "invalid_input"


class IllegalTransition(CrmError):
    code = "illegal_transition"


class AuthFailed(CrmError):
    code = "auth_failed"


class Forbidden(CrmError):
    """The actor's role or department may not do this to this case."""

    code = "forbidden"
