"""Signed double-submit CSRF tokens: the same token in a cookie and in the form, HMAC-signed.

Used by the citizen forms and by the staff login form (which has no session yet). Each
use signs with its own ``purpose``, so a token of one form is worthless on another.
Anything that is not one of our tokens, non-ASCII text included, is simply not valid.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

COOKIE = "citizen_csrf"
FIELD = "csrf_token"
NONCE_BYTES = 18
MAX_TOKEN = 128
CITIZEN = b"citizen-csrf:"
LOGIN = b"login-csrf:"


def _sign(secret: str, nonce: str, purpose: bytes) -> str:
    mac = hmac.new(secret.encode(), purpose + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def _well_formed(token: str | None) -> bool:
    return bool(token) and len(token) <= MAX_TOKEN and token.isascii()


def issue(secret: str, purpose: bytes = CITIZEN) -> str:
    """A fresh token ``nonce.signature``."""
    nonce = secrets.token_urlsafe(NONCE_BYTES)
    return f"{nonce}.{_sign(secret, nonce, purpose)}"


def valid(secret: str, token: str | None, purpose: bytes = CITIZEN) -> bool:
    """True when ``token`` was signed with ``secret`` for ``purpose``."""
    if not _well_formed(token):
        return False
    nonce, _, signature = token.partition(".")
    if not nonce or not signature:
        return False
    return hmac.compare_digest(signature, _sign(secret, nonce, purpose))


def check(secret: str, cookie: str | None, submitted: str | None,
          purpose: bytes = CITIZEN) -> bool:
    """The form's token equals the cookie's, and it carries our signature."""
    if not (_well_formed(cookie) and _well_formed(submitted)):
        return False
    return hmac.compare_digest(cookie, submitted) and valid(secret, cookie, purpose)
