"""CLI commands of the voice area, registered on the main app by hotline.cli."""

from __future__ import annotations

import contextlib
from typing import Annotated

import typer

from hotline.console import clear_errors, console, emit_json


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add this area's commands to `app` and its benchmarks to `bench`."""
    app.command("simulate")(simulate)
    bench.command("agi")(bench_agi)


def simulate(
    calls: Annotated[int, typer.Option(help="Citizens to call in.")] = 300,
    concurrency: Annotated[int, typer.Option(help="Citizens on the line at once, at most.")] = 100,
    agents: Annotated[int, typer.Option(help="Simulated agents logged in.")] = 25,
    duration: Annotated[float, typer.Option(help="Seconds over which the calls arrive.")] = 40.0,
    agi: Annotated[str | None, typer.Option(help="HOST:PORT of a running FastAGI server; "
                                            "default: start an embedded one.")] = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 12345,
    asterisk: Annotated[bool, typer.Option(
        "--asterisk", help="Call through the real Asterisk (root; `hotline asterisk up` "
        "with the test contexts is done for you) instead of the built-in peer.")] = False,
) -> None:
    """Push simulated citizens through the voice menu and queue; check every call's CRM row."""
    from agi_scripts.simulator import SimConfig

    cfg = SimConfig(calls=calls, concurrency=concurrency, agents=agents, duration=duration,
                    seed=seed)
    with clear_errors():
        summary = _simulate_asterisk(cfg) if asterisk else _simulate(cfg, agi)
    _print_summary(summary)
    emit_json(summary.as_dict())
    if summary.lost:
        raise typer.Exit(1)


def _simulate(cfg, agi: str | None):
    from agi_scripts.simulator import Simulation
    from hotline.context import AppContext
    from hotline.voice_sim import attach_watcher, embedded_system, summarize

    ctx = AppContext.from_env()
    with contextlib.ExitStack() as stack:
        if agi:
            from callqueue.api import CallQueue
            from config.settings import split_bind

            address, operator, sessions = split_bind(agi), ctx.operator, ctx.sessions
            queue = CallQueue(ctx.redis, operator)
            sim = Simulation(address, queue, operator, cfg)
        else:
            address, queue, sessions, operator, running = stack.enter_context(
                embedded_system(ctx.operator))
            sim = Simulation(address, queue, operator, cfg)
            attach_watcher(running, queue, sim.agents)
        tally = _run_with_progress(sim, cfg)
        return summarize(tally, sessions, operator)


def _simulate_asterisk(cfg):
    from hotline.asterisk_sim import asterisk_simulation
    from hotline.context import AppContext
    from hotline.voice_sim import summarize

    ctx = AppContext.from_env()
    log = lambda line: console.print(line, highlight=False)  # noqa: E731
    with asterisk_simulation(ctx, cfg, log=log) as (sim, sessions, operator):
        tally = _run_with_progress(sim, cfg)
        return summarize(tally, sessions, operator)


def _run_with_progress(sim, cfg):
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("[bold]calls[/]"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
               TextColumn("{task.fields[detail]}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("calls", total=cfg.calls, detail="")

        def update(t):
            progress.update(task, completed=t.done,
                            detail=f"placed {t.placed}  emergency {t.emergency}  fallback {t.fallback}")
        return sim.run(on_progress=update)


def _print_summary(summary) -> None:
    from rich.table import Table

    table = Table(title="hotline simulate")
    table.add_column("measure")
    table.add_column("calls", justify="right")
    for key, value in summary.as_dict().items():
        table.add_row(key.replace("_", " "), str(value))
    console.print(table)


def bench_agi(
    calls: Annotated[int, typer.Option(help="Concurrent calls.")] = 1000,
    burst: Annotated[int, typer.Option(help="Calls arriving at the same instant.")] = 400,
    rounds: Annotated[int, typer.Option(
        min=1, max=20, help="Floor/ours/inline runs in turn; figures are medians.")] = 5,
) -> None:
    """Per-command turnaround at CALLS concurrent calls beside a do-nothing FastAGI server."""
    from agi_scripts.bench import run_bench
    from hotline.context import AppContext
    from hotline.voice_sim import embedded_system

    with clear_errors():
        ctx = AppContext.from_env()
        with embedded_system(ctx.operator) as (_, queue, sessions, operator, running):
            deps = running.server.deps
            with console.status("benchmarking") as status:
                result = run_bench(deps, calls, burst, on_stage=lambda s: status.update(s),
                                   rounds=rounds)
    result["targets_met"] = {
        "p99_ms": result["p99_ms"] <= 5.0,
        "ratio_p99": result["ratio_p99"] is not None and result["ratio_p99"] <= 2.0,
        "connect_failures": result["connect_failures"] == 0}
    _print_agi_table(result)
    emit_json(result)


def _print_agi_table(result: dict) -> None:
    from rich.table import Table

    table = Table(title=f"hotline bench agi: {result['calls']} calls, {result['burst']} at once, "
                        f"median of {result['rounds']} rounds")
    for col in ("server", "p50 ms", "p99 ms", "p99 / floor"):
        table.add_column(col)
    table.add_row("ours (queue work late in a slice)", str(result["p50_ms"]),
                  str(result["p99_ms"]), f"x{result['ratio_p99']}")
    table.add_row("ours, queue work between commands", str(result["inline_p50_ms"]),
                  str(result["inline_p99_ms"]), f"x{result['inline_ratio_p99']}")
    table.add_row("floor: do-nothing server", str(result["floor_p50_ms"]),
                  str(result["floor_p99_ms"]), "x1")
    console.print(table)
    console.print(f"connection failures {result['connect_failures']}, errors {result['errors']}")
