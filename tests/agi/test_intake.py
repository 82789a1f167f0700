"""crm.intake as both voice edges use it: one row per call, cases, repeat callers, progress."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from crm.calls import CallRecord
from crm.case_numbers import to_keypad
from crm.enums import CallOutcome, Channel
from crm.intake import Intake
from crm.models import Call, Case, CaseEvent

T0 = datetime.now(timezone.utc).replace(microsecond=0)


def rec(call_id, outcome=CallOutcome.ANSWERED, caller="13985012345"):
    return CallRecord(call_id=call_id, channel=Channel.ASTERISK, caller_raw=caller, arrived_at=T0,
                      queued_at=T0 + timedelta(seconds=5), answered_at=T0 + timedelta(seconds=9),
                      ended_at=T0 + timedelta(seconds=90), outcome=outcome, line="general",
                      menu_path="in>menu:main>silence")


def test_an_answered_call_opens_a_case_and_the_next_call_attaches_to_it(sessions, operator_config):
    intake = Intake(sessions, operator_config)
    first = intake.finish_call(rec("c.1"))
    again = intake.finish_call(rec("c.1"))
    second = intake.finish_call(rec("c.2"))
    assert first.created and not again.created and first.case_number
    assert second.case_number == first.case_number
    assert intake.finish_call(rec("c.3", CallOutcome.ABANDONED)).case_number is None
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 1
        assert s.scalar(select(func.count()).select_from(Call)) == 3


def test_a_repeat_caller_and_case_progress_are_read_and_audited(sessions, operator_config):
    intake = Intake(sessions, operator_config)
    number = intake.finish_call(rec("r.1")).case_number
    found = intake.repeat_caller("+86 139 8501 2345", days=7)
    assert found.number == number and found.status == "registered" and found.line == "general"
    assert intake.repeat_caller("13985019999", days=7) is None
    assert intake.repeat_caller("unknown", days=7) is None
    progress = intake.case_progress(to_keypad(number))
    assert progress.number == number
    assert intake.case_progress("20991231999999") is None
    assert intake.case_progress("not-digits") is None
    with sessions() as s:
        actors = s.scalars(select(CaseEvent.actor).where(CaseEvent.action == "read")).all()
    assert actors == ["system:ivr", "system:ivr"]
