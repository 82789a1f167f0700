"""Server-side sessions in Redis, reached by a token signed with the secret key.

The token is ``<session id>.<HMAC-SHA256(secret, session id)>``. It travels in the
session cookie for the pages and as ``Authorization: Bearer`` for API clients. Sessions
live in Redis so that logging out ends them everywhere. Each user's session ids are also
kept in a set, so that disabling an account, changing its role or resetting its password
ends all of its sessions at once; and every request checks the account as it stands in
the CRM (``refreshed``), so a session never outlives its account's rights.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import asdict, dataclass, replace

from web import keys, lua

SESSION_TTL_SECONDS = 12 * 3600  # one long shift
ID_BYTES = 32
MAX_TOKEN = 200


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


REQUIRED_FIELDS = frozenset({"session_id", "user_id", "username", "display_name", "role", "csrf",
                             "created"})


class TokenSigner:
    def __init__(self, secret: str):
        self._key = hashlib.sha256(b"hotline-web-session:" + secret.encode()).digest()

    def _mac(self, session_id: str) -> str:
        digest = hmac.new(self._key, session_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def sign(self, session_id: str) -> str:
        return f"{session_id}.{self._mac(session_id)}"

    def unsign(self, token: str) -> str | None:
        """The session id of a token we signed; None for anything else (never raises)."""
        token = token or ""
        if len(token) > MAX_TOKEN or not token.isascii():
            return None
        session_id, sep, mac = token.partition(".")
        if not sep or not session_id:
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
        fields = [part for k, v in asdict(sess).items() for part in (k, str(v))]
        lua.run(self.redis, "session_open",
                [keys.session(sess.session_id), keys.user_sessions(sess.user_id)],
                [self.ttl, sess.session_id, *fields])

    def load(self, token: str) -> SessionUser | None:
        session_id = self.signer.unsign(token)
        if session_id is None:
            return None
        raw = self.redis.hgetall(keys.session(session_id))
        if not raw or not raw.keys() >= REQUIRED_FIELDS:
            return None
        raw["user_id"], raw["created"] = int(raw["user_id"]), float(raw["created"])
        return SessionUser(**raw)

    def set_agent(self, sess: SessionUser, agent_id: str) -> None:
        lua.run(self.redis, "session_set", [keys.session(sess.session_id)], ["agent_id", agent_id])

    def agent_of(self, sess: SessionUser) -> str:
        """The agent id the session signed in with (it may change after the session loaded)."""
        return self.redis.hget(keys.session(sess.session_id), "agent_id") or ""

    def delete(self, sess: SessionUser) -> None:
        self._close(sess.user_id, [sess.session_id])

    def revoke_user(self, user_id: int, keep: str = "") -> int:
        """End every session of a user (but ``keep``); return how many were open."""
        ids = [sid for sid in self.redis.smembers(keys.user_sessions(user_id)) if sid != keep]
        return self._close(user_id, ids) if ids else 0

    def _close(self, user_id: int, session_ids: list[str]) -> int:
        hashes = [keys.session(sid) for sid in session_ids]
        return int(lua.run(self.redis, "session_close",
                           [keys.user_sessions(user_id), *hashes], session_ids))


def refreshed(sess: SessionUser, account) -> SessionUser | None:
    """``sess`` with the role and unit its CRM account has now; None if it is gone or disabled."""
    if account is None or not account.active:
        return None
    return replace(sess, username=account.username, display_name=account.display_name,
                   role=account.role, department_id=account.department_id or "",
                   site_id=account.site_id or "")
