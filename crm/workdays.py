"""Working days (工作日) by China's official holidays and make-up days, and deadlines over them.

Sources, in order, per calendar year:
1. the operator's holidays.toml, when it lists the year (used exactly as written);
2. the ``chinesecalendar`` package (2004-2026 in the version we use);
3. no data: Monday-Friday are working days except the statutory holidays with fixed solar
   dates (元旦 1 Jan, 劳动节 1-2 May, 国庆节 1-3 Oct, per 全国年节及纪念日放假办法). Lunar
   festivals and make-up days are unknown, so they count as ordinary days. The year is logged
   once as a warning and kept in ``WorkCalendar.assumed_years``; a deadline is never refused.

Deadlines count whole working days after the start day (the start day itself is not counted,
as in 民法典 art. 201) and fall at the end of the last one, local time (Asia/Shanghai).
Zero days means the end of the start's own calendar day, whatever kind of day it is.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
END_OF_DAY = time(23, 59, 59)
SATURDAY = 5
FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)})  # (month, day)
MAX_WORKING_DAYS = 366  # a limit beyond a year is a configuration mistake, not a deadline

SOURCE_FILE = "holidays.toml"
SOURCE_PACKAGE = "chinesecalendar"
SOURCE_ASSUMED = "assumed: weekends and fixed-date holidays"

log = logging.getLogger(__name__)


@lru_cache(maxsize=None)
def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


class WorkCalendar:
    """Is a day a working day, and when does a limit of N working days end."""

    def __init__(self, years: dict[int, tuple[frozenset[date], frozenset[date]]] | None = None):
        self._years = dict(years or {})  # year -> (holidays, make-up working days)
        self.assumed_years: set[int] = set()

    @classmethod
    def from_file(cls, holidays_file) -> "WorkCalendar":
        """From a validated config.models.HolidaysFile (or None for the package alone)."""
        years = {}
        for entry in getattr(holidays_file, "years", []):
            years[entry.year] = (frozenset(entry.holidays), frozenset(entry.workdays))
        return cls(years)

    @classmethod
    def from_config(cls, cfg) -> "WorkCalendar":
        return cls.from_file(cfg.files.get(SOURCE_FILE))

    def source(self, year: int) -> str:
        if year in self._years:
            return SOURCE_FILE
        return SOURCE_PACKAGE if _package_knows(year) else SOURCE_ASSUMED

    def is_workday(self, day: date) -> bool:
        listed = self._years.get(day.year)
        if listed is not None:
            holidays, workdays = listed
            if day in workdays:
                return True
            return day not in holidays and day.weekday() < SATURDAY
        if _package_knows(day.year):
            return chinese_calendar.is_workday(day)
        self._assume(day.year)
        return day.weekday() < SATURDAY and (day.month, day.day) not in FIXED_HOLIDAYS

    def _assume(self, year: int) -> None:
        if year not in self.assumed_years:
            self.assumed_years.add(year)
            log.warning("no holiday data for %s: counting Monday-Friday except 1 Jan, 1-2 May "
                        "and 1-3 Oct as working days; add the year to config/holidays.toml", year)

    def add_working_days(self, day: date, days: int) -> date:
        """The ``days``-th working day after ``day`` (``day`` itself when days == 0)."""
        if not 0 <= days <= MAX_WORKING_DAYS:
            raise ValueError(f"working days must be 0..{MAX_WORKING_DAYS}, not {days}")
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            counted += self.is_workday(day)
        return day

    def deadline(self, start: datetime, days: int) -> datetime:
        """End of the ``days``-th working day after ``start``'s local day, as a local datetime."""
        if start.tzinfo is None:
            raise ValueError("deadline needs a timezone-aware start")
        last = self.add_working_days(start.astimezone(LOCAL_TZ).date(), days)
        return datetime.combine(last, END_OF_DAY, LOCAL_TZ)

    def working_days_between(self, first: date, last: date) -> int:
        """Working days in (first, last]: how many a limit from ``first`` uses up by ``last``."""
        days = range(1, (last - first).days + 1)
        return sum(self.is_workday(first + timedelta(days=i)) for i in days)
