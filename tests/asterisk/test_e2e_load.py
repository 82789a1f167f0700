"""End to end on the real Asterisk: 50 concurrent real calls, each recorded exactly once."""

from __future__ import annotations

from collections import Counter

import pytest

from e2e_harness import wait_for

pytestmark = pytest.mark.asterisk
CALLS = 50
AGENTS = 10
# What the citizens do, in turn: most wait for a person; some give up; some press 9.
SCRIPTS = ["w90:h"] * 7 + ["w12:h"] * 2 + ["w1:d9:w10:h"]


def test_fifty_concurrent_calls_each_leave_exactly_one_call_row(hotline):
    for i in range(AGENTS):
        hotline.agent(f"86{i:02d}", "1:2")
    actions = [hotline.call(SCRIPTS[i % len(SCRIPTS)], caller=f"139850104{i:02d}")
               for i in range(CALLS)]
    call_ids = [hotline.answered(a, timeout=60)["Uniqueid"] for a in actions]
    assert len(set(call_ids)) == CALLS

    def recorded():
        rows = {r.call_id: r for r in hotline.rows()}
        return rows if all(c in rows for c in call_ids) else None

    rows = wait_for(recorded, 240, "a Call row for every call")
    assert sorted(rows) == sorted(call_ids)  # one row each, none lost, none extra
    outcomes = Counter(r.outcome for r in rows.values())
    assert outcomes["emergency_transfer"] == CALLS // len(SCRIPTS)
    assert outcomes["answered"] > 0
    assert set(outcomes) <= {"answered", "abandoned", "emergency_transfer"}
    answered = [r for r in rows.values() if r.outcome == "answered"]
    assert all(r.case_id is not None and r.agent for r in answered)
