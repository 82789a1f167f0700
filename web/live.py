"""The wallboard's figures: CallQueue.snapshot() turned into rows per configured line x site.

One snapshot is shared by every request of this process for CACHE_SECONDS, so a room
full of wallboards and the metrics scraper cost the queue one snapshot per interval.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

from callqueue.models import QueueStats, State

CACHE_SECONDS = 0.4  # boards are refreshed this often (in the background while serving)
MAX_STALE_SECONDS = 0.6  # older than this, a request computes the board itself
AGENT_STATES = [str(s) for s in State if s != State.LOGGED_OUT]
STATE_NAMES = {"ready": "空闲", "offered": "振铃", "on_call": "通话中", "wrap_up": "话后处理",
               "paused": "示忙", "logged_out": "未签入"}


def served_pairs(cfg) -> list[tuple[str, str]]:
    """Every configured (line, site) where the line is served, in config order."""
    return [(line.id, site) for line in cfg.lines.values() for site in cfg.sites
            if not line.sites or site in line.sites]


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def row_of(q: QueueStats, cfg) -> dict:
    """One wallboard row; KPI definitions as in the README."""
    agents = {s: int(q.agents.get(s, 0)) for s in AGENT_STATES}
    return {
        "line": q.line, "site": q.site,
        "line_name": cfg.lines[q.line].name if q.line in cfg.lines else q.line,
        "site_name": cfg.sites[q.site].name if q.site in cfg.sites else q.site,
        "waiting": q.waiting, "longest_wait": round(q.longest_wait, 1), "agents": agents,
        "offered": q.offered, "answered": q.answered, "abandoned": q.abandoned,
        "answered_15s": q.answered_15s, "lost_handler": q.lost_handler,
        "answer_rate_15s": _rate(q.answered_15s, q.answered),
        "connection_rate": _rate(q.answered, q.answered + q.abandoned + q.lost_handler),
        "estimated_wait": round(q.est_wait, 1), "avg_wait": round(q.avg_wait, 1),
        "active": bool(q.waiting or q.offered or any(agents.values())),
    }


def totals_of(rows: list[dict], snap) -> dict:
    out = {k: sum(r[k] for r in rows) for k in
           ("waiting", "offered", "answered", "abandoned", "answered_15s", "lost_handler")}
    out["longest_wait"] = max((r["longest_wait"] for r in rows), default=0.0)
    # distinct agents: rows count a multi-skilled agent once per line
    out["agents"] = {s: sum(1 for a in snap.agents if a.state == s) for s in AGENT_STATES}
    out["answer_rate_15s"] = _rate(out["answered_15s"], out["answered"])
    ended = out["answered"] + out["abandoned"] + out["lost_handler"]
    out["connection_rate"] = _rate(out["answered"], ended)
    return out


def agent_row(a, cfg) -> dict:
    reason = cfg.pause_reasons.get(a.reason) if a.reason else None
    return {"agent_id": a.agent_id, "site": a.site,
            "site_name": cfg.sites[a.site].name if a.site in cfg.sites else a.site,
            "state": a.state, "state_name": STATE_NAMES.get(a.state, a.state),
            "since": a.since, "reason": a.reason or "",
            "reason_name": reason.name if reason else (a.reason or ""),
            "call_id": a.call_id or "", "wrap_until": a.wrap_until}


def build_board(snap, cfg, staffing=None) -> dict:
    """Rows for every configured line x site (zeros when idle), totals, agents, alerts."""
    rows = [row_of(snap.queue(line, site) or QueueStats(line=line, site=site), cfg)
            for line, site in served_pairs(cfg)]
    staff = staffing.rows(snap) if staffing else []
    totals = totals_of(rows, snap)
    agents = sorted((agent_row(a, cfg) for a in snap.agents if a.state != State.LOGGED_OUT),
                    key=lambda a: (a["site"], a["agent_id"]))
    return {"at": snap.at, "day": snap.day, "rows": rows, "totals": totals, "agents": agents,
            "staffing": staff, "alerts": staffing.alerts(staff) if staffing else [],
            "sample": {"t": snap.at, "waiting": totals["waiting"]}}


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

    def __init__(self, queue, cfg, staffing=None, max_age: float = CACHE_SECONDS):
        self.queue, self.cfg, self.staffing, self.max_age = queue, cfg, staffing, max_age
        self._cached = _Cached()
        self._lock = threading.Lock()
        self._refreshing = threading.Event()

    def _compute(self) -> _Cached:
        started = time.monotonic()
        board = build_board(self.queue.snapshot(), self.cfg, self.staffing)
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
