"""One thread per process reads the queue's event stream and fans events out to SSE clients."""

from __future__ import annotations

import asyncio
import logging
import threading

log = logging.getLogger("hotline.web.hub")

READ_BLOCK_MS = 1000
READ_COUNT = 200
SUBSCRIBER_BACKLOG = 500
RETRY_SECONDS = 1.0


class EventHub:
    def __init__(self, queue):
        self.queue = queue
        self._subscribers: set[asyncio.Queue] = set()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.listeners: list = []  # called in the hub thread with each event, before fan-out

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._thread = threading.Thread(target=self._run, name="web-event-hub", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=READ_BLOCK_MS / 1000 + 2)

    def subscribe(self) -> asyncio.Queue:
        sub: asyncio.Queue = asyncio.Queue(SUBSCRIBER_BACKLOG)
        self._subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: asyncio.Queue) -> None:
        self._subscribers.discard(sub)

    def _fanout(self, event: dict) -> None:
        for sub in list(self._subscribers):
            try:
                sub.put_nowait(event)
            except asyncio.QueueFull:
                pass  # a slow client misses events; its page refreshes state anyway

    def _run(self) -> None:
        last = "$"
        while not self._stop.is_set():
            try:
                events = self.queue.read_events(last, READ_COUNT, READ_BLOCK_MS)
            except Exception:  # noqa: BLE001 - Redis down or restarting: retry, never die
                log.exception("reading queue events failed; retrying")
                self._stop.wait(RETRY_SECONDS)
                continue
            for event_id, fields in events or ():
                last = event_id
                for listener in self.listeners:
                    listener(dict(fields))
                if self._loop and not self._loop.is_closed():
                    self._loop.call_soon_threadsafe(self._fanout, dict(fields))
