"""`hotline bench agi` as an operator runs it: every figure beside its floor, JSON last."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def test_bench_agi_reports_ours_inline_and_the_floor_with_no_failures(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env["HOTLINE_VAR_DIR"] = str(tmp_path / "var")
    done = subprocess.run([sys.executable, "-m", "hotline", "bench", "agi", "--calls", "30",
                           "--burst", "10", "--rounds", "1"],
                          capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    for key in ("p50_ms", "p99_ms", "floor_p99_ms", "inline_p99_ms", "connect_failures",
                "calls"):
        assert key in result, key
    assert result["calls"] == 30 and result["connect_failures"] == 0 and result["errors"] == 0
    assert result["commands"] == 30 * 5  # five turnarounds per call: every command answered
    assert set(result["p99_ms_by_round"]) == {"floor", "ours", "inline"}
    assert "do-nothing" in done.stdout + done.stderr
