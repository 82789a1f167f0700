"""CLI commands of the web area, registered on the main app by hotline.cli."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add this area's commands to `app` and its benchmarks to `bench`."""

    @bench.command("web")
    def bench_web(
        agents: Annotated[int, typer.Option(help="Agents signed in.")] = 300,
        waiting: Annotated[int, typer.Option(help="Callers waiting.")] = 2000,
        rps: Annotated[float, typer.Option(help="Requests per second to each endpoint.")] = 50.0,
        seconds: Annotated[float, typer.Option(help="Seconds measured per endpoint.")] = 10.0,
    ) -> None:
        """Wallboard snapshot p99 at a steady rate, beside a trivial endpoint (the floor)."""
        from hotline.console import console, emit_json
        from web.bench import run

        result = run(agents=agents, waiting=waiting, rps=rps, seconds=seconds, console=console)
        console.print(f"snapshot p99 {result['snapshot_p99_ms']} ms, "
                      f"floor p99 {result['floor_p99_ms']} ms at {rps:.0f} requests/s")
        emit_json(result)
