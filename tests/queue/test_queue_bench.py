"""`hotline bench queue` as an operator runs it: a table, then one JSON line; nothing left over."""

from __future__ import annotations

import json
import os
import subprocess
import sys

REQUIRED = ("pairs_per_s", "raw_pairs_per_s", "assign_p99_ms", "notify_p99_ms",
            "bytes_per_waiting")


def test_bench_queue_reports_every_figure_beside_its_floor_and_cleans_up(redis_url,
                                                                         redis_client):
    before = set(redis_client.scan_iter(match="*"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    done = subprocess.run(
        [sys.executable, "-m", "hotline", "bench", "queue", "--redis-url", redis_url,
         "--pairs", "80", "--workers", "4", "--agents", "12", "--waiting", "40",
         "--assigns", "24", "--notifies", "5", "--memory-entries", "50"],
        capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    for key in REQUIRED:
        assert result[key] > 0, key
    assert result["workers"] == 4 and result["pairs"] == 80
    assert result["waiting_during_assign"] == 40  # the at-scale section held its callers
    assert set(result["targets_met"]) == {"pairs_per_s", "assign_p99_ms", "notify_p99_ms",
                                          "bytes_per_waiting"}
    assert "raw round trips" in done.stdout + done.stderr  # the table (on the console)
    assert set(redis_client.scan_iter(match="*")) == before


def test_bench_queue_refuses_zero_workers_before_touching_redis(redis_url):
    done = subprocess.run(
        [sys.executable, "-m", "hotline", "bench", "queue", "--redis-url", redis_url,
         "--workers", "0"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "workers" in done.stderr
