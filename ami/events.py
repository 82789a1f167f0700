"""Collect AMI events and wait for one that matches (callbacks' outcomes, tests, tools)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ami.errors import AmiTimeout


class EventLog:
    """Every event seen on a connection since attach(), with blocking look-ups."""

    def __init__(self, limit: int = 10_000):
        self._events: list[dict] = []
        self._cond = threading.Condition()
        self._limit = limit

    def attach(self, client) -> "EventLog":
        client.on_event("*", self._add)
        return self

    def _add(self, event: dict) -> None:
        with self._cond:
            self._events.append(event)
            del self._events[:-self._limit]
            self._cond.notify_all()

    def matching(self, name: str, **headers) -> list[dict]:
        with self._cond:
            return [e for e in self._events if _matches(e, name, headers)]

    def wait_for(self, name: str, timeout: float = 10.0,
                 where: Callable[[dict], bool] | None = None, **headers) -> dict:
        """The first event ``name`` whose headers equal ``headers`` (and ``where`` holds)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self._events:
                    if _matches(event, name, headers) and (where is None or where(event)):
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AmiTimeout(f"no {name} event {headers or ''} within {timeout}s")
                self._cond.wait(remaining)


def _matches(event: dict, name: str, headers: dict) -> bool:
    return event.get("Event") == name and all(event.get(k) == v for k, v in headers.items())
