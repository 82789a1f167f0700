"""Erlang C (M/M/N queue): probability of waiting, mean wait, service level, staffing."""

from __future__ import annotations

import math


def erlang_b(agents: int, load: float) -> float:
    """Blocking probability with `agents` servers and `load` Erlangs (stable recurrence)."""
    b = 1.0
    for n in range(1, agents + 1):
        b = load * b / (n + load * b)
    return b


def erlang_c(agents: int, load: float) -> float:
    """Probability that an arriving caller waits; 1.0 when the queue is unstable."""
    if agents <= 0 or load >= agents:
        return 1.0
    if load <= 0:
        return 0.0
    b = erlang_b(agents, load)
    return agents * b / (agents - load * (1 - b))


def mean_wait(agents: int, load: float, handle_seconds: float) -> float:
    """Average speed of answer in seconds; infinite when load >= agents."""
    if agents <= 0 or load >= agents:
        return math.inf
    return erlang_c(agents, load) * handle_seconds / (agents - load)


def service_level(agents: int, load: float, handle_seconds: float, target_seconds: float) -> float:
    """Fraction of callers answered within target_seconds."""
    if agents <= 0 or load >= agents:
        return 0.0
    c = erlang_c(agents, load)
    return 1.0 - c * math.exp(-(agents - load) * target_seconds / handle_seconds)


def agents_needed(calls_per_hour: float, handle_seconds: float, fraction: float,
                  target_seconds: float) -> int:
    """The fewest agents that answer `fraction` of callers within `target_seconds`."""
    load = calls_per_hour * handle_seconds / 3600.0
    n = max(1, math.floor(load) + 1)
    while service_level(n, load, handle_seconds, target_seconds) < fraction:
        n += 1
    return n
