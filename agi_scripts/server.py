"""The threaded FastAGI server: one thread per call, a queue ticker, callbacks placed over AMI.

A graceful stop (SIGTERM, SIGINT) drains: the listening socket closes at once (Asterisk tries
the next server of HOTLINE_AGI), waiting callers are handed back to the dialplan to resume on
another server or on this one restarted, and the calls still in a prompt or the survey get up
to HOTLINE_FASTAGI_DRAIN_SECONDS to end.
"""

from __future__ import annotations

import gc
import logging
import signal
import socketserver
import threading
import time

from redis.exceptions import RedisError

from agi_scripts.scripts import ROUTES
from agi_scripts.session import serve_socket

log = logging.getLogger("hotline.agi.server")
LISTEN_BACKLOG = 1024
TICK_SECONDS = 0.5
# Python's cyclic collector stops every thread while it runs. A full pass over the ~90,000
# objects a started server holds (config, phone metadata, SQLAlchemy) takes 20-70 ms here, and
# every call waiting for its next command waits that long. So the start-up objects are frozen
# out of collection, and the oldest generation is collected 100x less often than by default:
# per-call garbage is still collected young; the rare full pass sees only live calls' objects.
GC_THRESHOLDS = (700, 10, 1000)  # Python's defaults are (700, 10, 10)
WARM_REDIS_CONNECTIONS = 32  # opened at start (see hotline.context.warm_pool)
HELPER_JOIN_SECONDS = 1.0  # at exit: a blocked stream read is cut off, the process ends


def tune_for_latency() -> None:
    """Freeze what start-up built and make full collections rare (see GC_THRESHOLDS).

    Process-wide: call once a server is built. (A shorter GIL switch interval was tried too:
    with a thousand call threads it let some starve for seconds, so Python's 5 ms stays.)"""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class FastAgiServer(socketserver.ThreadingTCPServer):
    """socketserver with a deep listen backlog (Python's default of 5 drops bursts)."""

    request_queue_size = LISTEN_BACKLOG
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], deps, routes: dict | None = None):
        self.deps = deps
        self.routes = routes if routes is not None else ROUTES
        self.sessions = Sessions()
        super().__init__(address, _Handler)

    @property
    def port(self) -> int:
        return self.server_address[1]


class Sessions:
    """How many AGI sessions are running, so a drain knows when the last one ended."""

    def __init__(self):
        self.count = 0
        self.changed = threading.Condition()

    def __enter__(self) -> None:
        with self.changed:
            self.count += 1

    def __exit__(self, *exc) -> None:
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    def wait_idle(self, timeout: float) -> int:
        """Wait until none runs or `timeout` passes; how many still run."""
        with self.changed:
            self.changed.wait_for(lambda: self.count == 0, timeout)
            return self.count


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        peer = f"{self.client_address[0]}:{self.client_address[1]}"
        with self.server.sessions:
            serve_socket(self.request, self.server.routes, self.server.deps, peer)

    def finish(self) -> None:  # serve_socket closed the socket already
        pass


class Ticker(threading.Thread):
    """Calls CallQueue.tick() every TICK_SECONDS (escalation, offer timeouts, lease sweep),
    after the queue changes calls kept while Redis was unreachable (agi_scripts.pending)."""

    def __init__(self, queue, every: float = TICK_SECONDS, pending=None, reconcile=None):
        super().__init__(name="queue-ticker", daemon=True)
        self.queue, self.every, self.stopped = queue, every, threading.Event()
        self.pending, self.reconcile = pending, reconcile
        self.down_since: float | None = None
        self.due = reconcile is not None   # once at start, then after every outage

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            self.tick_once()

    def tick_once(self) -> None:
        try:
            if self.pending is not None:
                self.pending.retry(self.queue)
            self.queue.tick()
        except RedisError as exc:
            if self.down_since is None:
                self.down_since = time.monotonic()
                log.error("queue unreachable (%s); retrying every %.1f s",
                          type(exc).__name__, self.every)
            return
        except Exception:
            log.exception("queue tick failed")
            return
        if self.down_since is not None:
            log.info("queue reachable again after %.1f s", time.monotonic() - self.down_since)
            self.down_since = None
            self.due = self.reconcile is not None
        if self.due:
            self._reconcile()

    def _reconcile(self) -> None:
        try:
            self.reconcile()
            self.due = False
        except RedisError:
            pass  # down again: the next recovery runs it
        except Exception:
            log.exception("reconciling the queue with Asterisk and the CRM failed")
            self.due = False

    def stop(self) -> None:
        self.stopped.set()
        if self.is_alive():
            self.join(self.every + 5.0)


class Running:
    """A started server with its helper threads (used by serve(), tests and the simulator)."""

    def __init__(self, server: FastAgiServer, helpers: list):
        self.server, self.helpers = server, helpers
        self.thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                       name="fastagi", daemon=True)

    @property
    def address(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{host}:{port}"

    def start(self) -> "Running":
        for helper in self.helpers:
            helper.start()
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        for helper in self.helpers:
            helper.stop()

    def drain(self, timeout: float) -> int:
        """Stop taking calls, hand waiting callers back to the dialplan, wait up to `timeout`
        for the other sessions to end, then stop. How many sessions were still running."""
        self.server.shutdown()
        self.server.server_close()           # new connections are refused from here on
        self.server.deps.draining.set()
        left = self.server.sessions.wait_idle(timeout)
        for helper in self.helpers:       # all told first: none waits for another's join
            helper.stopped.set()
        for helper in self.helpers:
            helper.join(HELPER_JOIN_SECONDS)
        return left


def start(deps, host: str = "127.0.0.1", port: int = 0, tick: bool = True,
          callbacks: bool = True) -> Running:
    """Bind and start serving in background threads."""
    from agi_scripts.callbacks import CallbackWatcher, default_dialer

    from hotline.context import warm_pool

    server = FastAgiServer((host, port), deps)
    warm_pool(deps.queue.redis, WARM_REDIS_CONNECTIONS)
    tune_for_latency()
    helpers: list = [Ticker(deps.queue, pending=deps.pending,
                            reconcile=reconciler(deps).run)] if tick else []
    if callbacks:
        helpers.append(CallbackWatcher(deps.queue, default_dialer(deps)))
    return Running(server, helpers).start()


def reconciler(deps):
    """Settles queue entries of calls that ended while Redis was down (agi_scripts.reconcile)."""
    from agi_scripts.reconcile import Reconciler, asterisk_channels, recorded_outcomes
    from config.settings import load_settings

    return Reconciler(deps.queue, asterisk_channels(load_settings()),
                      recorded_outcomes(deps.intake.sessions))


def build_deps(ctx):
    from agi_scripts.deps import VoiceDeps
    from callqueue.api import CallQueue
    from crm.intake import Intake

    return VoiceDeps(operator=ctx.operator, queue=CallQueue(ctx.redis, ctx.operator),
                     intake=Intake(ctx.sessions, ctx.operator))


def serve(ctx) -> None:
    """Serve FastAGI on HOTLINE_FASTAGI_BIND until SIGINT or SIGTERM."""
    from config.settings import split_bind

    host, port = split_bind(ctx.settings.fastagi_bind)
    running = start(build_deps(ctx), host, port)
    log.info("FastAGI listening on agi://%s (backlog %d)", running.address, LISTEN_BACKLOG)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    drain = ctx.settings.fastagi_drain_seconds
    log.info("FastAGI draining: no new calls; waiting callers handed back; up to %.0f s for "
             "%d running sessions", drain, running.server.sessions.count)
    left = running.drain(drain)
    log.info("FastAGI stopped (%d sessions cut at the drain limit)", left)
