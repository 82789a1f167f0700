"""Typed shapes of the operator data files; unknown keys are refused."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

ID_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
DIGITS_PATTERN = r"^[0-9]{3,16}$"
AREA_CODE_PATTERN = r"^0[1-9][0-9]{1,2}$"  # a Chinese trunk-prefixed area code: 010, 0851


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Site(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    name_en: str = ""
    kind: Literal["province", "city", "prefecture"]
    parent: str | None = None
    geocoder_names: list[str] = []
    area_codes: list[Annotated[str, Field(pattern=AREA_CODE_PATTERN)]] = []


class SitesFile(Strict):
    sites: list[Site] = Field(min_length=1)


class Line(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    name_en: str = ""
    wrap_up_seconds: int = Field(default=30, ge=0, le=3600)
    sites: list[str] = []  # empty: served at every site


class QueuePolicy(Strict):
    offer_timeout_seconds: int = Field(default=15, ge=1, le=300)
    max_consecutive_misses: int = Field(default=2, ge=1, le=20)
    escalate_after_seconds: int = Field(default=30, ge=0)
    general_after_seconds: int = Field(default=60, ge=0)
    overflow_after_seconds: int = Field(default=45, ge=0)
    lease_seconds: int = Field(default=30, ge=2, le=600)
    fastagi_lease_seconds: int = Field(default=10, ge=2, le=600)
    resume_grace_seconds: int = Field(default=120, ge=1, le=3600)
    callback_max_attempts: int = Field(default=3, ge=1, le=10)
    callback_retry_seconds: int = Field(default=120, ge=1)
    announce_every_seconds: int = Field(default=30, ge=5)
    general_line: str = "general"
    answer_target_seconds: int = Field(default=15, ge=1)


class LinesFile(Strict):
    queue: QueuePolicy = QueuePolicy()
    lines: list[Line] = Field(min_length=1)


class LegacyNumber(Strict):
    number: str = Field(pattern=DIGITS_PATTERN)
    line: str
    name: str = ""
    mode: Literal["cancelled", "parallel", "subcentre"] = "parallel"


class LegacyNumbersFile(Strict):
    numbers: list[LegacyNumber] = []


class MenuKey(Strict):
    action: Literal["queue", "case_progress", "emergency", "menu"]
    line: str | None = None
    menu: str | None = None


class Menu(Strict):
    prompts: list[str] = Field(min_length=1)
    wait_seconds: int = Field(default=3, ge=1, le=10)
    keys: dict[str, MenuKey] = {}


class MenuFile(Strict):
    entry: str = "main"
    silence_line: str = "general"
    emergency_target: str = "110"
    repeat_caller_days: int = Field(default=7, ge=0, le=90)
    case_number_max_digits: int = Field(default=16, ge=6, le=20)
    survey_wait_seconds: int = Field(default=5, ge=1, le=15)
    menus: dict[str, Menu] = Field(min_length=1)


class Prompt(Strict):
    zh: str = Field(min_length=1)
    en: str = ""


class PromptsFile(Strict):
    prompts: dict[str, Prompt] = Field(min_length=1)


class Department(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    site: str


class DispatchRule(Strict):
    category: str
    site: str = "*"
    department: str


class DepartmentsFile(Strict):
    departments: list[Department] = Field(min_length=1)
    dispatch: list[DispatchRule] = []


class Category(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    name_en: str = ""
    line: str = "general"


class CategoriesFile(Strict):
    categories: list[Category] = Field(min_length=1)


class RequestType(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    name_en: str = ""
    working_days: int = Field(ge=0, le=60)  # 0 = same day


class TimeLimitsFile(Strict):
    sign_for_working_days: int = Field(default=1, ge=0, le=10)
    reminder_before_hours: int = Field(default=24, ge=0)
    rectification_working_days: int = Field(default=10, ge=1, le=60)
    repeat_demand_days: int = Field(default=30, ge=0, le=365)
    callback_survey_after_days: int = Field(default=1, ge=0, le=10)
    request_types: list[RequestType] = Field(min_length=1)


class PauseReason(Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    name_en: str = ""
    max_minutes: int = Field(default=0, ge=0)  # 0 = no limit


class PauseReasonsFile(Strict):
    reasons: list[PauseReason] = Field(min_length=1)


class HolidayYear(Strict):
    """One year's official days off and make-up working days (调休上班), as announced."""

    year: int = Field(ge=2000, le=2100)
    holidays: list[date] = []
    workdays: list[date] = []

    @model_validator(mode="after")
    def _same_year_no_overlap(self):
        for day in (*self.holidays, *self.workdays):
            if day.year != self.year:
                raise ValueError(f"{day} is not in {self.year}")
        both = set(self.holidays) & set(self.workdays)
        if both:
            raise ValueError(f"listed as holiday and as working day: {sorted(both)[0]}")
        return self


class HolidaysFile(Strict):
    years: list[HolidayYear] = []
