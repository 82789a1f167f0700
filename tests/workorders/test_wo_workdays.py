"""Deadlines in working days across 2026's holidays and make-up days, and into 2027."""

from __future__ import annotations

import logging
import shutil
from datetime import date, datetime, timedelta, timezone

import pytest

from config.errors import ConfigError
from config.models import HolidayYear, HolidaysFile
from config.operator import load_operator_config
from config.settings import DEFAULT_CONFIG_DIR
from crm.sla import Deadlines
from crm.workdays import LOCAL_TZ, SOURCE_ASSUMED, SOURCE_FILE, SOURCE_PACKAGE, WorkCalendar


def local(y, m, d, hh=10, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL_TZ)


def end_of(y, m, d) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=LOCAL_TZ)


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


def test_spring_festival_2026_days_off_and_make_up_saturdays(cal):
    assert cal.is_workday(date(2026, 2, 14))  # Saturday, make-up working day
    assert not any(cal.is_workday(date(2026, 2, d)) for d in range(15, 24))  # 15-23 Feb off
    assert cal.is_workday(date(2026, 2, 28))  # Saturday, make-up working day
    # Friday 13 Feb + 3 working days: Sat 14 (make-up), then Tue 24, Wed 25.
    assert cal.deadline(local(2026, 2, 13), 3) == end_of(2026, 2, 25)
    # A help request (10 days) on Thursday 12 Feb: Fri 13, Sat 14, Tue 24 - Fri 27,
    # Sat 28 (make-up), Mon 2, Tue 3, Wed 4 Mar.
    assert cal.deadline(local(2026, 2, 12), 10) == end_of(2026, 3, 4)


def test_national_day_2026_and_its_make_up_days(cal):
    assert cal.is_workday(date(2026, 9, 20))  # Sunday, make-up working day
    assert cal.is_workday(date(2026, 10, 10))  # Saturday, make-up working day
    assert not cal.is_workday(date(2026, 10, 5))
    # Wednesday 30 Sep + 2 working days: Thu 8 Oct, Fri 9 Oct.
    assert cal.deadline(local(2026, 9, 30), 2) == end_of(2026, 10, 9)
    # + 3: the make-up Saturday 10 Oct counts.
    assert cal.deadline(local(2026, 9, 30), 3) == end_of(2026, 10, 10)
    # Consultation (2 working days) dispatched on Saturday 19 Sep: Sun 20 (make-up), Mon 21.
    assert cal.deadline(local(2026, 9, 19), 2) == end_of(2026, 9, 21)


def test_same_day_limit_ends_that_evening_even_on_a_holiday(cal):
    assert cal.deadline(local(2026, 10, 3, 9), 0) == end_of(2026, 10, 3)


def test_the_start_is_read_in_local_time(cal):
    # 20:00 UTC on Friday 13 Feb is already Saturday 14 Feb 04:00 in Guizhou (a make-up day).
    start = datetime(2026, 2, 13, 20, 0, tzinfo=timezone.utc)
    assert cal.deadline(start, 1) == end_of(2026, 2, 24)
    with pytest.raises(ValueError):
        cal.deadline(datetime(2026, 2, 13, 20, 0), 1)


def test_deadlines_into_2027_do_not_crash_and_say_what_was_assumed(cal, caplog):
    with caplog.at_level(logging.WARNING, logger="crm.workdays"):
        # Wednesday 30 Dec 2026 + 5: Thu 31 Dec; 1 Jan 2027 is New Year's Day (fixed date);
        # Mon 4, Tue 5, Wed 6, Thu 7 Jan.
        assert cal.deadline(local(2026, 12, 30), 5) == end_of(2027, 1, 7)
        assert cal.deadline(local(2026, 12, 16), 15).date() == date(2027, 1, 7)
    assert cal.assumed_years == {2027}
    assert cal.source(2027) == SOURCE_ASSUMED and cal.source(2026) == SOURCE_PACKAGE
    assert [r.getMessage() for r in caplog.records if "2027" in r.getMessage()][:1]
    # Weekends and the fixed-date holidays are off; other weekdays count.
    assert not cal.is_workday(date(2027, 1, 2)) and not cal.is_workday(date(2027, 10, 1))
    assert not cal.is_workday(date(2027, 1, 1)) and cal.is_workday(date(2027, 1, 4))


def test_the_holiday_file_supplies_and_overrides_a_year():
    file = HolidaysFile(years=[
        HolidayYear(year=2027, holidays=[date(2027, 1, 1), date(2027, 2, 8)],
                    workdays=[date(2027, 2, 6)]),
        HolidayYear(year=2026, holidays=[date(2026, 11, 27)]),
    ])
    cal = WorkCalendar.from_file(file)
    assert cal.source(2027) == SOURCE_FILE and cal.assumed_years == set()
    assert cal.is_workday(date(2027, 2, 6))  # listed make-up Saturday
    assert not cal.is_workday(date(2027, 2, 8))  # listed holiday on a Monday
    assert not cal.is_workday(date(2026, 11, 27))  # the file wins over the package
    assert cal.deadline(local(2027, 2, 5), 2) == end_of(2027, 2, 9)  # Sat 6, (Mon 8 off), Tue 9


def test_the_shipped_holiday_file_is_loaded_and_validated(operator_config, tmp_path):
    assert "holidays.toml" in operator_config.files
    target = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (target / "holidays.toml").write_text(
        "[[years]]\nyear = 2027\nholidays = [2026-12-31]\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_operator_config(target)
    (file, key, message), = info.value.problems
    assert file.endswith("holidays.toml") and key == "years[0]" and "not in 2027" in message
    (target / "holidays.toml").write_text(
        "[[years]]\nyear = 2027\nholidays = [2027-10-01]\nworkdays = [2027-09-26]\n",
        encoding="utf-8")
    cfg = load_operator_config(target)
    assert not Deadlines.from_config(cfg).calendar.is_workday(date(2027, 10, 1))


def test_configured_limits_per_request_type(deadlines):
    start = local(2026, 11, 26)  # Thursday
    assert deadlines.handling_due("urgent", start) == end_of(2026, 11, 26)
    assert deadlines.handling_due("consultation", start) == end_of(2026, 11, 30)
    assert deadlines.handling_due("complaint", start) == end_of(2026, 12, 17)
    assert deadlines.sign_due(start) == end_of(2026, 11, 27)
    assert deadlines.reminder_before == timedelta(hours=24)


def test_working_days_between_counts_the_limit_used(cal):
    assert cal.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
