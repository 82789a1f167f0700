"""`hotline bench web`: wallboard snapshot latency at a steady request rate, beside a floor.

Sets up its own embedded Redis and SQLite in a temporary folder, fills the queue with
agents and waiting callers, serves the app with uvicorn on a loopback port, then sends
requests at a fixed rate to the snapshot endpoint and to a trivial endpoint of the same app.
"""

from __future__ import annotations

import socket
import tempfile
import time
from pathlib import Path

import httpx

PASSWORD = "bench-password-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fill(queue, cfg, agents: int, waiting: int, progress) -> None:
    from callqueue.models import AgentInfo, WaitingEntry

    sites = [s for s in cfg.sites]
    lines = [line for line in cfg.lines]
    for i in range(agents):
        aid = f"bench{i:04d}"
        queue.login(AgentInfo(aid, sites[i % len(sites)], {lines[i % len(lines)]: 1,
                                                           cfg.queue.general_line: 2},
                              dial=f"PJSIP/{7000 + i}"))
        queue.set_ready(aid)
    for i in range(agents + waiting):
        queue.enqueue(WaitingEntry(f"bench-call-{i}", lines[i % len(lines)],
                                   sites[i % len(sites)], caller=f"+86139850{i:05d}"))
        progress(i)


def _context(redis_url: str, tmp: str):
    from hotline.context import AppContext

    return AppContext.from_env(redis_url=redis_url, var_dir=tmp, env="test",
                               database_url=f"sqlite:///{tmp}/bench.sqlite3",
                               secret_key="bench-secret-key")


def _serve_process(redis_url: str, tmp: str, port: int) -> None:
    """The server under test, in its own process as in production (uvicorn, one worker)."""
    import logging

    import uvicorn

    from web.app import create_app

    logging.getLogger("hotline.web.telephony").setLevel(logging.ERROR)
    app = create_app(_context(redis_url, tmp), background=False)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False,
                backlog=1024)


def _wait_listening(port: int, proc, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not proc.is_alive():
            raise RuntimeError("the web server exited while starting")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("the web server did not start")


def _measure(client, path: str, rps: float, seconds: float) -> list[float]:
    """Send requests on a fixed schedule (open loop); latencies in ms."""
    out, interval, start = [], 1.0 / rps, time.perf_counter()
    for i in range(int(rps * seconds)):
        due = start + i * interval
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        t0 = time.perf_counter()
        resp = client.get(path)
        out.append((time.perf_counter() - t0) * 1000)
        resp.raise_for_status()
    return out


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def run(agents: int = 300, waiting: int = 2000, rps: float = 50.0, seconds: float = 10.0,
        console=None) -> dict:
    import multiprocessing

    from callqueue.api import CallQueue
    from hotline.redis_server import EmbeddedRedis
    from hotline.setup import create_user, prepare_database

    say = console.print if console else (lambda *a, **k: None)
    with tempfile.TemporaryDirectory(prefix="hotline-bench-web-") as tmp:
        redis_server = EmbeddedRedis(Path(tmp) / "redis", appendonly=False).start()
        try:
            ctx = _context(redis_server.url, tmp)
            prepare_database(ctx)
            create_user(ctx, "bench_super", "supervisor", PASSWORD)
            queue = CallQueue(ctx.redis, ctx.operator)
            say(f"filling the queue: {agents} agents, {waiting} waiting callers")
            _fill(queue, ctx.operator, agents, waiting,
                  lambda i: i % 500 == 0 and say(f"  {i} callers enqueued"))
            port = _free_port()
            proc = multiprocessing.get_context("spawn").Process(
                target=_serve_process, args=(redis_server.url, tmp, port), daemon=True)
            proc.start()
            try:
                _wait_listening(port, proc)
                return _bench(port, rps, seconds, say, queue)
            finally:
                proc.terminate()
                proc.join(10)
                ctx.engine.dispose()
        finally:
            redis_server.stop()


def _bench(port: int, rps: float, seconds: float, say, queue) -> dict:
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, timeout=10) as client:
        token = client.post("/api/auth/login", json={"username": "bench_super",
                                                     "password": PASSWORD}).json()["token"]
        client.cookies.clear()
        client.headers["Authorization"] = f"Bearer {token}"
        board = client.get("/api/wallboard/snapshot").json()
        say(f"snapshot: {board['totals']['waiting']} waiting, {len(board['agents'])} agents")
        _measure(client, "/api/floor", rps, 1.0)  # warm up
        say(f"measuring {seconds:.0f} s at {rps:.0f} requests/s each")
        snap = _measure(client, "/api/wallboard/snapshot", rps, seconds)
        floor = _measure(client, "/api/floor", rps, seconds)
    t0 = time.perf_counter()
    queue.snapshot()
    raw_ms = (time.perf_counter() - t0) * 1000
    return {"snapshot_p99_ms": round(p99(snap), 2), "floor_p99_ms": round(p99(floor), 2),
            "snapshot_p50_ms": round(sorted(snap)[len(snap) // 2], 2),
            "floor_p50_ms": round(sorted(floor)[len(floor) // 2], 2),
            "rps": rps, "requests": len(snap), "waiting": board["totals"]["waiting"],
            "agents": len(board["agents"]), "queue_snapshot_ms": round(raw_ms, 2)}
