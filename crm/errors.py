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


class NotCaseOwner(Forbidden):
    """首接负责制: another agent took the case first; only they (or a supervisor) may act."""

    code = "not_case_owner"


class SupervisorsOnly(Forbidden):
    """A move agents may not make, e.g. re-dispatching a returned or reopened order."""

    code = "supervisor_only"
