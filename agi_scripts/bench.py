"""`hotline bench agi`: per-command turnaround of our FastAGI stack beside a do-nothing server.

Both servers are the same threaded socketserver; ours runs the pyst2 adapter with one queue
(Redis) operation per call, the floor writes the same commands and reads raw lines.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from agi_scripts.protocol import HotlineAGI
from agi_scripts.queueing import late_in_slice
from agi_scripts.server import FastAgiServer, Running, tune_for_latency

COMMANDS = 6


def bench_script(agi: HotlineAGI, deps) -> None:
    """Six commands and one queue operation, like a short stretch of a real call. The queue
    operation (a lease refresh) runs late in a hold-music slice, as the waiting loop does."""
    call_id = agi.env.get("agi_uniqueid", "x")
    agi.play("hotline/welcome")
    agi.read_digits("hotline/shortcuts", 2000, 1)
    agi.get_var("DIALSTATUS")
    agi.wait_digit(500, during=late_in_slice(agi, 500,
                                             lambda: deps.queue.refresh_lease(call_id)))
    agi.set_var("HOTLINE_NEXT", "hangup")
    agi.set_var("HOTLINE_DONE", "1")


def inline_script(agi: HotlineAGI, deps) -> None:
    """The same, with the queue operation between two commands (as joining the queue has it)."""
    agi.play("hotline/welcome")
    agi.read_digits("hotline/shortcuts", 2000, 1)
    deps.queue.refresh_lease(agi.env.get("agi_uniqueid", "x"))
    agi.get_var("DIALSTATUS")
    agi.wait_digit(500)
    agi.set_var("HOTLINE_NEXT", "hangup")
    agi.set_var("HOTLINE_DONE", "1")


def floor_script(agi: HotlineAGI, deps) -> None:
    """The same six commands, with no parsing beyond reading each reply line."""
    for command in ('STREAM FILE "hotline/welcome" "" 0', 'GET DATA "hotline/shortcuts" 2000 1',
                    'GET VARIABLE "DIALSTATUS"', "WAIT FOR DIGIT 500",
                    'SET VARIABLE "HOTLINE_NEXT" "hangup"', 'SET VARIABLE "HOTLINE_DONE" "1"'):
        agi.stdout.write(command + "\n")
        agi.stdout.flush()
        agi.stdin.readline()


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(script, deps, calls: int, burst: int) -> dict:
    server = FastAgiServer(("127.0.0.1", 0), deps, routes={"bench": script})
    tune_for_latency()  # as start() does for a real server
    running = Running(server, []).start()
    try:
        proc = subprocess.run([sys.executable, "-m", "agi_scripts.bench_client", "127.0.0.1",
                               str(server.port), str(calls), str(burst)],
                              capture_output=True, text=True, timeout=600, check=True)
    finally:
        running.stop()
    raw = json.loads(proc.stdout.strip().splitlines()[-1])
    t, first = raw["turnarounds"], raw["first"]
    return {"setup_p99_ms": round(percentile(first, 0.99), 3),"p50_ms": round(statistics.median(t), 3) if t else 0.0,
            "p99_ms": round(percentile(t, 0.99), 3), "commands": len(t),
            "calls": raw["calls"], "connect_failures": raw["connect_failures"],
            "errors": raw["errors"]}


def run_bench(deps, calls: int = 1000, burst: int = 400, on_stage=None, rounds: int = 5) -> dict:
    """Floor, ours and inline in turn, `rounds` times; each figure is the median over rounds
    (one run's tail on a shared 2-core machine moves by several times from run to run)."""
    stages = (("floor", "floor: do-nothing FastAGI server", floor_script),
              ("ours", "hotline FastAGI server (pyst2 adapter + queue)", bench_script),
              ("inline", "the same, queue operation between two commands", inline_script))
    got: dict[str, list[dict]] = {key: [] for key, _label, _script in stages}
    for n in range(1, rounds + 1):
        for key, label, script in stages:
            if on_stage:
                on_stage(f"round {n}/{rounds}: {label}")
            got[key].append(measure(script, deps, calls, burst))
    med = {key: {f: statistics.median(r[f] for r in runs)
                 for f in ("p50_ms", "p99_ms", "setup_p99_ms")} for key, runs in got.items()}
    floor, ours, inline = med["floor"], med["ours"], med["inline"]

    def ratio(x: dict) -> float | None:
        return round(x["p99_ms"] / floor["p99_ms"], 2) if floor["p99_ms"] else None

    return {
        "p50_ms": ours["p50_ms"], "p99_ms": ours["p99_ms"],
        "floor_p50_ms": floor["p50_ms"], "floor_p99_ms": floor["p99_ms"],
        "inline_p50_ms": inline["p50_ms"], "inline_p99_ms": inline["p99_ms"],
        "setup_p99_ms": ours["setup_p99_ms"], "floor_setup_p99_ms": floor["setup_p99_ms"],
        "ratio_p99": ratio(ours), "inline_ratio_p99": ratio(inline),
        "p99_ms_by_round": {key: [r["p99_ms"] for r in runs] for key, runs in got.items()},
        "connect_failures": sum(r["connect_failures"] for runs in got.values() for r in runs),
        "errors": sum(r["errors"] for runs in got.values() for r in runs),
        "calls": min(r["calls"] for r in got["ours"]), "commands": got["ours"][0]["commands"],
        "burst": burst, "rounds": rounds,
    }
