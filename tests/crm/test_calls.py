"""Writing calls: one row per call id, whatever is replayed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from crm.calls import CallRecord, rate_call, record_call
from crm.enums import CallOutcome, Channel, Rating
from crm.errors import InvalidInput
from crm.models import Call, Caller

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)


def _record(call_id="1764234000.42", caller="13985012345", **kw) -> CallRecord:
    base = dict(
        call_id=call_id, channel=Channel.ASTERISK, caller_raw=caller, arrived_at=T0,
        queued_at=T0 + timedelta(seconds=6), answered_at=T0 + timedelta(seconds=16),
        ended_at=T0 + timedelta(seconds=200), outcome=CallOutcome.ANSWERED, line="general",
        menu_path="main>silence", agent="8001",
    )
    base.update(kw)
    return CallRecord(**base)


def _count(sessions, model=Call) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_replaying_a_call_write_changes_nothing(sessions):
    with sessions.begin() as s:
        first_id, created = record_call(s, _record())
    assert created
    with sessions.begin() as s:
        again_id, created_again = record_call(s, _record(outcome=CallOutcome.ABANDONED))
    assert (again_id, created_again) == (first_id, False)
    with sessions() as s:
        row = s.scalar(select(Call))
    assert row.outcome == "answered"
    assert row.wait_seconds == pytest.approx(10.0)
    assert row.arrived_at == T0
    assert _count(sessions) == 1 and _count(sessions, Caller) == 1


def test_calls_from_one_number_share_a_caller_with_its_location(sessions):
    with sessions.begin() as s:
        record_call(s, _record("a.1"), site_of=lambda loc: "guiyang" if "贵阳" in (loc or "") else None)
        record_call(s, _record("a.2", caller='"Wang" <+86 139-8501-2345>'))
    with sessions() as s:
        callers = s.scalars(select(Caller)).all()
        calls = s.scalars(select(Call).order_by(Call.call_id)).all()
    assert [c.number for c in callers] == ["+8613985012345"]
    assert callers[0].location == "贵州省贵阳市" and callers[0].site_id == "guiyang"
    assert calls[0].caller_id == calls[1].caller_id == callers[0].id


@pytest.mark.parametrize("raw", ["unknown", "", "anonymous", "12345", "'; DROP TABLE calls; --"])
def test_withheld_or_invalid_numbers_record_the_call_without_a_caller(sessions, raw):
    with sessions.begin() as s:
        record_call(s, _record("w.1", caller=raw))
    with sessions() as s:
        row = s.scalar(select(Call))
    assert row.caller_id is None and row.caller_raw == raw
    assert _count(sessions, Caller) == 0


def test_a_bad_call_id_is_refused_and_writes_nothing(sessions):
    with pytest.raises(InvalidInput):
        with sessions.begin() as s:
            record_call(s, _record(call_id=""))
    assert _count(sessions) == 0


def test_the_contact_rating_is_set_once(sessions):
    with sessions.begin() as s:
        record_call(s, _record("r.1", rating=None))
    with sessions.begin() as s:
        assert rate_call(s, "r.1", Rating.SATISFIED)
    with sessions.begin() as s:
        assert not rate_call(s, "r.1", Rating.DISSATISFIED)
        assert not rate_call(s, "missing", Rating.SATISFIED)
    with sessions() as s:
        assert s.scalar(select(Call.rating)) == "satisfied"
