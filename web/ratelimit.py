"""Login attempts are counted per username and per client address in Redis, in a window.

An attempt is counted before its password is checked, in one Lua script that refuses it
when a counter is used up: concurrent attempts cannot all pass one check. A success
forgets the username's count and gives the address's attempt back, so that many staff
behind one address can log in at the start of a shift.
"""

from __future__ import annotations

from web import keys, lua

WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_IP = 30


class LoginLimiter:
    def __init__(self, redis, window: int = WINDOW_SECONDS,
                 per_user: int = MAX_FAILURES_PER_USER, per_ip: int = MAX_FAILURES_PER_IP):
        self.redis, self.window, self.per_user, self.per_ip = redis, window, per_user, per_ip

    def acquire(self, username: str, ip: str) -> int:
        """Count one attempt; 0 when it may go ahead, else seconds until one may."""
        counters = [keys.login_failures_user(username), keys.login_failures_ip(ip)]
        args = [self.per_user, self.window, self.per_ip, self.window]
        return int(lua.run(self.redis, "rate_reserve", counters, args))

    def succeeded(self, username: str, ip: str) -> None:
        counters = [keys.login_failures_user(username), keys.login_failures_ip(ip)]
        lua.run(self.redis, "login_release", counters, [])
