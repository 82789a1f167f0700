"""The wallboard's figures: rows per configured line x site, from the queue and the CRM.

What is happening now (waiting, longest wait, agents by state, estimated wait, calls that
joined today) comes from CallQueue.snapshot(). Today's offered, answered, abandoned and the
rates come from the CRM's Call rows (crm.kpi.call_counts): the same rows and definitions as
`hotline kpi` and /api/kpi, so the wallboard and the KPIs agree. A call is counted there once
it has ended (its Call row is written).

One board is shared by every request of this process for CACHE_SECONDS, and today's CRM
figures for TODAY_CACHE_SECONDS, so a room full of wallboards and the metrics scraper cost
the queue one snapshot per interval and the database one query per few seconds.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, fields
from datetime import datetime

from callqueue.models import QueueStats, State
from crm.kpi import CallCounts, Ratio, call_counts
from crm.workdays import LOCAL_TZ

CACHE_SECONDS = 0.4  # boards are refreshed this often (in the background while serving)
MAX_STALE_SECONDS = 0.6  # older than this, a request computes the board itself
TODAY_CACHE_SECONDS = 2.0  # today's figures are read from the CRM at most this often
AGENT_STATES = [str(s) for s in State if s != State.LOGGED_OUT]
STATE_NAMES = {"ready": "空闲", "offered": "振铃", "on_call": "通话中", "wrap_up": "话后处理",
               "paused": "示忙", "logged_out": "未签入"}


def served_pairs(cfg) -> list[tuple[str, str]]:
    """Every configured (line, site) where the line is served, in config order."""
    return [(line.id, site) for line in cfg.lines.values() for site in cfg.sites
            if not line.sites or site in line.sites]


def _rate(ratio: Ratio) -> float | None:
    return None if ratio.value is None else round(ratio.value, 4)


def queue_counts(q: QueueStats) -> CallCounts:
    """The queue's own day counters, for a board without a CRM (counted as calls happen)."""
    return CallCounts(asked=q.offered, answered=q.answered, answered_in_target=q.answered_15s,
                      abandoned=q.abandoned, lost_handler=q.lost_handler, wait_sum=q.wait_sum)


def figures_of(counts: CallCounts) -> dict:
    """Today's figures of a row or the totals; KPI definitions as in the README (crm.kpi)."""
    r = counts.ratios()
    return {"offered": counts.asked, "answered": counts.answered,
            "abandoned": counts.abandoned, "answered_15s": counts.answered_in_target,
            "lost_handler": counts.lost_handler,
            "connection_rate": _rate(r["connection_rate"]),
            "answer_rate_15s": _rate(r["answer_15s_rate"]),
            "abandonment_rate": _rate(r["abandonment_rate"]),
            "avg_wait": round(counts.wait_sum / counts.answered, 1) if counts.answered else 0.0}


def row_of(q: QueueStats, cfg, counts: CallCounts) -> dict:
    """One wallboard row: live figures from the queue, today's from ``counts``."""
    agents = {s: int(q.agents.get(s, 0)) for s in AGENT_STATES}
    return {
        "line": q.line, "site": q.site,
        "line_name": cfg.lines[q.line].name if q.line in cfg.lines else q.line,
        "site_name": cfg.sites[q.site].name if q.site in cfg.sites else q.site,
        "waiting": q.waiting, "longest_wait": round(q.longest_wait, 1), "agents": agents,
        "joined": q.offered, **figures_of(counts),
        "estimated_wait": round(q.est_wait, 1),
        "active": bool(q.waiting or q.offered or counts.asked or any(agents.values())),
    }


def sum_counts(counts) -> CallCounts:
    items = list(counts)
    return CallCounts(*(sum(getattr(c, f.name) for c in items) for f in fields(CallCounts)))


def totals_of(rows: list[dict], snap, total: CallCounts) -> dict:
    """Live sums of the rows; today's figures from ``total``."""
    out = {"waiting": sum(r["waiting"] for r in rows), "joined": sum(r["joined"] for r in rows),
           **figures_of(total)}
    out["longest_wait"] = max((r["longest_wait"] for r in rows), default=0.0)
    # distinct agents: rows count a multi-skilled agent once per line
    out["agents"] = {s: sum(1 for a in snap.agents if a.state == s) for s in AGENT_STATES}
    return out


def agent_row(a, cfg) -> dict:
    reason = cfg.pause_reasons.get(a.reason) if a.reason else None
    return {"agent_id": a.agent_id, "site": a.site,
            "site_name": cfg.sites[a.site].name if a.site in cfg.sites else a.site,
            "state": a.state, "state_name": STATE_NAMES.get(a.state, a.state),
            "since": a.since, "reason": a.reason or "",
            "reason_name": reason.name if reason else (a.reason or ""),
            "call_id": a.call_id or "", "wrap_until": a.wrap_until}


