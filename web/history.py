"""Queue length over the last hours: one sample per interval in a capped Redis list.

Any number of web processes may run the sampler; a short lock lets one sample per interval.
"""

from __future__ import annotations

import json

from web import keys

SAMPLE_SECONDS = 10
HISTORY_HOURS = 4
MAX_SAMPLES = HISTORY_HOURS * 3600 // SAMPLE_SECONDS
RATE_WINDOW_SECONDS = 15 * 60  # arrival rates for staffing are measured over this window


class QueueHistory:
    def __init__(self, redis, interval: int = SAMPLE_SECONDS, max_samples: int = MAX_SAMPLES):
        self.redis, self.interval, self.max_samples = redis, interval, max_samples

    def sample(self, board: dict) -> bool:
        """Store one sample of ``board`` unless another process did this interval."""
        if not self.redis.set(keys.sampler_lock(), "1", nx=True, px=int(self.interval * 900)):
            return False
        item = {"t": round(board["at"], 3), "waiting": board["totals"]["waiting"],
                "offered": {}, "day": board["day"]}
        for row in board["rows"]:
            item["offered"][row["line"]] = item["offered"].get(row["line"], 0) + row["joined"]
        self.redis.pipeline().lpush(keys.queue_samples(), json.dumps(item)) \
            .ltrim(keys.queue_samples(), 0, self.max_samples - 1).execute()
        return True

    def samples(self, since: float | None = None, newest: int | None = None) -> list[dict]:
        """Samples oldest first (the newest ``newest`` only), taken at or after ``since``."""
        count = min(newest or self.max_samples, self.max_samples)
        raw = self.redis.lrange(keys.queue_samples(), 0, count - 1)
        items = [json.loads(r) for r in reversed(raw)]
        return [s for s in items if since is None or s["t"] >= since]

    def arrivals_per_hour(self, now: float, window: float = RATE_WINDOW_SECONDS) -> dict:
        """Calls joining each line per hour over the last window, from today's counters."""
        recent = self.samples(since=now - window, newest=int(window // self.interval) + 2)
        if len(recent) < 2:
            return {}
        first, last = recent[0], recent[-1]
        span = last["t"] - first["t"]
        if span <= 0 or first["day"] != last["day"]:
            return {}
        return {line: max(0, n - first["offered"].get(line, 0)) * 3600 / span
                for line, n in last["offered"].items()}
