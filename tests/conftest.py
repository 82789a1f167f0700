"""Shared fixtures: a real Redis server, SQLite and a real PostgreSQL, each started here."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
import redis as redis_lib

from config.operator import load_operator_config
from config.settings import DEFAULT_CONFIG_DIR
from hotline.redis_server import EmbeddedRedis

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


@pytest.fixture(scope="session")
def operator_config():
    return load_operator_config(DEFAULT_CONFIG_DIR)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    return redis_server.url


@pytest.fixture
def redis_client(redis_server):
    """A client on a freshly flushed database of the real server."""
    client = redis_lib.Redis.from_url(redis_server.url, decode_responses=True)
    client.flushall()
    yield client
    client.flushall()
    client.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """initdb into a temporary folder and run postgres as an unprivileged user."""

    def __init__(self, bindir: Path, root: Path):
        self.bindir, self.root = bindir, root
        self.data, self.port = root / "data", _free_port()
        self.user = None if os.geteuid() != 0 else "postgres"

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> "PostgresServer":
        self.root.mkdir(parents=True, exist_ok=True)
        if self.user:
            uid = pwd.getpwnam(self.user).pw_uid
            os.chown(self.root, uid, -1)
        self._run("initdb", "-D", str(self.data), "-U", "hotline", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        opts = f"-p {self.port} -k {self.root} -c listen_addresses='' -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", opts, "-w", "-l",
                  str(self.root / "pg.log"), "start")
        return self

    def url(self, db: str = "postgres") -> str:
        return f"postgresql+psycopg://hotline@/{db}?host={self.root}&port={self.port}"

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(host=str(self.root), port=self.port, user="hotline",
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "stop")


@pytest.fixture(scope="session")
def postgres_server():
    if not PG_BIN_DIRS:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql); .ci/run installs it")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("running as root without runuser: cannot start postgres unprivileged")
    root = Path(tempfile.mkdtemp(prefix="hotline-pg-", dir="/tmp"))
    server = PostgresServer(PG_BIN_DIRS[0], root).start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


_db_counter = iter(range(10**6))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """An empty database on each backend: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hotline.sqlite3'}"
    server = request.getfixturevalue("postgres_server")
    return server.create_database(f"t{os.getpid()}_{next(_db_counter)}")


@pytest.fixture
def migrated_url(database_url):
    from crm.migrate import upgrade

    upgrade(database_url)
    return database_url


@pytest.fixture
def sessions(migrated_url, operator_config):
    """A sessionmaker on a migrated database holding the configured sites and departments."""
    from crm.db import make_engine, make_sessionmaker
    from crm.reference import sync_reference

    engine = make_engine(migrated_url)
    factory = make_sessionmaker(engine)
    with factory.begin() as session:
        sync_reference(session, operator_config)
    yield factory
    engine.dispose()


@pytest.fixture
def sqlite_sessions(tmp_path, operator_config):
    """Like ``sessions`` but SQLite only, for tests that need not run on both backends."""
    from crm.db import make_engine, make_sessionmaker
    from crm.migrate import upgrade
    from crm.reference import sync_reference

    url = f"sqlite:///{tmp_path / 'hotline.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    with factory.begin() as session:
        sync_reference(session, operator_config)
    yield factory
    engine.dispose()
