"""Stored enumerations. Their values are written to the database: never rename one."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    ASTERISK = "asterisk"
    TWILIO = "twilio"
    SMS = "sms"
    WEB = "web"


class CallOutcome(StrEnum):
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    CALLBACK = "callback"
    EMERGENCY_TRANSFER = "emergency_transfer"
    FALLBACK = "fallback"
    SELF_SERVICE = "self_service"
    LOST_HANDLER = "lost_handler"


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    DEPARTMENT = "department"
    ADMIN = "admin"


class CaseStatus(StrEnum):
    REGISTERED = "registered"
    RESOLVED_ON_CALL = "resolved_on_call"
    DISPATCHED = "dispatched"
    SIGNED_FOR = "signed_for"
    IN_PROGRESS = "in_progress"
    EXTENSION_REQUESTED = "extension_requested"
    RETURNED = "returned"
    REPLIED = "replied"
    REVIEWED = "reviewed"
    CALLBACK_SURVEY = "callback_survey"
    CLOSED = "closed"
    REOPENED = "reopened"


OPEN_CASE_STATUSES = frozenset(CaseStatus) - {CaseStatus.CLOSED, CaseStatus.RESOLVED_ON_CALL}


class Rating(StrEnum):
    """Five levels of 好差评; the voice survey asks the first three keys' subset."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"
    VERY_DISSATISFIED = "very_dissatisfied"
