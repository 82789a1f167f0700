"""KPIs for supervisors: the JSON API, a CSV export for Excel, and the page with charts."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from crm import audit
from crm.kpi import compute_kpis
from web.deps import StateDep, UserDep, actor_of
from web.kpi_views import DEFINITIONS, csv_text, date_range, rows_out
from web.pages import render

router = APIRouter(prefix="/api", tags=["kpi"])
pages = APIRouter(include_in_schema=False)
From = Annotated[date | None, Query(alias="from", description="first day, local (inclusive)")]
To = Annotated[date | None, Query(alias="to", description="last day, local (inclusive)")]
By = Annotated[Literal["site", "department", "category"] | None, Query()]


def _compute(state, user, start, end, by, action: str):
    start, end = date_range(start, end)
    with state.ctx.sessions.begin() as db:
        rows = compute_kpis(db, start=start, end=end, by=by,
                            answer_seconds=state.operator.queue.answer_target_seconds)
        audit.record(db, actor_of(user), action, None, start=start.isoformat(),
                     end=end.isoformat(), by=by or "")
    return start, end, rows


@router.get("/kpi", summary="The seven KPIs for a date range, in total and per group")
def kpi(user: UserDep, state: StateDep, start: From = None, end: To = None,
        by: By = None) -> dict:
    start, end, rows = _compute(state, user, start, end, by, "kpi_read")
    return {"from": start.isoformat(), "to": end.isoformat(), "by": by or "",
            "definitions": [{"id": k, "name": n, "definition": d} for k, n, d in DEFINITIONS],
            "rows": rows_out(rows, state.operator, by)}


@router.get("/kpi.csv", summary="The KPIs as CSV (UTF-8 with BOM, for Excel)")
def kpi_csv(user: UserDep, state: StateDep, start: From = None, end: To = None,
            by: By = None) -> Response:
    start, end, rows = _compute(state, user, start, end, by, "kpi_export")
    name = f"kpi-{start:%Y%m%d}-{end:%Y%m%d}-{by or 'total'}.csv"
    return Response(csv_text(rows, state.operator, by).encode("utf-8"),
                    media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@pages.get("/kpi")
def kpi_page(request: Request, user: UserDep):
    return render(request, "kpi.html", user=user, definitions=DEFINITIONS)
