"""Queue changes a call could not make while Redis was unreachable, made when it is back.

A caller who hangs up during a Redis outage must not stay in the queue as a ghost that a
ready agent is offered later: the abandon (or an agent's hang-up) is kept here and retried
by the server's ticker, oldest first, before any other queue work.
"""

from __future__ import annotations

import logging
import threading
from collections import deque

from redis.exceptions import RedisError

log = logging.getLogger("hotline.agi.pending")
MAX_PENDING = 100_000  # a bound, so a very long outage cannot exhaust memory


class Pending:
    """A thread-safe list of (CallQueue method name, args) to retry."""

    def __init__(self, limit: int = MAX_PENDING):
        self._items: deque = deque(maxlen=limit)
        self._lock = threading.Lock()

    def add(self, method: str, *args) -> None:
        with self._lock:
            self._items.append((method, args))
        log.warning("queue unreachable: %s%r kept to retry", method, args)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def retry(self, queue) -> int:
        """Make every kept change; stop at the first Redis error (still down). How many made."""
        done = 0
        while True:
            with self._lock:
                if not self._items:
                    return done
                method, args = self._items[0]
            try:
                getattr(queue, method)(*args)
            except RedisError:
                return done
            with self._lock:
                if self._items and self._items[0] == (method, args):
                    self._items.popleft()
            done += 1
            log.info("queue reachable again: %s%r made", method, args)
