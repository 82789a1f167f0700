"""The seats' SIP passwords in Redis: created on first use, rotated on logout or reset.

Passwords are random (never derived), so a lost Redis can only mean new passwords, never an
old one coming back. They are never logged.
"""

from __future__ import annotations

import secrets as _secrets

from seats import keys

PASSWORD_BYTES = 18


def _new() -> str:
    return _secrets.token_urlsafe(PASSWORD_BYTES)


class SeatSecrets:
    def __init__(self, redis):
        self.redis = redis

    def password(self, extension: str) -> str:
        """The seat's password, created if it has none (HSETNX: two writers agree)."""
        self.redis.hsetnx(keys.secrets(), extension, _new())
        return self.redis.hget(keys.secrets(), extension)

    def rotate(self, extension: str) -> str:
        password = _new()
        self.redis.hset(keys.secrets(), extension, password)
        return password

    def drop(self, extension: str) -> None:
        self.redis.hdel(keys.secrets(), extension)

    def passwords(self, extensions) -> dict[str, str]:
        return {ext: self.password(ext) for ext in extensions}
