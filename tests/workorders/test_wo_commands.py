"""`hotline sla deadline|sweep` and `hotline kpi` as an operator runs them."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path


def _hotline(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env["HOTLINE_VAR_DIR"] = str(tmp_path / "var")
    return subprocess.run([sys.executable, "-m", "hotline", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def test_sla_deadline_prints_an_iso_datetime(tmp_path):
    result = _hotline(tmp_path, "sla", "deadline", "--from", "2026-09-30T10:00:00+08:00", "--days", "3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2026-10-10T23:59:59+08:00"  # make-up Saturday counts
    assert "warning" not in result.stderr


def test_sla_deadline_into_2027_warns_but_answers(tmp_path):
    result = _hotline(tmp_path, "sla", "deadline", "--from", "2026-12-30T09:00", "--days", "5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2027-01-07T23:59:59+08:00"
    assert "no holiday data for 2027" in result.stderr and "holidays.toml" in result.stderr


def test_sla_deadline_refuses_a_bad_date(tmp_path):
    result = _hotline(tmp_path, "sla", "deadline", "--from", "next tuesday", "--days", "1")
    assert result.returncode == 2 and "ISO 8601" in result.stderr


def test_kpi_and_sweep_on_a_fresh_database(tmp_path):
    assert _hotline(tmp_path, "db", "upgrade").returncode == 0
    sweep = _hotline(tmp_path, "sla", "sweep")
    assert sweep.returncode == 0, sweep.stderr
    assert json.loads(sweep.stdout.strip().splitlines()[-1]) == {
        "reminders": 0, "supervision_orders": 0, "resolved": 0}
    out = tmp_path / "kpi.csv"
    result = _hotline(tmp_path, "kpi", "--from", "2026-11-01", "--to", "2026-11-30", "--by",
                      "site", "--csv", str(out))
    assert result.returncode == 0, result.stderr
    assert "connection" in result.stdout
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert rows[0]["group"] == "(all)" and rows[0]["connection_rate_den"] == "0"
    as_json = _hotline(tmp_path, "kpi", "--from", "2026-11-01", "--to", "2026-11-30", "--json")
    assert json.loads(as_json.stdout)[0]["group"] is None
    bad = _hotline(tmp_path, "kpi", "--from", "2026-11-30", "--to", "2026-11-01")
    assert bad.returncode == 2 and "invalid_input" in bad.stderr
