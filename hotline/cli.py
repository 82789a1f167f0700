"""`hotline`: run the hotline and operate it (database, users, configuration, benchmarks)."""

from __future__ import annotations

from typing import Annotated

import typer

from hotline import cmd_asterisk, cmd_cases, cmd_queue, cmd_voice, cmd_web
from hotline.console import clear_errors, console

app = typer.Typer(help="The 12345 government service hotline.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
db_app = typer.Typer(help="The CRM database.", no_args_is_help=True)
user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
config_app = typer.Typer(help="Operator data under config/.", no_args_is_help=True)
serve_app = typer.Typer(help="Run one server in the foreground (`up` runs them all).",
                        no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks; each prints one JSON object as its last line.",
                        no_args_is_help=True)
for sub, name in ((db_app, "db"), (user_app, "user"), (config_app, "config"),
                  (serve_app, "serve"), (bench_app, "bench")):
    app.add_typer(sub, name=name)


@app.command()
def up(
    demo: Annotated[bool, typer.Option(help="Push a short burst of simulated calls through.")] = False,
    demo_calls: Annotated[int, typer.Option(help="Calls in the demonstration.")] = 40,
    asterisk: Annotated[bool, typer.Option(
        "--asterisk/--no-asterisk",
        help="Start Asterisk 22 from its Debian root (built on first use; needs root).")] = True,
) -> None:
    """Start Redis (embedded unless HOTLINE_REDIS_URL is set), FastAGI, the web and Asterisk,
    supervised."""
    from hotline.supervisor import run_up

    with clear_errors():
        raise typer.Exit(run_up(demo=demo, demo_calls=demo_calls, asterisk=asterisk))


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations, then copy sites and departments from config into the database."""
    from hotline.context import AppContext
    from hotline.setup import prepare_database

    with clear_errors():
        ctx = AppContext.from_env()
        prepare_database(ctx, revision)
        console.print(f"database at [bold]{revision}[/]: {_safe_url(ctx)}")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (`base` removes every table)."""
    from crm.migrate import downgrade
    from hotline.context import AppContext

    with clear_errors():
        ctx = AppContext.from_env()
        downgrade(ctx.settings.effective_database_url, revision)
        console.print(f"database at {revision}")


def _safe_url(ctx) -> str:
    from sqlalchemy.engine import make_url

    return make_url(ctx.settings.effective_database_url).render_as_string(hide_password=True)


@user_app.command("add")
def user_add(
    username: str,
    role: Annotated[str, typer.Option(help="agent | supervisor | department | admin")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True,
                                          confirmation_prompt=True)],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    department: Annotated[str | None, typer.Option(help="Department id (handlers).")] = None,
    site: Annotated[str | None, typer.Option(help="Site id.")] = None,
    extension: Annotated[str | None, typer.Option(help="Agent extension.")] = None,
    skills: Annotated[str, typer.Option(help="Agent lines as line:level,... e.g. general:1")] = "general:1",
) -> None:
    """Create a staff account (password stored as an argon2 hash)."""
    from hotline.context import AppContext
    from hotline.setup import create_user

    with clear_errors():
        ctx = AppContext.from_env()
        user = create_user(ctx, username, role, password, name=name, department=department,
                           site=site, extension=extension, skills=skills)
        console.print(f"created {user.role} [bold]{user.username}[/] (id {user.id})")
        if extension:
            _apply_seats(ctx, extension)


def _apply_seats(ctx, extension: str) -> None:
    """A new agent's seat reaches a running Asterisk now (else at its next start)."""
    from hotline.seat_wiring import live_seat_sync

    sync = live_seat_sync(ctx)
    if sync is not None and sync.apply():
        console.print(f"SIP seat {extension} written to Asterisk (password: "
                      "GET /api/agent/seat after login)")


@config_app.command("check")
def config_check() -> None:
    """Validate settings and every operator file; exit 2 naming file and key on a problem."""
    from hotline.context import AppContext

    with clear_errors():
        ctx = AppContext.from_env()
        op = ctx.operator
        console.print(
            f"[green]ok[/] {op.directory}: {len(op.sites)} sites, {len(op.lines)} lines, "
            f"{len(op.legacy_numbers)} legacy numbers, {len(op.menu.menus)} menus, "
            f"{len(op.prompts)} prompts, {len(op.departments)} departments, "
            f"{len(op.dispatch)} dispatch rules, {len(op.categories)} categories, "
            f"{len(op.request_types)} request types, {len(op.pause_reasons)} pause reasons"
        )


@serve_app.command("web")
def serve_web() -> None:
    """The FastAPI service on HOTLINE_WEB_BIND."""
    from hotline.servers import serve_web as run

    with clear_errors():
        run()


@serve_app.command("agi")
def serve_agi() -> None:
    """The FastAGI server on HOTLINE_FASTAGI_BIND."""
    from hotline.servers import serve_agi as run

    with clear_errors():
        run()


for module in (cmd_queue, cmd_voice, cmd_asterisk, cmd_cases, cmd_web):
    module.register(app, bench_app)
