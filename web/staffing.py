"""The staffing alert: available agents per line against Erlang C for 80 % answered in 15 s.

Arrival rates come from the sampled history (calls joining each line over the last 15
minutes); the handle time from the queue's own estimate when it has one, else a default.
"""

from __future__ import annotations

import time

SERVICE_LEVEL = 0.80
DEFAULT_HANDLE_SECONDS = 300.0  # typical 12345 handle time (domain notes)
WORKING_STATES = frozenset({"ready", "offered", "on_call", "wrap_up"})


def agents_needed(arrivals_per_hour: float, handle_seconds: float, target_seconds: float) -> int:
    """Fewest agents for SERVICE_LEVEL of calls answered within target_seconds."""
    from callqueue import erlang

    return erlang.agents_needed(arrivals_per_hour, handle_seconds, SERVICE_LEVEL, target_seconds)


class Staffing:
    def __init__(self, cfg, history, handle_time=None, clock=time.time):
        self.cfg, self.history, self.clock = cfg, history, clock
        self.handle_time = handle_time or (lambda line: DEFAULT_HANDLE_SECONDS)
        self._rates: tuple[float, dict] = (float("-inf"), {})

    def arrival_rates(self) -> dict:
        """Per-line arrivals per hour, re-read once per sampling interval."""
        now = self.clock()
        if now - self._rates[0] >= self.history.interval:
            self._rates = (now, self.history.arrivals_per_hour(now))
        return self._rates[1]

    def rows(self, snap) -> list[dict]:
        rates = self.arrival_rates()
        target = self.cfg.queue.answer_target_seconds
        out = []
        for line in self.cfg.lines.values():
            rate = rates.get(line.id, 0.0)
            if rate <= 0:
                continue
            handle = self.handle_time(line.id)
            needed = agents_needed(rate, handle, target)
            available = sum(1 for a in snap.agents
                            if a.state in WORKING_STATES and line.id in a.skills)
            out.append({"line": line.id, "line_name": line.name,
                        "arrivals_per_hour": round(rate, 1), "handle_seconds": round(handle),
                        "agents_needed": needed, "agents_available": available,
                        "alert": available < needed})
        return out

    @staticmethod
    def alerts(rows: list[dict]) -> list[dict]:
        return [{"kind": "staffing", "line": r["line"],
                 "message": f"人力不足：{r['line_name']} 在岗坐席 {r['agents_available']} 人，"
                            f"按每小时 {r['arrivals_per_hour']:.0f} 通、平均处理 "
                            f"{r['handle_seconds']} 秒计算，需要 {r['agents_needed']} 人"
                            f"（15 秒内接听 80%）"}
                for r in rows if r["alert"]]
