"""Failed logins are counted per username and per client address in Redis, in a window."""

from __future__ import annotations

from web import keys

WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_IP = 30


class LoginLimiter:
    def __init__(self, redis, window: int = WINDOW_SECONDS,
                 per_user: int = MAX_FAILURES_PER_USER, per_ip: int = MAX_FAILURES_PER_IP):
        self.redis, self.window, self.per_user, self.per_ip = redis, window, per_user, per_ip

    def retry_after(self, username: str, ip: str) -> int:
        """Seconds until another attempt is allowed; 0 when one is allowed now."""
        limits = ((keys.login_failures_user(username), self.per_user),
                  (keys.login_failures_ip(ip), self.per_ip))
        waits = [ttl for key, limit in limits for count, ttl in [self._read(key)] if count >= limit]
        return max([max(w, 1) for w in waits], default=0)

    def _read(self, key: str) -> tuple[int, int]:
        count, ttl = self.redis.pipeline().get(key).ttl(key).execute()
        return int(count or 0), int(ttl if ttl and ttl > 0 else self.window)

    def failed(self, username: str, ip: str) -> None:
        names = (keys.login_failures_user(username), keys.login_failures_ip(ip))
        pipe = self.redis.pipeline()
        for key in names:
            pipe.incr(key).ttl(key)
        ttls = pipe.execute()[1::2]
        fresh = [key for key, ttl in zip(names, ttls) if ttl < 0]  # EXPIRE NX needs Redis 7
        if fresh:
            pipe = self.redis.pipeline()
            for key in fresh:
                pipe.expire(key, self.window)
            pipe.execute()

    def succeeded(self, username: str) -> None:
        self.redis.delete(keys.login_failures_user(username))
