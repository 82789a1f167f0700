"""`hotline bench queue`: our scripted operations beside plain Redis round trips (the floor).

Each section runs in its own partition (hash tag) of the given Redis and deletes its keys after.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from callqueue.api import CallQueue
from callqueue.models import AgentInfo, WaitingEntry

Tick = Callable[[int], None]  # progress: advance by n
TYPICAL_MENU_PATH = "in>menu:main>key:2>queue:market"  # what a caller who pressed 2 carries


def pct(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def ms(values: list[float], p: float) -> float:
    return round(pct(values, p) * 1000, 3)


@dataclass
class Run:
    """Latency of each timed item, and the wall time of the whole run."""

    latencies: list[float]
    wall: float

    @property
    def per_s(self) -> float:
        return round(len(self.latencies) / self.wall, 1) if self.wall else 0.0


def _threaded(n: int, workers: int, item: Callable[[int], None], tick: Tick) -> Run:
    """item(0..n-1) spread over `workers` threads; each item timed, plus the wall time."""
    out: list[float] = []
    errors: list[BaseException] = []
    start = threading.Barrier(workers + 1)

    def work(w: int) -> None:
        start.wait()
        try:
            for i in range(w, n, workers):
                t = time.perf_counter()
                item(i)
                out.append(time.perf_counter() - t)
                tick(1)
        except BaseException as exc:  # reported below, in the caller's thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in range(workers)]
    for th in threads:
        th.start()
    start.wait()
    t0 = time.perf_counter()
    for th in threads:
        th.join()
    wall = time.perf_counter() - t0
    if errors:
        raise errors[0]
    return Run(out, wall)


class Bench:
    def __init__(self, client, config):
        self.r, self.config = client, config
        self.run_id = f"b{os.getpid()}x{int(time.time())}"
        self._parts: list[str] = []

    def queue(self, name: str) -> CallQueue:
        part = f"{self.run_id}{name}"
        self._parts.append(part)
        return CallQueue(self.r, self.config, partition=part)

    def cleanup(self) -> None:
        for part in self._parts:
            batch = list(self.r.scan_iter(match=f"hq:{{{part}}}:*", count=1000))
            for i in range(0, len(batch), 500):
                self.r.delete(*batch[i:i + 500])

    def ping_floor(self, n: int) -> list[float]:
        out = []
        for _ in range(n):
            t = time.perf_counter()
            self.r.ping()
            out.append(time.perf_counter() - t)
        return out

    def pairs(self, n: int, workers: int, tick: Tick) -> Run:
        """enqueue() then set_ready() of a fresh agent, who is offered a caller at once.

        `workers` threads of this process share the line, as a FastAGI server's call threads
        do; n agents are logged in first (untimed), one per pair, so a pair is exactly the two
        calls. Afterwards every caller must hold an offer: a pair that did not assign fails."""
        q = self.queue(f"pairs{workers}")
        for i in range(n):
            q.login(AgentInfo(f"a{i}", "guiyang", {"market": 1}, dial=f"PJSIP/a{i}"))

        def pair(i: int) -> None:
            q.enqueue(WaitingEntry(f"c{i}", "market", "guiyang", caller="+8613900000000"))
            q.set_ready(f"a{i}")

        run = _threaded(n, workers, pair, tick)
        offered = int(self.r.zcard(q.keys.offers()))
        if offered != n or self.r.zcard(q.keys.wait("market", "guiyang")):
            raise RuntimeError(f"{n} pairs left {offered} offers: the queue lost an assignment")
        return run

    def raw_pairs(self, n: int, workers: int, tick: Tick) -> Run:
        """The same data work as plain commands, one round trip each, no scripts."""
        p = f"hq:{{{self.run_id}raw{workers}}}:"

        def pair(i: int) -> None:
            cid, aid = f"c{i}", f"a{i}"
            self.r.hset(p + "call:" + cid, mapping={
                "line": "market", "site": "guiyang", "prio": 0, "caller": "+8613900000000",
                "t0": time.time(), "state": "waiting", "kind": "call", "score": i})
            self.r.zadd(p + "wait", {cid: i})
            got = self.r.zpopmin(p + "wait")
            self.r.hset(p + "call:" + got[0][0], mapping={"state": "offered", "agent": aid})
            self.r.hset(p + "agent:" + aid, mapping={"state": "offered", "call": cid})
            self.r.rpush(p + "notify:" + cid, "offer")

        self._parts.append(f"{self.run_id}raw{workers}")
        return _threaded(n, workers, pair, tick)

    def at_scale(self, agents: int, waiting: int, n: int, tick: Tick) -> dict:
        """set_ready() latency with `agents` busy agents and `waiting` callers queued."""
        q = self.queue("scale")
        lines, sites = ["general", "market", "social_security"], ["guiyang", "zunyi", "province"]
        ids = [f"a{i}" for i in range(agents)]
        for i, aid in enumerate(ids):
            skills = {lines[i % 3]: 1, lines[(i + 1) % 3]: 1}
            q.login(AgentInfo(aid, sites[i % 3], skills, dial=f"PJSIP/{aid}"))
        seq = iter(range(10**9))

        def add_caller() -> None:
            k = next(seq)
            q.enqueue(WaitingEntry(f"c{k}", lines[k % 3], sites[(k // 3) % 3],
                                   priority=k % 2, caller="+8613900000000"))

        for _ in range(waiting + agents):
            add_caller()
        for aid in ids:  # every agent takes one caller and talks: `waiting` remain
            q.set_ready(aid)
            q.accept(aid, q.agent(aid).call_id)
        assign, enqueue = [], []
        for i in range(n):
            aid = ids[i % agents]
            q.hangup(aid, q.agent(aid).call_id)
            t = time.perf_counter()
            q.set_ready(aid)
            assign.append(time.perf_counter() - t)
            q.accept(aid, q.agent(aid).call_id)
            t = time.perf_counter()
            add_caller()
            enqueue.append(time.perf_counter() - t)
            tick(1)
        waiting_now = sum(int(self.r.zcard(q.keys.wait(ln, s))) for ln in lines for s in sites)
        return {"assign": assign, "enqueue": enqueue, "waiting": waiting_now}

    def notify(self, n: int, tick: Tick) -> list[float]:
        """From the start of the assigning call to the blocked caller's wake-up."""
        q = self.queue("notify")
        q.login(AgentInfo("a0", "guiyang", {"market": 1}, dial="PJSIP/a0"))
        out = []
        for i in range(n):
            cid = f"c{i}"
            q.enqueue(WaitingEntry(cid, "market", "guiyang"))
            woke: list[float] = []
            blocking = threading.Event()

            def waiter(cid=cid, woke=woke, blocking=blocking) -> None:
                blocking.set()
                if q.wait_assignment(cid, timeout=5.0):
                    woke.append(time.perf_counter())

            th = threading.Thread(target=waiter)
            th.start()
            blocking.wait()
            time.sleep(0.002)  # let the waiter reach BLPOP
            t = time.perf_counter()
            q.set_ready("a0")
            th.join()
            if woke:
                out.append(woke[0] - t)
            q.accept("a0", cid)
            q.hangup("a0", cid)
            tick(1)
        return out

    def memory(self, n: int, tick: Tick) -> float:
        """Redis memory per waiting caller: MEMORY USAGE of every key of a partition holding
        only those callers (entry, indexes, lease, its event, counters), divided by n.

        Counted key by key rather than as INFO used_memory growth, which frees elsewhere in
        the server (expiring notify lists, closing connections) can make small or negative."""
        q = self.queue("memory")
        for i in range(n):
            q.enqueue(WaitingEntry(f"call-{i:012d}", "market", "guiyang",
                                   caller="+8613912345678", menu_path=TYPICAL_MENU_PATH))
            tick(1)
        total = 0
        for key in self.r.scan_iter(match=q.keys.prefix + "*", count=1000):
            total += int(self.r.memory_usage(key, samples=0) or 0)
        return total / n


