"""CLI commands of the asterisk area: `hotline asterisk up|down|cli|status`, `hotline prompts build`."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from hotline.console import clear_errors, console, emit_json

asterisk_app = typer.Typer(help="Asterisk 22 in its Debian sid root (needs root).",
                           no_args_is_help=True)
prompts_app = typer.Typer(help="What callers hear: prompts rendered for Asterisk.",
                          no_args_is_help=True)


@contextlib.contextmanager
def _errors():
    """Our coded errors (and config errors) as one clear line, exit status 2."""
    from hotline.asterisk_root import AsteriskEnvError
    from hotline.prompts import PromptBuildError

    with clear_errors():
        try:
            yield
        except (AsteriskEnvError, PromptBuildError) as exc:
            console.print(f"[bold red]error[/] ({exc.code}): {exc.message}", highlight=False)
            raise typer.Exit(2) from None


def _settings():
    from config.settings import load_settings

    return load_settings()


def build_prompts_with_progress(settings):
    """Render the configured prompts with a progress bar; return the BuildReport."""
    from rich.progress import Progress

    from config.operator import load_operator_config
    from hotline.prompts import build_prompts, prompt_count

    prompts = load_operator_config(settings.config_dir).prompts
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("rendering prompts", total=prompt_count(prompts))
        report = build_prompts(prompts, settings.prompts_dir,
                               on_step=lambda key: progress.advance(task))
    return report


def _print_report(report, settings) -> None:
    from rich.table import Table

    from hotline.prompts import WELCOME_BUDGET_S, WELCOME_PROMPTS

    table = Table("prompt", "zh s", "en s", title=f"prompts in {settings.prompts_dir}")
    for pid in sorted({item.prompt_id for item in report.items}):
        table.add_row(pid, f"{report.duration(pid, 'zh'):.2f}", f"{report.duration(pid, 'en'):.2f}")
    console.print(table)
    console.print(f"rendered {report.rendered_count}, unchanged "
                  f"{len(report.items) - report.rendered_count}")
    for lang in ("zh", "en"):
        total = report.welcome_seconds(lang)
        colour = "green" if total <= WELCOME_BUDGET_S else "yellow"
        console.print(f"[{colour}]{lang}: {' + '.join(WELCOME_PROMPTS)} = {total:.2f} s[/] "
                      f"(budget about {WELCOME_BUDGET_S:.0f} s before the queue)")


@prompts_app.command("build")
def prompts_build() -> None:
    """Render config/prompts.toml to 8 kHz mono WAV (espeak-ng + sox); unchanged ones are skipped."""
    with _errors():
        settings = _settings()
        _print_report(build_prompts_with_progress(settings), settings)


@asterisk_app.command("up")
def asterisk_up(
    test_contexts: Annotated[bool, typer.Option(
        "--test-contexts", help="Also install the test-only contexts (simulated citizens).")] = False,
) -> None:
    """Create the root if needed, load asterisk_conf/ and the prompts, start Asterisk."""
    from hotline.asterisk_env import AsteriskEnv
    from hotline.context import AppContext
    from hotline.seat_wiring import seat_files

    with _errors():
        ctx = AppContext.from_env()
        settings = ctx.settings
        build_prompts_with_progress(settings)
        env = AsteriskEnv.from_settings(settings, include_test=test_contexts,
                                        extra_files=seat_files(ctx))
        outcome = env.up(log=lambda line: console.print(line, highlight=False))
        console.print(f"Asterisk {outcome} in {env.root} (pid {env.running_pid()}); "
                      f"AMI {settings.ami_host}:{settings.ami_port}")


@asterisk_app.command("down")
def asterisk_down() -> None:
    """Stop Asterisk and unmount /proc and /dev from the root."""
    from hotline.asterisk_env import AsteriskEnv

    with _errors():
        env = AsteriskEnv.from_settings(_settings())
        stopped = env.down()
        console.print("Asterisk stopped" if stopped else "Asterisk was not running; unmounted")


@asterisk_app.command("cli")
def asterisk_cli(command: Annotated[str, typer.Argument(help='e.g. "core show channels"')]) -> None:
    """Run one Asterisk CLI command (asterisk -rx) inside the root; print its output."""
    from hotline.asterisk_env import AsteriskEnv

    with _errors():
        typer.echo(AsteriskEnv.from_settings(_settings()).cli(command), nl=False)


@asterisk_app.command("status")
def asterisk_status() -> None:
    """Say whether the root exists and whether Asterisk runs in it (exit 1 when not running)."""
    from hotline.asterisk_env import AsteriskEnv
    from hotline.asterisk_root import is_ready

    with _errors():
        env = AsteriskEnv.from_settings(_settings())
        pid = env.running_pid()
        console.print(f"root {env.root}: {'ready' if is_ready(env.root) else 'absent'}; "
                      f"Asterisk {'running, pid ' + str(pid) if pid else 'not running'}")
        if not pid:
            raise typer.Exit(1)


@asterisk_app.command("import-cdr")
def asterisk_import_cdr(
    queue_log: Annotated[Path | None, typer.Option(
        help="queue_log to read; default: the root's /var/log/asterisk/queue_log.")] = None,
    cdr: Annotated[Path | None, typer.Option(
        help="CDR CSV to read; default: the root's cdr-csv/Master.csv.")] = None,
) -> None:
    """Record the calls the app_queue fallback carried while FastAGI was down (idempotent)."""
    from crm.cdr_import import import_fallback_calls
    from hotline.asterisk_env import AsteriskEnv
    from hotline.context import AppContext

    with _errors():
        ctx = AppContext.from_env()
        env = AsteriskEnv.from_settings(ctx.settings)
        report = import_fallback_calls(
            ctx.sessions, ctx.operator, queue_log or env.asterisk_log("queue_log"),
            cdr or env.asterisk_log("cdr-csv/Master.csv"))
        console.print(f"fallback calls seen {report.seen}: recorded {report.created}, "
                      f"already recorded {report.existing}")
        emit_json(report.as_dict())


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add this area's commands to `app` and its benchmarks to `bench`."""
    app.add_typer(asterisk_app, name="asterisk")
    app.add_typer(prompts_app, name="prompts")
