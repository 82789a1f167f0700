"""Pure statistics: recent-window figures, the estimated wait, and wallboard rows."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from callqueue import erlang
from callqueue.models import QueueStats, WaitEstimate
from callqueue.policy import RECENT_RING_MINUTES

TZ = ZoneInfo("Asia/Shanghai")
WINDOW_MINUTES = RECENT_RING_MINUTES - 1  # complete minutes before the current one
MIN_ARRIVALS = 5       # fewer arrivals in the window: the rate is too thin for Erlang C
MIN_HANDLED = 3        # fewer finished conversations: the handle time is too thin
MIN_WAITS = 1          # answered calls needed for the recent-waits fallback
DEFAULT_TALK_SECONDS = 180.0  # talk time assumed when nothing was handled recently


def day_of(epoch: float) -> str:
    """The Asia/Shanghai calendar day (yyyymmdd) of an instant; today's counters use it."""
    return _day_of_hour(int(epoch // 3600))


@lru_cache(maxsize=64)
def _day_of_hour(hour: int) -> str:
    # Asia/Shanghai's offset is whole hours, so a day never changes inside an epoch hour.
    return datetime.fromtimestamp(hour * 3600, TZ).strftime("%Y%m%d")


@dataclass(frozen=True)
class Recent:
    """Sums over the recent window of one line and site."""

    arrivals: float = 0.0
    answered: float = 0.0
    wait_sum: float = 0.0
    handled: float = 0.0
    talk_sum: float = 0.0
    seconds: float = WINDOW_MINUTES * 60.0


def recent_window(ring: dict, now: float) -> Recent:
    """Sum the ring buckets stamped within the window: the current minute and the 15 before."""
    minute = math.floor(now / 60)
    sums = {k: 0.0 for k in "awnhk"}
    for i in range(RECENT_RING_MINUTES):
        stamp = ring.get(f"t{i}")
        if stamp is None or not minute - WINDOW_MINUTES <= int(stamp) <= minute:
            continue
        for k in sums:
            sums[k] += float(ring.get(f"{k}{i}", 0) or 0)
    span = WINDOW_MINUTES * 60.0 + (now - minute * 60)
    return Recent(arrivals=sums["a"], answered=sums["n"], wait_sum=sums["w"],
                  handled=sums["k"], talk_sum=sums["h"], seconds=span)


def estimate(recent: Recent, staff: int, ready: int, waiting: int,
             wrap_up_seconds: float) -> WaitEstimate:
    """A new caller's expected wait.

    Erlang C with `staff` agents (logged in, not paused), the recent arrival rate and handle
    time (talk + the line's wrap-up) when the window holds enough of both and the load is
    below the staff; else the mean of recent answered waits; else the backlog ahead divided
    among the staff (at least one) at the recent or default handle time.
    """
    talk = recent.talk_sum / recent.handled if recent.handled else DEFAULT_TALK_SECONDS
    handle = talk + wrap_up_seconds
    rate = recent.arrivals / recent.seconds if recent.seconds > 0 else 0.0
    per_hour = rate * 3600.0
    load = rate * handle
    if recent.arrivals >= MIN_ARRIVALS and recent.handled >= MIN_HANDLED and staff > load:
        wait = erlang.mean_wait(staff, load, handle)
        return WaitEstimate(wait, "erlang_c", staff, per_hour, handle)
    if recent.answered >= MIN_WAITS:
        return WaitEstimate(recent.wait_sum / recent.answered, "recent_waits", staff, per_hour,
                            handle)
    ahead = max(0, waiting + 1 - ready)
    return WaitEstimate(ahead * handle / max(staff, 1), "backlog", staff, per_hour, handle)


COUNTERS = {  # QueueStats field -> day-hash counter written by the Lua scripts
    "offered": "offered", "offers": "offers", "answered": "answered",
    "abandoned": "out_abandoned", "answered_in_target": "in_target",
    "lost_handler": "out_lost_handler", "callbacks_requested": "cb_req",
    "callbacks_connected": "cb_ok", "callbacks_given_up": "cb_fail", "wait_sum": "wait_sum",
}


def day_counters(day: dict, line: str, site: str) -> dict:
    prefix = f"{line}|{site}|"
    out = {}
    for name, counter in COUNTERS.items():
        raw = day.get(prefix + counter, 0)
        out[name] = float(raw) if name == "wait_sum" else int(float(raw))
    return out


def aggregate(rows: list[QueueStats], by: str, agents=None) -> list[QueueStats]:
    """Sum rows per line (by="line") or per site (by="site"); longest wait is the max.

    With `agents` (AgentState list) the agents-by-state counts are recounted from it, so an
    agent with several lines counts once per site.
    """
    groups: dict[str, QueueStats] = {}
    for row in rows:
        key = getattr(row, by)
        base = groups.get(key) or QueueStats(line=key if by == "line" else "*",
                                             site=key if by == "site" else "*")
        groups[key] = _add(base, row)
    if agents is not None:
        for key, row in groups.items():
            mine = [a for a in agents if (a.site == key if by == "site" else key in a.skills)]
            groups[key] = replace(row, agents=agents_by_state(mine))
    return list(groups.values())


def agents_by_state(agents) -> dict[str, int]:
    out: dict[str, int] = {}
    for a in agents:
        out[a.state] = out.get(a.state, 0) + 1
    return out


def _add(a: QueueStats, b: QueueStats) -> QueueStats:
    values = {}
    for f in fields(QueueStats):
        if f.name in ("line", "site"):
            continue
        x, y = getattr(a, f.name), getattr(b, f.name)
        if f.name == "agents":
            values[f.name] = {k: x.get(k, 0) + y.get(k, 0) for k in set(x) | set(y)}
        elif f.name in ("longest_wait", "est_wait"):
            values[f.name] = max(x, y)
        else:
            values[f.name] = x + y
    return replace(a, **values)
