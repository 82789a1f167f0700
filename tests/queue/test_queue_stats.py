"""Erlang C against a published table and hand-computed cases; estimates; live figures."""

from __future__ import annotations

import math
from datetime import datetime, timezone

import pytest

from callqueue import erlang, stats
from callqueue.models import AgentInfo, WaitingEntry

# /work/shared/performance.md: AHT 300 s, agents needed for a service level.
PUBLISHED = [  # calls/h, fraction, within s, agents
    (1000, 0.80, 20, 91), (1000, 0.90, 15, 95), (1000, 0.95, 15, 97),
    (2000, 0.80, 20, 176), (2000, 0.90, 15, 181), (2000, 0.95, 15, 185),
    (3000, 0.80, 20, 261), (3000, 0.90, 15, 267), (3000, 0.95, 15, 271),
]


@pytest.mark.parametrize("per_hour,fraction,within,agents", PUBLISHED)
def test_staffing_matches_the_published_erlang_c_table(per_hour, fraction, within, agents):
    assert erlang.agents_needed(per_hour, 300, fraction, within) == agents


def test_erlang_c_hand_computed():
    # N = 2, A = 1: B = 1/5, C = 2*(1/5) / (2 - 1*(4/5)) = 1/3; ASA = C * AHT / (N - A)
    assert erlang.erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang.mean_wait(2, 1.0, 60) == pytest.approx(20.0)
    # N = 1 is M/M/1: P(wait) = rho, W = rho / (1 - rho) * AHT
    assert erlang.erlang_c(1, 0.5) == pytest.approx(0.5)
    assert erlang.mean_wait(1, 0.5, 100) == pytest.approx(100.0)
    assert erlang.mean_wait(3, 3.0, 60) == math.inf


def test_estimate_falls_back_when_data_is_thin():
    thin = stats.Recent(arrivals=2, answered=2, wait_sum=24, handled=1, talk_sum=100)
    est = stats.estimate(thin, staff=3, ready=0, waiting=4, wrap_up_seconds=30)
    assert (est.method, est.seconds) == ("recent_waits", 12.0)
    nothing = stats.Recent()
    est = stats.estimate(nothing, staff=2, ready=0, waiting=3, wrap_up_seconds=30)
    # backlog: 4 callers ahead of and including the new one, (180 + 30) s each, 2 agents
    assert (est.method, est.seconds) == ("backlog", 4 * 210 / 2)
    overloaded = stats.Recent(arrivals=60, answered=0, handled=10, talk_sum=600)
    est = stats.estimate(overloaded, staff=1, ready=0, waiting=0, wrap_up_seconds=30)
    assert est.method == "backlog"  # A = 60/900 * 90 = 6 Erlangs >= 1 agent: no steady state


def test_estimated_wait_from_live_queue_is_erlang_c(queue, clock):
    start = 60 * math.ceil(clock.now / 60)  # a minute boundary
    clock.now = start
    for aid in ("a1", "a2"):
        queue.login(AgentInfo(aid, "guiyang", {"general": 1}))
        queue.set_ready(aid)
    for i in range(15):  # 15 arrivals in the window: 1 per minute
        clock.now = start + i * 50
        queue.tick()
        queue.enqueue(WaitingEntry(f"c{i}", "general", "guiyang"))
        if i < 3:  # three conversations of 30 s each
            aid = next(a for a in ("a1", "a2") if queue.agent(a).call_id == f"c{i}")
            queue.accept(aid, f"c{i}")
            clock.advance(30)
            queue.hangup(aid, f"c{i}")
        else:
            queue.abandon(f"c{i}")
    clock.now = start + 14 * 60
    queue.tick()
    est = queue.estimate("general", "guiyang")
    # lambda = 15 / 900 s, AHT = 30 s talk + 30 s wrap-up, A = 1 Erlang, N = 2: W = 20 s
    assert est.method == "erlang_c"
    assert (est.agents, est.handle_seconds, est.arrivals_per_hour) == (2, 60.0, 60.0)
    assert est.seconds == pytest.approx(20.0)
    assert queue.estimated_wait("general", "guiyang") == pytest.approx(20.0)


def test_recent_window_ignores_buckets_older_than_fifteen_minutes():
    now = 60 * 1000 + 30
    ring = {"t0": "1000", "a0": "3", "t1": "985", "a1": "5", "t2": "984", "a2": "7"}
    assert stats.recent_window(ring, now).arrivals == 8
    assert stats.recent_window(ring, now).seconds == 930


def test_today_is_the_shanghai_day():
    midnight_cst = datetime(2025, 6, 15, 16, 0, tzinfo=timezone.utc).timestamp()
    assert stats.day_of(midnight_cst - 1) == "20250615"
    assert stats.day_of(midnight_cst) == "20250616"


def test_counters_restart_at_shanghai_midnight(queue, clock):
    clock.now = datetime(2025, 6, 15, 15, 59, 50, tzinfo=timezone.utc).timestamp()
    queue.enqueue(WaitingEntry("before", "market", "guiyang"))
    clock.advance(20)
    queue.enqueue(WaitingEntry("after", "market", "guiyang"))
    snap = queue.snapshot()
    row = snap.queue("market", "guiyang")
    assert (snap.day, row.offered, row.waiting) == ("20250616", 1, 2)
    assert row.longest_wait == 20


def test_snapshot_rows_per_line_and_site(queue, clock):
    queue.login(AgentInfo("both", "guiyang", {"market": 1, "general": 2}))
    queue.login(AgentInfo("prov", "province", {"market": 1}))
    queue.set_ready("prov")
    queue.enqueue(WaitingEntry("m1", "market", "guiyang", priority=1))
    clock.advance(5)
    queue.enqueue(WaitingEntry("m2", "market", "guiyang", priority=3))
    queue.enqueue(WaitingEntry("g1", "general", "guiyang"))
    snap = queue.snapshot()
    m = snap.queue("market", "guiyang")
    assert (m.waiting, m.longest_wait, m.agents) == (2, 5.0, {"paused": 1})
    site = {r.site: r for r in snap.by_site()}["guiyang"]
    assert (site.waiting, site.offered, site.agents) == (3, 3, {"paused": 1})
    line = {r.line: r for r in snap.by_line()}["market"]
    assert (line.waiting, line.agents) == (2, {"paused": 1, "ready": 1})
    assert [a.agent_id for a in snap.agents] == ["both", "prov"]
    assert snap.to_dict()["queues"][0]["line"]
