"""KPI API and CSV export against a small hand-built data set (figures worked out by hand)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest

from crm.enums import Role
from crm.models import Call, Case, CaseRating
from crm.workdays import LOCAL_TZ

NOV = {"from": "2026-11-01", "to": "2026-11-20"}


def t(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=LOCAL_TZ)


def _call(n, site, outcome="answered", wait=None, queued=True):
    q = t(10) + timedelta(seconds=20) if queued else None
    answered = q + timedelta(seconds=wait) if outcome == "answered" else None
    return Call(call_id=f"kpi-{n}", channel="asterisk", site_id=site, arrived_at=t(10),
                queued_at=q, answered_at=answered, outcome=outcome, wait_seconds=wait)


def _case(n, site, category, dept, status="closed", **times):
    return Case(number=f"12345-20261101-{n:06d}", channel="asterisk", status=status,
                request_type="complaint", category=category, site_id=site, department_id=dept,
                created_at=t(1), updated_at=t(1), **times)


@pytest.fixture
def dataset(web_ctx):
    with web_ctx.sessions.begin() as db:
        db.add_all([
            _call(1, "guiyang", wait=5),  # answered within 15 s
            _call(2, "guiyang", wait=20),  # answered late
            _call(3, "guiyang", outcome="abandoned"),  # hung up while waiting
            _call(4, "guiyang", outcome="self_service", queued=False),  # never asked for a person
            _call(5, "zunyi", wait=10),
        ])
        a = _case(1, "guiyang", "consumer", "guiyang_market", dispatched_at=t(2),
                  sign_due_at=t(3, 23), signed_at=t(3), due_at=t(20, 23), replied_at=t(18),
                  closed_at=t(19))  # on time throughout, satisfied, resolved
        b = _case(2, "guiyang", "urban", "guiyang_urban", dispatched_at=t(5),
                  sign_due_at=t(6, 23), signed_at=t(9), due_at=t(10, 23), replied_at=t(12),
                  closed_at=t(13))  # late throughout, dissatisfied, not resolved
        c = _case(3, "zunyi", "consumer", "zunyi_market", status="dispatched",
                  dispatched_at=t(10), sign_due_at=t(11, 23))  # never signed, limit passed
        db.add_all([a, b, c])
        db.flush()
        db.add_all([CaseRating(case_id=a.id, round=1, rating="satisfied", resolved=True,
                               actor="super1", at=t(19)),
                    CaseRating(case_id=b.id, round=1, rating="dissatisfied", resolved=False,
                               actor="super1", at=t(13))])


def _rates(row) -> dict:
    return {k: (v["num"], v["den"]) for k, v in row.items() if isinstance(v, dict)}


def test_kpis_per_site_match_the_hand_count(client, as_role, dataset):
    data = client.get("/api/kpi", params={**NOV, "by": "site"},
                      headers=as_role(Role.SUPERVISOR)).json()
    assert (data["from"], data["to"], data["by"]) == ("2026-11-01", "2026-11-20", "site")
    assert [d["name"] for d in data["definitions"]] == [
        "接通率", "15秒接听率", "放弃率", "响应率", "按时办结率", "解决率", "满意率"]
    rows = {r["group"]: r for r in data["rows"]}
    assert list(rows) == [None, "guiyang", "zunyi"]
    assert rows[None]["group_name"] == "合计" and rows["guiyang"]["group_name"] == "贵阳市"
    assert _rates(rows[None]) == {
        "connection_rate": (3, 4), "answer_15s_rate": (2, 3), "abandonment_rate": (1, 4),
        "response_rate": (1, 3), "on_time_closure_rate": (1, 2), "resolution_rate": (1, 2),
        "satisfaction_rate": (1, 2)}
    assert rows[None]["connection_rate"]["rate"] == pytest.approx(0.75)
    assert _rates(rows["guiyang"])["connection_rate"] == (2, 3)
    assert _rates(rows["guiyang"])["response_rate"] == (1, 2)
    assert _rates(rows["zunyi"]) == {
        "connection_rate": (1, 1), "answer_15s_rate": (1, 1), "abandonment_rate": (0, 1),
        "response_rate": (0, 1), "on_time_closure_rate": (0, 0), "resolution_rate": (0, 0),
        "satisfaction_rate": (0, 0)}
    assert rows["zunyi"]["on_time_closure_rate"]["rate"] is None


def test_kpis_per_department_and_outside_the_range(client, as_role, dataset):
    admin = as_role(Role.ADMIN)
    rows = {r["group"]: r for r in client.get(
        "/api/kpi", params={**NOV, "by": "department"}, headers=admin).json()["rows"]}
    assert _rates(rows["guiyang_market"])["satisfaction_rate"] == (1, 1)
    assert _rates(rows["guiyang_urban"])["on_time_closure_rate"] == (0, 1)
    assert rows["guiyang_urban"]["group_name"] == "贵阳市城市管理局"
    later = client.get("/api/kpi", params={"from": "2026-11-21", "to": "2026-11-25"},
                       headers=admin).json()["rows"]
    assert all(den == 0 for _, den in _rates(later[0]).values())


def test_kpi_csv_is_an_excel_friendly_attachment(client, as_role, dataset):
    resp = client.get("/api/kpi.csv", params={**NOV, "by": "site"},
                      headers=as_role(Role.SUPERVISOR))
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    assert resp.headers["content-disposition"] == \
        'attachment; filename="kpi-20261101-20261120-site.csv"'
    assert resp.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    lines = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    head, names, total, guiyang = lines[0], lines[1], lines[2], lines[3]
    assert head[:5] == ["group", "group_name", "connection_rate", "connection_rate_num",
                        "connection_rate_den"]
    assert names[2] == "接通率"
    cell = dict(zip(head, total))
    assert (cell["group_name"], cell["connection_rate"], cell["response_rate_num"],
            cell["response_rate_den"]) == ("合计", "0.7500", "1", "3")
    assert dict(zip(head, guiyang))["group_name"] == "贵阳市"
    assert len(lines) == 5


def test_kpi_bad_ranges_and_roles_are_refused(client, as_role):
    sup = as_role(Role.SUPERVISOR)
    resp = client.get("/api/kpi", params={"from": "2026-11-20", "to": "2026-11-01"}, headers=sup)
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_input"
    assert client.get("/api/kpi", params={"by": "weather"}, headers=sup).status_code == 422
    assert client.get("/api/kpi", params={"from": "0001-01-01"}, headers=sup).status_code == 400
    # A far-past end alone (no start) is refused too, not turned into an overflow and a 500.
    for far in ("0001-01-01", "9999-12-31"):
        resp = client.get("/api/kpi", params={"to": far}, headers=sup)
        assert resp.status_code == 400 and resp.json()["error"] == "invalid_input"
    for role in (Role.AGENT, Role.DEPARTMENT):
        assert client.get("/api/kpi.csv", headers=as_role(role)).status_code == 403
