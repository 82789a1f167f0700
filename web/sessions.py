"""Server-side sessions in Redis, reached by a token signed with the secret key.

The token is ``<session id>.<HMAC-SHA256(secret, session id)>``. It travels in the
session cookie for the pages and as ``Authorization: Bearer`` for API clients. Sessions
live in Redis so that logging out ends them everywhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import asdict, dataclass

from web import keys

SESSION_TTL_SECONDS = 12 * 3600  # one long shift
ID_BYTES = 32


@dataclass(frozen=True)
class SessionUser:
    """Who is signed in, as stored in the session."""

    session_id: str
    user_id: int
    username: str
    display_name: str
    role: str
    csrf: str
    department_id: str = ""
    site_id: str = ""
    agent_id: str = ""  # set once the agent logged in with an extension
    created: float = 0.0


class TokenSigner:
    def __init__(self, secret: str):
        self._key = hashlib.sha256(b"hotline-web-session:" + secret.encode()).digest()

    def _mac(self, session_id: str) -> str:
        digest = hmac.new(self._key, session_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def sign(self, session_id: str) -> str:
        return f"{session_id}.{self._mac(session_id)}"

    def unsign(self, token: str) -> str | None:
        session_id, sep, mac = (token or "").partition(".")
        if not sep or not session_id or len(token) > 200:
            return None
        return session_id if hmac.compare_digest(mac, self._mac(session_id)) else None


class SessionStore:
    def __init__(self, redis, secret: str, ttl: int = SESSION_TTL_SECONDS):
        self.redis, self.signer, self.ttl = redis, TokenSigner(secret), ttl

    def create(self, user) -> tuple[str, SessionUser]:
        """Open a session for a CRM User; return (signed token, session)."""
        sess = SessionUser(
            session_id=secrets.token_urlsafe(ID_BYTES), user_id=user.id,
            username=user.username, display_name=user.display_name, role=user.role,
            csrf=secrets.token_urlsafe(24), department_id=user.department_id or "",
            site_id=user.site_id or "", created=time.time(),
        )
        self.save(sess)
        return self.signer.sign(sess.session_id), sess

    def save(self, sess: SessionUser) -> None:
        key = keys.session(sess.session_id)
        self.redis.pipeline().hset(key, mapping={k: str(v) for k, v in asdict(sess).items()}) \
            .expire(key, self.ttl).execute()

    def load(self, token: str) -> SessionUser | None:
        session_id = self.signer.unsign(token)
        if session_id is None:
            return None
        raw = self.redis.hgetall(keys.session(session_id))
        if not raw:
            return None
        raw["user_id"], raw["created"] = int(raw["user_id"]), float(raw["created"])
        return SessionUser(**raw)

    def set_agent(self, sess: SessionUser, agent_id: str) -> None:
        self.redis.hset(keys.session(sess.session_id), "agent_id", agent_id)

    def agent_of(self, sess: SessionUser) -> str:
        """The agent id the session signed in with (it may change after the session loaded)."""
        return self.redis.hget(keys.session(sess.session_id), "agent_id") or ""

    def delete(self, sess: SessionUser) -> None:
        self.redis.delete(keys.session(sess.session_id))
