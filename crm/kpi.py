"""The seven KPIs of domain.md for a date range, in total and per site, department or category.

Each KPI is a ``Ratio`` (numerator, denominator); its value is None when nothing was counted.
Dates are local (Asia/Shanghai) and inclusive. The README's KPI table is the definition.
Call KPIs come from the calls table and group by site only (a call has no department or
category until a case exists); per department or category only the total row carries them.
``call_counts`` gives the same call figures by line and site: the wallboard's today.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from crm.enums import CallOutcome, CaseStatus, Rating
from crm.errors import InvalidInput
from crm.models import Call, Case, CaseRating
from crm.types import utcnow
from crm.workdays import LOCAL_TZ

KPIS = ("connection_rate", "answer_15s_rate", "abandonment_rate", "response_rate",
        "on_time_closure_rate", "resolution_rate", "satisfaction_rate")
GROUPINGS = {"site": Case.site_id, "department": Case.department_id, "category": Case.category}
ANSWER_TARGET_SECONDS = 15
SATISFIED = [str(r) for r in (Rating.VERY_SATISFIED, Rating.SATISFIED, Rating.BASICALLY_SATISFIED)]
TOTAL = None  # the group key of the total row
NO_GROUP = "(none)"


@dataclass(frozen=True)
class Ratio:
    num: int = 0
    den: int = 0

    @property
    def value(self) -> float | None:
        return self.num / self.den if self.den else None


@dataclass
class KpiRow:
    group: str | None
    values: dict[str, Ratio] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"group": self.group, **{k: {"num": r.num, "den": r.den, "rate": r.value}
                                        for k, r in self.values.items()}}


def _window(start: date, end: date) -> tuple[datetime, datetime]:
    if end < start:
        raise InvalidInput("the range ends before it starts", field="to")
    lo = datetime.combine(start, time.min, LOCAL_TZ)
    return lo, datetime.combine(end + timedelta(days=1), time.min, LOCAL_TZ)


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _grouped(session, group, columns, where, join=None):
    """(group key, counts) rows; with ``group`` None one total row keyed None."""
    stmt = select(*columns) if group is None else select(group, *columns).group_by(group)
    if join is not None:
        stmt = stmt.select_from(join[0]).join(*join[1:])
    for row in session.execute(stmt.where(*where)):
        yield (None, list(row)) if group is None else (row[0], list(row[1:]))


@dataclass(frozen=True)
class CallCounts:
    """The calls that asked for a person (joined the queue), counted as the call KPIs count.

    Answered: a person answered (outcome answered). Abandoned: the caller hung up while
    waiting or ringing, however soon. A callback or a lost handler asked but was neither.
    """

    asked: int = 0
    answered: int = 0
    answered_in_target: int = 0   # answered within the answer target of joining the queue
    abandoned: int = 0
    lost_handler: int = 0
    wait_sum: float = 0.0         # seconds the answered calls waited, summed

    def ratios(self) -> dict[str, Ratio]:
        return {"connection_rate": Ratio(self.answered, self.asked),
                "answer_15s_rate": Ratio(self.answered_in_target, self.answered),
                "abandonment_rate": Ratio(self.abandoned, self.asked)}


CALL_GROUPS = {"line": Call.line, "site": Call.site_id}


def _call_columns(target: int) -> list:
    queued = Call.queued_at.is_not(None)
    answered = and_(queued, Call.answered_at.is_not(None))
    return [_count(queued), _count(answered),
            _count(and_(answered, Call.wait_seconds <= target)),
            _count(and_(queued, Call.outcome == str(CallOutcome.ABANDONED))),
            _count(and_(queued, Call.outcome == str(CallOutcome.LOST_HANDLER))),
            func.coalesce(func.sum(case((answered, Call.wait_seconds), else_=0)), 0)]


def _call_counts(session, lo, hi, groups: list, target: int) -> dict[tuple, CallCounts]:
    stmt = select(*groups, *_call_columns(target)).where(Call.arrived_at >= lo,
                                                           Call.arrived_at < hi)
    if groups:
        stmt = stmt.group_by(*groups)
    out = {}
    for row in session.execute(stmt):
        key, n = tuple(row[:len(groups)]), row[len(groups):]
        out[key] = CallCounts(*(int(x or 0) for x in n[:-1]), float(n[-1] or 0))
    return out


def call_counts(session: Session, *, start: date, end: date, by: tuple[str, ...] = (),
                answer_seconds: int = ANSWER_TARGET_SECONDS) -> dict[tuple, CallCounts]:
    """Call figures of calls that arrived in the range, keyed by the ``by`` columns' values
    (e.g. ``("line", "site")`` -> ``{("market", "guiyang"): ...}``); ``()`` keys the total."""
    unknown = set(by) - CALL_GROUPS.keys()
    if unknown:
        raise InvalidInput(f"group calls by {sorted(CALL_GROUPS)}", field="by")
    lo, hi = _window(start, end)
    return _call_counts(session, lo, hi, [CALL_GROUPS[name] for name in by], answer_seconds)


def _call_ratios(session, lo, hi, group, target):
    for key, counts in _call_counts(session, lo, hi, [] if group is None else [group],
                                    target).items():
        yield (key[0] if key else None), counts.ratios()


def _response(session, lo, hi, group, now):
    signed = Case.signed_at.is_not(None)
    columns = [_count(and_(signed, Case.signed_at <= Case.sign_due_at)),
               _count(signed | (Case.sign_due_at <= now))]
    where = [Case.dispatched_at >= lo, Case.dispatched_at < hi, Case.merged_into_id.is_(None)]
    for key, (num, den) in _grouped(session, group, columns, where):
        yield key, {"response_rate": Ratio(num, den)}


def _closure(session, lo, hi, group):
    columns = [_count(Case.replied_at <= Case.due_at), func.count()]
    where = [Case.closed_at >= lo, Case.closed_at < hi, Case.status == str(CaseStatus.CLOSED),
             Case.due_at.is_not(None), Case.merged_into_id.is_(None)]
    for key, (num, den) in _grouped(session, group, columns, where):
        yield key, {"on_time_closure_rate": Ratio(num, den)}


def _ratings(session, lo, hi, group):
    columns = [_count(CaseRating.resolved.is_(True)), _count(CaseRating.resolved.is_not(None)),
               _count(CaseRating.rating.in_(SATISFIED)), func.count()]
    where = [CaseRating.at >= lo, CaseRating.at < hi]
    join = (CaseRating, Case, Case.id == CaseRating.case_id)
    for key, (res, surveyed, happy, rated) in _grouped(session, group, columns, where, join):
        yield key, {"resolution_rate": Ratio(res, surveyed),
                    "satisfaction_rate": Ratio(happy, rated)}


def compute_kpis(session: Session, *, start: date, end: date, by: str | None = None,
                 now: datetime | None = None,
                 answer_seconds: int = ANSWER_TARGET_SECONDS) -> list[KpiRow]:
    """The total row (group None) first, then one row per group, sorted, when ``by`` is given.

    Orders without a value for the grouping (e.g. no department yet) form the group '(none)'.
    """
    if by is not None and by not in GROUPINGS:
        raise InvalidInput(f"group by one of {sorted(GROUPINGS)}", field="by")
    lo, hi = _window(start, end)
    now = now or utcnow()
    rows: dict[str | None, dict[str, Ratio]] = {TOTAL: {}}
    for grouping in ([None, by] if by else [None]):
        group = GROUPINGS[grouping] if grouping else None
        parts = [_response(session, lo, hi, group, now), _closure(session, lo, hi, group),
                 _ratings(session, lo, hi, group)]
        if grouping in (None, "site"):
            parts.append(_call_ratios(session, lo, hi, Call.site_id if grouping else None,
                                      answer_seconds))
        for part in parts:
            for key, values in part:
                key = TOTAL if grouping is None else (key if key is not None else NO_GROUP)
                rows.setdefault(key, {}).update(values)
    order = sorted(rows, key=lambda k: (k is not TOTAL, k or ""))
    return [KpiRow(key, {k: rows[key].get(k, Ratio()) for k in KPIS}) for key in order]


def write_csv(rows: list[KpiRow], out) -> None:
    """One line per row: group, then rate, numerator and denominator of each KPI."""
    writer = csv.writer(out)
    writer.writerow(["group", *[f"{k}{s}" for k in KPIS for s in ("", "_num", "_den")]])
    for row in rows:
        cells = [row.group or "(all)"]
        for k in KPIS:
            r = row.values[k]
            cells += ["" if r.value is None else f"{r.value:.4f}", r.num, r.den]
        writer.writerow(cells)
