"""Errors of the AMI adapter. The ``code`` strings are part of the API: never rename them."""

from __future__ import annotations


class AmiError(RuntimeError):
    """Base of every AMI adapter error; ``code`` is fixed and machine-readable."""

    code = "ami_error"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class AmiConnectError(AmiError):
    code = "ami_connect_failed"      # TCP connect or login refused


class AmiTimeout(AmiError):
    code = "ami_timeout"             # no response to an action in time


class AmiActionFailed(AmiError):
    code = "ami_action_failed"       # Asterisk answered Response: Error


class AmiUnsafeValue(AmiError):
    code = "ami_unsafe_value"        # a value that could inject headers or variables
