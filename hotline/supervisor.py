"""`hotline up`: embedded Redis, FastAGI, the web and Asterisk as supervised children."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from config.settings import split_bind
from hotline.console import console
from hotline.context import AppContext
from hotline.demo_accounts import ensure_demo_accounts, print_demo_logins
from hotline.pbx_child import AsteriskChild
from hotline.redis_server import EmbeddedRedis
from hotline.setup import prepare_database

START_TIMEOUT = 60.0


class Stop(Exception):
    pass


def _on_signal(signum, _frame):
    raise Stop(signal.Signals(signum).name)


def _port_open(bind: str) -> bool:
    host, port = split_bind(bind)
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _healthy(bind: str) -> bool:
    host, port = split_bind(bind)
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/healthz", timeout=1) as resp:
            return resp.status == 200
    except OSError:
        return False


def _spawn(args: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "hotline", *args], env=env)


def _wait_ready(children: dict, checks: dict) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    pending = dict(checks)
    while pending:
        for name, check in list(pending.items()):
            if check():
                pending.pop(name)
        for name, proc in children.items():
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with status {proc.returncode} while starting")
        if time.monotonic() > deadline:
            raise RuntimeError(f"not ready after {START_TIMEOUT:.0f}s: {', '.join(pending)}")
        time.sleep(0.1)


def _stop(children: dict, redis_server: EmbeddedRedis | None,
          pbx: AsteriskChild | None = None) -> None:
    if pbx is not None:
        pbx.stop()
    for proc in children.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for name, proc in children.items():
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            console.print(f"{name} did not stop in 15 s; killing it")
            proc.kill()
    if redis_server:
        redis_server.stop()
        console.print("embedded Redis stopped")


def run_up(demo: bool = False, demo_calls: int = 40, asterisk: bool = True) -> int:
    """Start everything, block until a signal or a child's death; return the exit status."""
    ctx = AppContext.from_env()
    s = ctx.settings
    s.var_dir.mkdir(parents=True, exist_ok=True)
    redis_server = None
    children: dict[str, subprocess.Popen] = {}
    pbx = AsteriskChild(ctx) if asterisk else None
    if pbx is None:
        console.print("Asterisk skipped (--no-asterisk); the web shows 话务系统未连接")
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        if s.embedded_redis:
            redis_server = EmbeddedRedis(s.var_dir / "redis").start()
            console.print(f"embedded Redis on {redis_server.url} (AOF everysec)")
            ctx.redis_url = redis_server.url  # for the seats' passwords
        env = dict(os.environ, HOTLINE_REDIS_URL=redis_server.url if redis_server else s.redis_url)
        prepare_database(ctx)
        console.print(f"database ready: {s.effective_database_url.split('@')[-1]}")
        demo_logins = ensure_demo_accounts(ctx) if demo else {}  # before Asterisk: their seats
        children["fastagi"] = _spawn(["serve", "agi"], env)
        children["web"] = _spawn(["serve", "web"], env)
        _wait_ready(children, {"fastagi": lambda: _port_open(s.fastagi_bind),
                               "web": lambda: _healthy(s.web_bind)})
        console.print(f"[green]FastAGI[/] listening on agi://{s.fastagi_bind}")
        console.print(f"[green]web[/] listening on http://{s.web_bind} (health: /healthz)")
        if pbx is not None and not pbx.start():
            pbx = None
        if demo:
            _spawn(["simulate", "--agi", s.fastagi_bind, "--calls", str(demo_calls)], env).wait()
            print_demo_logins(f"http://{s.web_bind}", demo_logins)
        console.print("running; Ctrl-C stops everything")
        return _supervise(children, pbx)
    except Stop as why:
        console.print(f"stopping ({why})")
        return 0
    finally:
        _stop(children, redis_server, pbx)


def _supervise(children: dict, pbx: AsteriskChild | None) -> int:
    while True:
        if pbx is not None and pbx.died():
            console.print("[red]Asterisk exited; stopping[/]")
            pbx.env = None
            return 1
        for name, proc in children.items():
            if proc.poll() is not None:
                console.print(f"[red]{name} exited with status {proc.returncode}; stopping[/]")
                return 1
        time.sleep(0.5)
