"""CLI commands of the cases area: `hotline sla deadline|sweep` and `hotline kpi`."""

from __future__ import annotations

import json
import logging
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from hotline.console import clear_errors, console

sla_app = typer.Typer(help="Time limits: deadlines, reminders (催办) and supervision (督办).",
                      no_args_is_help=True)
BY_CHOICES = ("site", "department", "category")


def _parse_start(text: str) -> datetime:
    from crm.workdays import LOCAL_TZ

    try:
        start = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not an ISO 8601 date-time: {text!r}") from None
    return start if start.tzinfo else start.replace(tzinfo=LOCAL_TZ)


@sla_app.command("deadline")
def sla_deadline(
    start: Annotated[str, typer.Option("--from", help="ISO 8601 start; no offset means +08:00.")],
    days: Annotated[int, typer.Option(help="Working days; 0 = the end of the same day.")],
) -> None:
    """Print the deadline N working days after --from, as an ISO 8601 date-time."""
    from crm.workdays import WorkCalendar
    from hotline.context import AppContext

    with clear_errors():
        calendar = WorkCalendar.from_config(AppContext.from_env().operator)
        logging.getLogger("crm.workdays").setLevel(logging.ERROR)
        try:
            deadline = calendar.deadline(_parse_start(start), days)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
        for year in sorted(calendar.assumed_years):
            console.print(f"[yellow]warning[/]: no holiday data for {year}; counted Monday-Friday "
                          "except 1 Jan, 1-2 May and 1-3 Oct as working days (add the year to "
                          "config/holidays.toml)", highlight=False)
        typer.echo(deadline.isoformat())


@sla_app.command("sweep")
def sla_sweep() -> None:
    """Run one SLA sweep now: reminders before deadlines, supervision orders when overdue."""
    from crm.sla import run_sla_sweep
    from crm.types import utcnow
    from hotline.context import AppContext

    with clear_errors():
        ctx = AppContext.from_env()
        before = timedelta(hours=ctx.operator.time_limits.reminder_before_hours)
        with ctx.sessions.begin() as session:
            result = run_sla_sweep(session, utcnow(), reminder_before=before)
        typer.echo(json.dumps(result.as_dict(), sort_keys=True))


def kpi(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (local).")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD (inclusive).")],
    by: Annotated[str | None, typer.Option(help="Group by site, department or category.")] = None,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="Also write rows as CSV.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """The seven KPIs (接通率 … 满意率) for a date range, in total and per group."""
    from crm.kpi import compute_kpis, write_csv
    from hotline.context import AppContext

    if by is not None and by not in BY_CHOICES:
        raise typer.BadParameter(f"--by must be one of {', '.join(BY_CHOICES)}")
    with clear_errors():
        ctx = AppContext.from_env()
        first, last = _date(start, "--from"), _date(end, "--to")
        with ctx.sessions.begin() as session:
            rows = compute_kpis(session, start=first, end=last, by=by,
                                answer_seconds=ctx.operator.queue.answer_target_seconds)
        if csv_file is not None:
            with csv_file.open("w", encoding="utf-8", newline="") as out:
                write_csv(rows, out)
            console.print(f"wrote {len(rows)} rows to {csv_file}")
        if as_json:
            typer.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False))
        else:
            _table(rows, by)


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{option}: not a date YYYY-MM-DD: {text!r}") from None


def _table(rows, by: str | None) -> None:
    from rich.console import Console
    from rich.table import Table

    from crm.kpi import KPIS

    table = Table(title="KPIs")
    table.add_column(by or "scope")
    for name in KPIS:
        table.add_column(name.replace("_", " "), justify="right")
    for row in rows:
        cells = [f"{r.value:.1%} ({r.num}/{r.den})" if r.value is not None else "-"
                 for r in row.values.values()]
        table.add_row(row.group or "(all)", *cells)
    Console(file=sys.stdout, width=200).print(table)


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add this area's commands to `app` and its benchmarks to `bench`."""
    app.add_typer(sla_app, name="sla")
    app.command("kpi")(kpi)
    from hotline import cmd_survey  # the phone callback survey (回访)

    cmd_survey.register(app, bench)
