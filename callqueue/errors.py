"""Queue errors; each carries a fixed code that is part of the API: never rename one."""

from __future__ import annotations


class QueueError(Exception):
    """Base of every queue error; `code` is machine-readable and stable."""

    code = "queue_error"

    def __init__(self, message: str = ""):
        super().__init__(message or self.code)
        self.message = message or self.code


class UnknownLine(QueueError):
    code = "unknown_line"


class UnknownSite(QueueError):
    code = "unknown_site"


class UnknownAgent(QueueError):
    code = "unknown_agent"


class UnknownPauseReason(QueueError):
    code = "unknown_pause_reason"


class AgentBusy(QueueError):
    """The agent is offered a call or on a call; the change must wait until it ends."""

    code = "agent_busy"


class CallFinished(QueueError):
    """The call id already ended with an outcome; it cannot join the queue again."""

    code = "call_finished"


CODES = {cls.code: cls for cls in (QueueError, UnknownLine, UnknownSite, UnknownAgent,
                                    UnknownPauseReason, AgentBusy, CallFinished)}


class InvalidArgument(QueueError):
    code = "invalid_argument"


CODES[InvalidArgument.code] = InvalidArgument
