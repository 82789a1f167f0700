"""Helpers shared by the queue tests: a hand-moved clock, config variants, event reading."""

from __future__ import annotations

import dataclasses

T0 = 1_750_000_000.0  # 2025-06-15 23:06:40 Asia/Shanghai


class FakeClock:
    """Epoch seconds that only move when the test says so."""

    def __init__(self, start: float = T0):
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def with_wrap_up(operator_config, seconds: int):
    """The operator config with every line's wrap-up set to `seconds`."""
    lines = {k: v.model_copy(update={"wrap_up_seconds": seconds})
             for k, v in operator_config.lines.items()}
    return dataclasses.replace(operator_config, lines=lines)


def with_policy(operator_config, **changes):
    return dataclasses.replace(operator_config,
                               queue=operator_config.queue.model_copy(update=changes))


def events(q, kind: str | None = None) -> list[dict]:
    evs = [fields for _id, fields in q.read_events(count=1_000_000)]
    return [e for e in evs if kind is None or e["type"] == kind]


def hold(q, clock, seconds, *call_ids, then_tick: bool = False):
    """Let time pass while the callers' handlers stay alive (refreshing their leases);
    ``then_tick`` runs the queue's housekeeping afterwards."""
    while seconds > 0:
        step = min(seconds, 10)
        clock.advance(step)
        seconds -= step
        for cid in call_ids:
            q.refresh_lease(cid)
    if then_tick:
        q.tick()
