"""The threaded FastAGI server: one thread per call, a queue ticker, callbacks placed over AMI."""

from __future__ import annotations

import logging
import signal
import socketserver
import threading

from agi_scripts.scripts import ROUTES
from agi_scripts.session import serve_socket

log = logging.getLogger("hotline.agi.server")
LISTEN_BACKLOG = 1024
TICK_SECONDS = 0.5


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

    server = FastAgiServer((host, port), deps)
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
