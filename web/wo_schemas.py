"""Request bodies of the work-order, KPI and knowledge APIs. Inputs refuse unknown fields."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from crm.workflow import MAX_EXTENSION_DAYS
from web.schemas import CODE, In

TEXT = 2000
RATINGS = Literal["very_satisfied", "satisfied", "basically_satisfied", "dissatisfied",
                  "very_dissatisfied"]


class ReplyIn(In):
    text: str = Field(min_length=1, max_length=TEXT)


class ReasonIn(In):
    reason: str = Field(min_length=1, max_length=TEXT)


class OptionalReasonIn(In):
    reason: str = Field(default="", max_length=TEXT)


class ExtensionIn(In):
    days: int = Field(ge=1, le=MAX_EXTENSION_DAYS)
    reason: str = Field(min_length=1, max_length=TEXT)


class ApproveIn(In):
    days: int | None = Field(default=None, ge=1, le=MAX_EXTENSION_DAYS)


class ReviewIn(In):
    approved: bool
    note: str = Field(default="", max_length=TEXT)


class SurveyIn(In):
    channel: Literal["phone", "sms"] = "phone"


class RatingIn(In):
    rating: RATINGS
    resolved: bool


class RedispatchIn(In):
    department_id: str = Field(pattern=CODE)
    note: str = Field(default="", max_length=TEXT)


class ArticleIn(In):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=20000)
    category: str | None = Field(default=None, pattern=CODE)
    department_id: str | None = Field(default=None, pattern=CODE)
    valid_from: date | None = None
    valid_to: date | None = None
