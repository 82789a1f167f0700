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
        return self.password_of(extension)[0]

    def password_of(self, extension: str) -> tuple[str, bool]:
        """(the seat's password, whether it was made just now); HSETNX: two writers agree."""
        created = bool(self.redis.hsetnx(keys.secrets(), extension, _new()))
        return self.redis.hget(keys.secrets(), extension), created

    def rotate(self, extension: str) -> str:
        password = _new()
        self.redis.hset(keys.secrets(), extension, password)
        return password

    def drop(self, extension: str) -> None:
        self.redis.hdel(keys.secrets(), extension)

    def passwords(self, extensions) -> dict[str, str]:
        """Every seat's password (missing ones made), in one pipelined round trip."""
        extensions = list(extensions)
        if not extensions:
            return {}
        pipe = self.redis.pipeline(transaction=False)
        for ext in extensions:
            pipe.hsetnx(keys.secrets(), ext, _new())
        pipe.hmget(keys.secrets(), extensions)
        return dict(zip(extensions, pipe.execute()[-1]))
