"""What a running process needs, built once at start-up from the settings."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from config.operator import OperatorConfig, load_operator_config
from config.settings import Settings, load_settings


@dataclass
class AppContext:
    """Settings, operator data, the database and the Redis client of one process."""

    settings: Settings
    operator: OperatorConfig
    redis_url: str | None = None

    @classmethod
    def from_env(cls, redis_url: str | None = None, **overrides) -> "AppContext":
        settings = load_settings(**overrides)
        return cls(settings=settings, operator=load_operator_config(settings.config_dir),
                   redis_url=redis_url or settings.redis_url)

    @cached_property
    def engine(self):
        from crm.db import make_engine

        return make_engine(self.settings.effective_database_url)

    @cached_property
    def sessions(self):
        from crm.db import make_sessionmaker

        return make_sessionmaker(self.engine)

    @cached_property
    def redis(self):
        if not self.redis_url:
            raise RuntimeError("no Redis URL: start the embedded Redis or set HOTLINE_REDIS_URL")
        return redis_client(self.redis_url, self.settings.redis_max_connections,
                            self.settings.redis_pool_timeout_seconds)


def redis_client(url: str, max_connections: int = 256, pool_timeout: float = 5.0):
    """A thread-safe client whose pool makes a thread wait for a free connection.

    redis-py's default pool raises "Too many connections" past 100 at once, which a burst of
    calls on a threaded FastAGI server reaches; a blocking pool waits instead, and only a
    pool still exhausted after `pool_timeout` seconds raises (the call then falls back)."""
    import redis

    pool = redis.BlockingConnectionPool.from_url(
        url, decode_responses=True, health_check_interval=30,
        max_connections=max_connections, timeout=pool_timeout, **_no_client_setinfo(redis))
    return redis.Redis(connection_pool=pool)


def _no_client_setinfo(redis) -> dict:
    """Skip CLIENT SETINFO on connect: two round trips per new connection (and an error reply
    from Redis < 7.2), which a burst of calls opening connections at once pays in full."""
    import importlib.util

    if importlib.util.find_spec("redis.driver_info"):  # redis-py 7.1+ (lib_name deprecated)
        return {"driver_info": None}
    return {"lib_name": None, "lib_version": None}


def warm_pool(client, connections: int) -> None:
    """Open `connections` pool connections now: opened later, during a burst of calls, each
    costs milliseconds while the calls that wait for it pile up."""
    pool = client.connection_pool
    taken = []
    try:
        for _ in range(max(0, connections)):
            taken.append(pool.get_connection())
    finally:
        for conn in taken:
            pool.release(conn)
