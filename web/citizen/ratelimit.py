"""Fixed-window rate limits in Redis, so every web process shares the same counters."""

from __future__ import annotations

import time
from dataclasses import dataclass

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
LOOKUP_PER_CASE = Limit("lookup_case", max_hits=10, window_seconds=3600)


def hit(redis, limit: Limit, subject: str, now: float | None = None) -> bool:
    """Count one hit; True while ``subject`` is within ``limit`` in the current window."""
    window = int((now if now is not None else time.time()) // limit.window_seconds)
    key = keys.rate_limit(limit.action, subject, window)
    pipe = redis.pipeline(transaction=True)
    pipe.incr(key)
    pipe.expire(key, limit.window_seconds + 1)
    count, _ = pipe.execute()
    return int(count) <= limit.max_hits
