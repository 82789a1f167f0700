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
        import redis

        if not self.redis_url:
            raise RuntimeError("no Redis URL: start the embedded Redis or set HOTLINE_REDIS_URL")
        return redis.Redis.from_url(self.redis_url, decode_responses=True,
                                    health_check_interval=30)
