"""Signed double-submit CSRF tokens: the same token in a cookie and in the form, HMAC-signed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

COOKIE = "citizen_csrf"
FIELD = "csrf_token"
NONCE_BYTES = 18
_CONTEXT = b"citizen-csrf:"


def _sign(secret: str, nonce: str) -> str:
    mac = hmac.new(secret.encode(), _CONTEXT + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def issue(secret: str) -> str:
    """A fresh token ``nonce.signature``."""
    nonce = secrets.token_urlsafe(NONCE_BYTES)
    return f"{nonce}.{_sign(secret, nonce)}"


def valid(secret: str, token: str | None) -> bool:
    """True when ``token`` was signed with ``secret``."""
    nonce, _, signature = (token or "").partition(".")
    if not nonce or not signature:
        return False
    return hmac.compare_digest(signature, _sign(secret, nonce))


def check(secret: str, cookie: str | None, submitted: str | None) -> bool:
    """The form's token equals the cookie's, and it carries our signature."""
    if not cookie or not submitted:
        return False
    return hmac.compare_digest(cookie, submitted) and valid(secret, cookie)
