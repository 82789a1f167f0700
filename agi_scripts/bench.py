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
from agi_scripts.server import FastAgiServer, Running

COMMANDS = 6


def bench_script(agi: HotlineAGI, deps) -> None:
    """Six commands and one queue operation, like a short stretch of a real call."""
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


def run_bench(deps, calls: int = 1000, burst: int = 400, on_stage=None) -> dict:
    if on_stage:
        on_stage("floor: do-nothing FastAGI server")
    floor = measure(floor_script, deps, calls, burst)
    if on_stage:
        on_stage("hotline FastAGI server (pyst2 adapter + queue)")
    ours = measure(bench_script, deps, calls, burst)
    return {
        "p50_ms": ours["p50_ms"], "p99_ms": ours["p99_ms"],
        "floor_p50_ms": floor["p50_ms"], "floor_p99_ms": floor["p99_ms"],
        "setup_p99_ms": ours["setup_p99_ms"], "floor_setup_p99_ms": floor["setup_p99_ms"],
        "ratio_p99": round(ours["p99_ms"] / floor["p99_ms"], 2) if floor["p99_ms"] else None,
        "connect_failures": ours["connect_failures"] + floor["connect_failures"],
        "calls": ours["calls"], "floor_calls": floor["calls"], "commands": ours["commands"],
        "errors": ours["errors"] + floor["errors"], "burst": burst,
    }
