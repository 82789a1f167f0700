"""The threaded FastAGI server: one thread per call, a queue ticker, callbacks placed over AMI."""

from __future__ import annotations

import gc
import logging
import signal
import socketserver
import threading

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
        super().__init__(address, _Handler)

    @property
    def port(self) -> int:
        return self.server_address[1]


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        peer = f"{self.client_address[0]}:{self.client_address[1]}"
        serve_socket(self.request, self.server.routes, self.server.deps, peer)

    def finish(self) -> None:  # serve_socket closed the socket already
        pass


class Ticker(threading.Thread):
    """Calls CallQueue.tick() every TICK_SECONDS (escalation, offer timeouts, lease sweep)."""

    def __init__(self, queue, every: float = TICK_SECONDS):
        super().__init__(name="queue-ticker", daemon=True)
        self.queue, self.every, self.stopped = queue, every, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                self.queue.tick()
            except Exception:
                log.exception("queue tick failed")

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


def start(deps, host: str = "127.0.0.1", port: int = 0, tick: bool = True,
          callbacks: bool = True) -> Running:
    """Bind and start serving in background threads."""
    from agi_scripts.callbacks import CallbackWatcher, default_dialer

    from hotline.context import warm_pool

    server = FastAgiServer((host, port), deps)
    warm_pool(deps.queue.redis, WARM_REDIS_CONNECTIONS)
    tune_for_latency()
    helpers: list = [Ticker(deps.queue)] if tick else []
    if callbacks:
        helpers.append(CallbackWatcher(deps.queue, default_dialer(deps)))
    return Running(server, helpers).start()


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
    log.info("FastAGI stopping")
    running.stop()
