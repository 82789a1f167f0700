"""The seven KPIs against a hand-built data set (figures worked out by hand in the comments)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest

from crm.errors import InvalidInput
from crm.kpi import compute_kpis, write_csv
from crm.models import Call, Case, CaseRating
from crm.workdays import LOCAL_TZ

NOV = (date(2026, 11, 1), date(2026, 11, 30))
NOW = datetime(2026, 11, 30, 18, 0, tzinfo=LOCAL_TZ)


def t(day, hour=10, month=11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=LOCAL_TZ)


def _call(n, site, *, arrived=None, wait=None, outcome="answered", queued=True):
    arrived = arrived or t(10)
    q = arrived + timedelta(seconds=20) if queued else None
    answered = q + timedelta(seconds=wait) if (q and outcome == "answered") else None
    return Call(call_id=f"c{n}", channel="asterisk", site_id=site, arrived_at=arrived, queued_at=q,
                answered_at=answered, outcome=outcome, wait_seconds=wait)


def _case(n, site, category, dept, status="closed", **times):
    return Case(number=f"12345-20261101-{n:06d}", channel="asterisk", status=status,
                request_type="complaint", category=category, site_id=site, department_id=dept,
                created_at=t(1), updated_at=t(1), **times)


@pytest.fixture
def dataset(sessions):
    with sessions.begin() as s:
        s.add_all([
            _call(1, "guiyang", wait=5),  # answered within 15 s
            _call(2, "guiyang", wait=20),  # answered, slowly
            _call(3, "guiyang", outcome="abandoned"),  # hung up while waiting
            _call(4, "guiyang", outcome="callback"),  # asked for a callback
            _call(5, "guiyang", outcome="self_service", queued=False),  # never asked for a person
            _call(6, "zunyi", wait=10),
            _call(7, "guiyang", wait=1, arrived=t(1, 0, month=12) + timedelta(minutes=30)),  # Dec
        ])
        cases = {
            # A: signed on time, replied before its deadline, closed, rated satisfied + resolved.
            "A": _case(1, "guiyang", "consumer", "guiyang_market", dispatched_at=t(2),
                       sign_due_at=t(3, 23), signed_at=t(3), due_at=t(20, 23), replied_at=t(18),
                       closed_at=t(19)),
            # B: signed late, replied late, closed, rated dissatisfied + not resolved.
            "B": _case(2, "guiyang", "urban", "guiyang_urban", dispatched_at=t(5),
                       sign_due_at=t(6, 23), signed_at=t(9), due_at=t(10, 23), replied_at=t(12),
                       closed_at=t(13)),
            # C: never signed, its sign-for deadline has passed.
            "C": _case(3, "zunyi", "consumer", "zunyi_market", status="dispatched",
                       dispatched_at=t(25), sign_due_at=t(26, 23)),
            # D: not signed yet but still within its limit: not counted either way.
            "D": _case(4, "guiyang", "consumer", "guiyang_market", status="dispatched",
                       dispatched_at=t(29), sign_due_at=t(1, 23, month=12)),
            # E: resolved on the call, rated very satisfied by SMS (resolved not asked).
            "E": _case(5, "guiyang", "consumer", None, status="resolved_on_call", closed_at=t(10)),
        }
        s.add_all(cases.values())
        s.flush()
        # F: a merged duplicate: never counted.
        s.add(_case(6, "guiyang", "consumer", "guiyang_market", merged_into_id=cases["A"].id,
                    dispatched_at=t(2), sign_due_at=t(3, 23), due_at=t(20, 23), closed_at=t(3)))
        s.add_all([
            CaseRating(case_id=cases["A"].id, round=1, rating="satisfied", resolved=True,
                       actor="x", at=t(19)),
            CaseRating(case_id=cases["B"].id, round=1, rating="dissatisfied", resolved=False,
                       actor="x", at=t(13)),
            CaseRating(case_id=cases["E"].id, round=1, rating="very_satisfied", resolved=None,
                       actor="x", at=t(11)),
            CaseRating(case_id=cases["B"].id, round=2, rating="satisfied", resolved=True,
                       actor="x", at=t(2, month=12)),  # December: outside the range
        ])


def figures(row) -> dict:
    return {k: (r.num, r.den) for k, r in row.values.items()}


TOTAL = {
    "connection_rate": (3, 5), "answer_15s_rate": (2, 3), "abandonment_rate": (1, 5),
    "response_rate": (1, 3), "on_time_closure_rate": (1, 2), "resolution_rate": (1, 2),
    "satisfaction_rate": (2, 3),
}


def test_totals(sessions, dataset):
    with sessions() as s:
        (row,) = compute_kpis(s, start=NOV[0], end=NOV[1], now=NOW)
    assert row.group is None and figures(row) == TOTAL
    assert row.values["connection_rate"].value == pytest.approx(0.6)


def test_by_site_carries_call_kpis_too(sessions, dataset):
    with sessions() as s:
        rows = {r.group: figures(r) for r in compute_kpis(s, start=NOV[0], end=NOV[1], by="site",
                                                          now=NOW)}
    assert rows[None] == TOTAL
    assert rows["guiyang"] == {
        "connection_rate": (2, 4), "answer_15s_rate": (1, 2), "abandonment_rate": (1, 4),
        "response_rate": (1, 2), "on_time_closure_rate": (1, 2), "resolution_rate": (1, 2),
        "satisfaction_rate": (2, 3),
    }
    assert rows["zunyi"] == {
        "connection_rate": (1, 1), "answer_15s_rate": (1, 1), "abandonment_rate": (0, 1),
        "response_rate": (0, 1), "on_time_closure_rate": (0, 0), "resolution_rate": (0, 0),
        "satisfaction_rate": (0, 0),
    }


def test_by_department_and_category(sessions, dataset):
    with sessions() as s:
        dept = {r.group: figures(r) for r in compute_kpis(s, start=NOV[0], end=NOV[1],
                                                          by="department", now=NOW)}
        cat = {r.group: figures(r) for r in compute_kpis(s, start=NOV[0], end=NOV[1],
                                                         by="category", now=NOW)}
    assert list(dept) == [None, "(none)", "guiyang_market", "guiyang_urban", "zunyi_market"]
    assert dept["guiyang_market"]["response_rate"] == (1, 1)
    assert dept["guiyang_urban"]["on_time_closure_rate"] == (0, 1)
    assert dept["(none)"]["satisfaction_rate"] == (1, 1)  # E, resolved on the call
    assert dept["guiyang_market"]["connection_rate"] == (0, 0)  # calls have no department
    assert cat["consumer"] == {
        "connection_rate": (0, 0), "answer_15s_rate": (0, 0), "abandonment_rate": (0, 0),
        "response_rate": (1, 2), "on_time_closure_rate": (1, 1), "resolution_rate": (1, 1),
        "satisfaction_rate": (2, 2),
    }
    assert cat["urban"]["satisfaction_rate"] == (0, 1)


def test_csv_export_and_bad_input(sessions, dataset):
    with sessions() as s:
        rows = compute_kpis(s, start=NOV[0], end=NOV[1], by="site", now=NOW)
        with pytest.raises(InvalidInput):
            compute_kpis(s, start=NOV[1], end=NOV[0])
        with pytest.raises(InvalidInput):
            compute_kpis(s, start=NOV[0], end=NOV[1], by="weather")
    out = io.StringIO()
    write_csv(rows, out)
    table = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["group"] for r in table] == ["(all)", "guiyang", "zunyi"]
    assert table[0]["connection_rate"] == "0.6000" and table[0]["connection_rate_den"] == "5"
    assert table[2]["on_time_closure_rate"] == ""  # nothing to rate