def summary(**samples) -> dict:
    med = statistics.median
    p = samples
    return {
        "ping_p50_us": round(med(p["ping"]) * 1e6, 1),
        # the ceiling of any two-call pair on this machine: two bare round trips
        "rtt_bound_pairs_per_s": round(1 / (2 * med(p["ping"])), 1),
        # all workers of one process together, beside the raw floor with as many workers
        "pairs_per_s": p["pairs"].per_s,
        "pair_p50_ms": ms(p["pairs"].latencies, 50), "pair_p99_ms": ms(p["pairs"].latencies, 99),
        "raw_pairs_per_s": p["raw"].per_s,
        "raw_pair_p50_ms": ms(p["raw"].latencies, 50),
        "raw_pair_p99_ms": ms(p["raw"].latencies, 99),
        # one client thread, one call at a time: bound by round trips
        "one_client_pairs_per_s": p["pairs1"].per_s,
        "one_client_raw_pairs_per_s": p["raw1"].per_s,
        "assign_p50_ms": ms(p["scale"]["assign"], 50),
        "assign_p99_ms": ms(p["scale"]["assign"], 99),
        "enqueue_at_scale_p99_ms": ms(p["scale"]["enqueue"], 99),
        "waiting_during_assign": p["scale"]["waiting"],
        "notify_p50_ms": ms(p["notify"], 50), "notify_p99_ms": ms(p["notify"], 99),
        "bytes_per_waiting": round(p["bytes"], 1),
    }


TARGETS = {"pairs_per_s": (">=", 3000), "assign_p99_ms": ("<", 5),
           "notify_p99_ms": ("<", 10), "bytes_per_waiting": ("<", 2048)}


def targets_met(result: dict) -> dict[str, bool]:
    return {k: (result[k] >= v if op == ">=" else result[k] < v)
            for k, (op, v) in TARGETS.items()}