def build_board(snap, cfg, staffing=None, today=None) -> dict:
    """Rows for every configured line x site (zeros when idle), totals, agents, alerts.

    ``today`` (a TodayFigures) gives today's counted figures; without it they are the queue's.
    """
    live = [snap.queue(line, site) or QueueStats(line=line, site=site)
            for line, site in served_pairs(cfg)]
    if today is None:
        counts = [queue_counts(q) for q in live]
        total = sum_counts(counts)
    else:
        by_pair, total = today.get()
        counts = [by_pair.get((q.line, q.site), CallCounts()) for q in live]
    rows = [row_of(q, cfg, c) for q, c in zip(live, counts)]
    staff = staffing.rows(snap) if staffing else []
    totals = totals_of(rows, snap, total)
    agents = sorted((agent_row(a, cfg) for a in snap.agents if a.state != State.LOGGED_OUT),
                    key=lambda a: (a["site"], a["agent_id"]))
    return {"at": snap.at, "day": snap.day, "rows": rows, "totals": totals, "agents": agents,
            "staffing": staff, "alerts": staffing.alerts(staff) if staffing else [],
            "sample": {"t": snap.at, "waiting": totals["waiting"]}}


class TodayFigures:
    """Today's (Asia/Shanghai) call figures from the CRM, per (line, site) and in total.

    Read with crm.kpi.call_counts, like `hotline kpi --from <today> --to <today>`, at most
    once per ``max_age`` seconds; the total counts every call of the day, also those of a
    line or site the board has no row for.
    """

    def __init__(self, sessions, cfg, max_age: float = TODAY_CACHE_SECONDS, clock=time.time):
        self.sessions, self.clock, self.max_age = sessions, clock, max_age
        self.answer_seconds = cfg.queue.answer_target_seconds
        self._lock = threading.Lock()
        self._at, self._figures = float("-inf"), None

    def get(self) -> tuple[dict[tuple[str, str], CallCounts], CallCounts]:
        with self._lock:
            if self._figures is None or time.monotonic() - self._at >= self.max_age:
                self._figures, self._at = self._read(), time.monotonic()
            return self._figures

    def _read(self) -> tuple[dict[tuple[str, str], CallCounts], CallCounts]:
        day = datetime.fromtimestamp(self.clock(), LOCAL_TZ).date()
        with self.sessions() as db:
            pairs = call_counts(db, start=day, end=day, by=("line", "site"),
                                answer_seconds=self.answer_seconds)
            total = call_counts(db, start=day, end=day, answer_seconds=self.answer_seconds)
        return pairs, total.get((), CallCounts())


@dataclass
class _Cached:
    at: float = 0.0
    board: dict | None = None
    json: bytes = b""


class BoardSource:
    """Snapshot + board, refreshed at most once per ``max_age`` per process.

    A stale board younger than MAX_STALE_SECONDS is served at once while one background
    thread refreshes it, so no request waits for the queue's snapshot script; only an
    older (or missing) board is computed in the request.
    """

    def __init__(self, queue, cfg, staffing=None, max_age: float = CACHE_SECONDS, today=None):
        self.queue, self.cfg, self.staffing, self.max_age = queue, cfg, staffing, max_age
        self.today = today  # TodayFigures: today's figures from the CRM (see build_board)
        self._cached = _Cached()
        self._lock = threading.Lock()
        self._refreshing = threading.Event()

    def _compute(self) -> _Cached:
        started = time.monotonic()
        board = build_board(self.queue.snapshot(), self.cfg, self.staffing, self.today)
        body = json.dumps(board, ensure_ascii=False, separators=(",", ":")).encode()
        self._cached = _Cached(at=started, board=board, json=body)
        return self._cached

    def _refresh_in_background(self) -> None:
        if self._refreshing.is_set():
            return
        self._refreshing.set()

        def work():
            try:
                with self._lock:
                    self._compute()
            finally:
                self._refreshing.clear()
        threading.Thread(target=work, name="board-refresh", daemon=True).start()

    def ready_json(self) -> bytes | None:
        """The serialised board if it may be served without computing now, else None."""
        cached = self._cached
        age = time.monotonic() - cached.at
        if cached.board is None or age >= MAX_STALE_SECONDS or self.max_age <= 0:
            return None
        if age >= self.max_age:
            self._refresh_in_background()
        return cached.json

    def get_json(self) -> bytes:
        """The current board, already serialised (what the snapshot endpoint sends)."""
        board = self.get()
        cached = self._cached
        return cached.json if cached.board is board else json.dumps(board).encode()

    def get(self) -> dict:
        cached = self._cached
        age = time.monotonic() - cached.at
        if cached.board is not None and age < self.max_age:
            return cached.board
        if cached.board is not None and age < MAX_STALE_SECONDS and self.max_age > 0:
            self._refresh_in_background()
            return cached.board
        with self._lock:  # one refresh at a time; the others reuse its result
            if self._cached is cached or self._cached.board is None:
                return self._compute().board
            return self._cached.board
