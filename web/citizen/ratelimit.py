"""Fixed-window rate limits in Redis, so every web process shares the same counters.

Hits are checked and counted in one Lua script (web/lua/rate_reserve.lua): a hit over any
of its limits is refused and counts on none, however many requests arrive at once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from web import lua
from web.citizen import keys


@dataclass(frozen=True)
class Limit:
    action: str
    max_hits: int
    window_seconds: int


# Per client address: a person submits a few requests, looks up a few cases.
SUBMIT_PER_ADDRESS = Limit("submit", max_hits=5, window_seconds=600)
LOOKUP_PER_ADDRESS = Limit("lookup", max_hits=20, window_seconds=600)
# Per case number, whoever asks: stops guessing the phone of a known case number.
# The subject is the case number in its one written form (see case_subject).
LOOKUP_PER_CASE = Limit("lookup_case", max_hits=10, window_seconds=3600)


def hit_all(redis, hits: list[tuple[Limit, str]], now: float | None = None) -> bool:
    """Count one hit of each (limit, subject); True while all are within their limits."""
    now = now if now is not None else time.time()
    counters, args = [], []
    for limit, subject in hits:
        window = int(now // limit.window_seconds)
        counters.append(keys.rate_limit(limit.action, subject, window))
        args += [limit.max_hits, limit.window_seconds + 1]
    return int(lua.run(redis, "rate_reserve", counters, args)) == 0


def hit(redis, limit: Limit, subject: str, now: float | None = None) -> bool:
    """Count one hit; True while ``subject`` is within ``limit`` in the current window."""
    return hit_all(redis, [(limit, subject)], now)
