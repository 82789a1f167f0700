"""Helpers for tests that drive the real Asterisk: a FastAGI probe, CDR/queue_log readers,
originate and wait helpers. Imported by tests/asterisk/conftest.py and the tests."""

from __future__ import annotations

import csv
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# cdr_csv column order with loguniqueid=yes and loguserfield=yes (cdr.conf).
CDR_COLUMNS = ["accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel",
               "lastapp", "lastdata", "start", "answer", "end", "duration", "billsec",
               "disposition", "amaflags", "uniqueid", "userfield"]
QUEUE_LOG_COLUMNS = ["time", "callid", "queue", "agent", "event"]


@dataclass
class AgiSession:
    """One FastAGI connection as the probe saw it: the agi_* block and each reply."""

    env: dict[str, str]
    replies: list[tuple[str, str]] = field(default_factory=list)

    def reply(self, command_prefix: str) -> str:
        return next(r for c, r in self.replies if c.startswith(command_prefix))


class FastAgiProbe:
    """A tiny FastAGI server on loopback that sends a fixed list of commands per session.

    ``commands`` may be a list or a callable(env) -> list, for per-call scripts.
    """

    def __init__(self, commands: list[str] | Callable[[dict], list[str]]):
        self._commands = commands
        self._server = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port = self._server.getsockname()[1]
        self.sessions: list[AgiSession] = []
        self._cond = threading.Condition()
        threading.Thread(target=self._accept, daemon=True, name="agi-probe").start()

    @property
    def url(self) -> str:
        return f"agi://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        rfile = conn.makefile("r", encoding="utf-8", newline="\n")
        wfile = conn.makefile("w", encoding="utf-8", newline="\n")
        try:
            session = AgiSession(env=_read_env(rfile))
            commands = self._commands(session.env) if callable(self._commands) else self._commands
            for command in commands:
                wfile.write(command + "\n")
                wfile.flush()
                session.replies.append((command, rfile.readline().strip()))
            with self._cond:
                self.sessions.append(session)
                self._cond.notify_all()
        finally:  # close the files first, or no FIN is sent (shared/asterisk.md)
            rfile.close()
            wfile.close()
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            conn.close()

    def wait_sessions(self, count: int = 1, timeout: float = 20.0) -> list[AgiSession]:
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.sessions) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"{len(self.sessions)} of {count} AGI sessions "
                                         f"within {timeout}s")
                self._cond.wait(remaining)
            return list(self.sessions)

    def close(self) -> None:
        self._server.close()


def _read_env(rfile) -> dict[str, str]:
    env = {}
    for line in rfile:
        line = line.rstrip("\n")
        if not line:
            break
        key, _, value = line.partition(":")  # "agi_callerid: " may be empty
        env[key] = value.strip()
    return env


def active_channels(env) -> list[str]:
    """Channel names Asterisk has up right now (`core show channels concise`)."""
    out = env.cli("core show channels concise")
    return [line.split("!")[0] for line in out.splitlines() if "!" in line]


def wait_channels_gone(env, prefix: str = "", timeout: float = 30.0) -> None:
    """Wait until no channel whose name starts with ``prefix`` is left."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = [c for c in active_channels(env) if c.startswith(prefix)]
        if not left:
            return
        time.sleep(0.2)
    raise AssertionError(f"channels still up after {timeout}s: {left}")


def originate_cli(env, channel: str, target: str) -> None:
    """`channel originate <channel> extension <exten@context>` from the CLI."""
    env.cli(f"channel originate {channel} extension {target}")


def set_global(env, name: str, value: str) -> None:
    env.cli(f"dialplan set global {name} {value}")


def read_cdrs(env) -> list[dict[str, str]]:
    """Every CDR in Master.csv, as dicts keyed by CDR_COLUMNS."""
    path = env.asterisk_log("cdr-csv/Master.csv")
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        return [dict(zip(CDR_COLUMNS, row)) for row in csv.reader(handle)]


def read_queue_log(env) -> list[dict[str, str]]:
    """queue_log lines: time|callid|queue|agent|event|data1|data2|..."""
    path = env.asterisk_log("queue_log")
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        parts = line.split("|")
        row = dict(zip(QUEUE_LOG_COLUMNS, parts))
        row["data"] = parts[len(QUEUE_LOG_COLUMNS):]
        rows.append(row)
    return rows


class LogMark:
    """Lines appended to the root's messages.log since this mark was taken."""

    def __init__(self, env):
        self.path: Path = env.asterisk_log("messages.log")
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def new_lines(self) -> list[str]:
        if not self.path.exists():
            return []
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            return handle.read().decode("utf-8", "replace").splitlines()
