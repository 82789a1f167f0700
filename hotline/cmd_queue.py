"""CLI commands of the queue area, registered on the main app by hotline.cli."""

from __future__ import annotations

import tempfile
from typing import Annotated

import typer


def register(app: typer.Typer, bench: typer.Typer) -> None:
    """Add this area's commands to `app` and its benchmarks to `bench`."""
    bench.command("queue")(bench_queue)


def bench_queue(
    redis_url: Annotated[str | None, typer.Option(
        help="Use this Redis (keys go to a private partition, deleted after); "
             "default: an embedded Redis (AOF everysec) in a temporary directory.")] = None,
    pairs: Annotated[int, typer.Option(help="enqueue+assign pairs, ours and raw.")] = 5000,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Threads of this one process sharing the work (as a FastAGI "
                            "server's call threads do); the floor runs with as many.")] = 8,
    agents: Annotated[int, typer.Option(help="Busy agents in the at-scale section.")] = 300,
    waiting: Annotated[int, typer.Option(help="Waiting callers in the at-scale section.")] = 5000,
    assigns: Annotated[int, typer.Option(help="Timed assignments at scale.")] = 2000,
    notifies: Annotated[int, typer.Option(help="Notify samples (blocked caller wakes).")] = 300,
    memory_entries: Annotated[int, typer.Option(help="Callers for the memory figure.")] = 5000,
) -> None:
    """Queue throughput, assign latency at scale, notify latency and memory per caller."""
    from hotline.console import clear_errors, emit_json

    with clear_errors(), tempfile.TemporaryDirectory(prefix="hotline-bench-queue-") as tmp:
        if redis_url:
            result = _run(redis_url, pairs, workers, agents, waiting, assigns, notifies,
                          memory_entries)
        else:
            from hotline.redis_server import EmbeddedRedis

            with EmbeddedRedis(tmp) as server:
                result = _run(server.url, pairs, workers, agents, waiting, assigns, notifies,
                              memory_entries)
    _print_table(result)
    emit_json(result)


def _run(url: str, pairs: int, workers: int, agents: int, waiting: int, assigns: int,
         notifies: int, memory_entries: int) -> dict:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    from callqueue.bench import Bench, summary, targets_met
    from hotline.console import console
    from hotline.context import AppContext, redis_client

    # the servers' own client, with a connection for each worker thread
    client = redis_client(url, max_connections=workers + 4)
    bench = Bench(client, AppContext.from_env().operator)
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    try:
        with Progress(*columns, console=console) as progress:
            def section(label: str, total: int):
                task = progress.add_task(label, total=total)
                return lambda n: progress.advance(task, n)

            samples = {"ping": bench.ping_floor(2000)}
            samples["pairs1"] = bench.pairs(pairs, 1, section("ours, one client", pairs))
            samples["raw1"] = bench.raw_pairs(pairs, 1, section("raw, one client", pairs))
            samples["pairs"] = bench.pairs(pairs, workers,
                                           section(f"ours, {workers} threads", pairs))
            samples["raw"] = bench.raw_pairs(pairs, workers,
                                             section(f"raw, {workers} threads", pairs))
            samples["scale"] = bench.at_scale(agents, waiting, assigns,
                                              section(f"assign, {agents} agents / {waiting} "
                                                      "waiting", assigns))
            samples["notify"] = bench.notify(notifies, section("notify", notifies))
            samples["bytes"] = bench.memory(memory_entries,
                                            section("memory per waiting", memory_entries))
    finally:
        bench.cleanup()
        client.close()
    result = summary(**samples)
    result.update(agents=agents, waiting=waiting, pairs=pairs, workers=workers,
                  targets_met=targets_met(result))
    return result


def _print_table(result: dict) -> None:
    from rich.table import Table

    from hotline.console import console

    table = Table(title="hotline bench queue")
    for col in ("figure", "ours", "floor / note"):
        table.add_column(col)
    table.add_row(f"enqueue+assign pairs/s, {result['workers']} threads",
                  str(result["pairs_per_s"]), f"raw round trips {result['raw_pairs_per_s']}")
    table.add_row("pair p50 / p99 ms", f"{result['pair_p50_ms']} / {result['pair_p99_ms']}",
                  f"raw {result['raw_pair_p50_ms']} / {result['raw_pair_p99_ms']}")
    table.add_row("pairs/s, one client", str(result["one_client_pairs_per_s"]),
                  f"raw {result['one_client_raw_pairs_per_s']}; two PINGs bound "
                  f"{result['rtt_bound_pairs_per_s']}")
    table.add_row("assign p50 / p99 ms", f"{result['assign_p50_ms']} / {result['assign_p99_ms']}",
                  f"{result['agents']} agents, {result['waiting_during_assign']} waiting")
    table.add_row("notify p50 / p99 ms", f"{result['notify_p50_ms']} / {result['notify_p99_ms']}",
                  f"PING p50 {result['ping_p50_us']} µs")
    table.add_row("bytes per waiting caller", str(result["bytes_per_waiting"]), "target < 2048")
    console.print(table)
