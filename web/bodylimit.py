"""Refuse request bodies over a size limit (HOTLINE_WEB_MAX_BODY_BYTES) with 413, unread.

A declared Content-Length over the limit is refused before the application runs. A body
without one (chunked) is counted as it streams in: once past the limit the application's
next read fails, whatever it answered is dropped and the client gets the 413 instead, so
no route ever acts on a partly read body.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
BODY_TOO_LARGE = "body_too_large"  # error code: part of the API, never rename
STATUS = 413
MESSAGE = "请求内容过大 (request body too large)"


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once the streamed body passed the limit."""

    def __init__(self, max_bytes: int):
        super().__init__(STATUS, MESSAGE)
        self.max_bytes = max_bytes


def declared_length(scope) -> int | None:
    """The Content-Length header as a number, or None when absent or unreadable."""
    for key, value in scope.get("headers") or []:
        if key.lower() == b"content-length":
            return int(value) if value.strip().isdigit() else None
    return None


async def refuse(send, max_bytes: int) -> None:
    body = json.dumps({"error": BODY_TOO_LARGE, "message": MESSAGE,
                       "detail": {"max_bytes": max_bytes}}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": STATUS, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})  # the rest of the body is never read
    await send({"type": "http.response.body", "body": body})


class _Counted:
    """One request's receive/send, counting body bytes and muting the app once over."""

    def __init__(self, receive, send, max_bytes: int):
        self._receive, self._send, self.max_bytes = receive, send, max_bytes
        self.seen = 0
        self.over = False
        self.started = False

    async def receive(self):
        if self.over:
            raise BodyTooLarge(self.max_bytes)
        message = await self._receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.max_bytes:
                self.over = True
                raise BodyTooLarge(self.max_bytes)
        return message

    @property
    def refusable(self) -> bool:
        return self.over and not self.started

    async def send(self, message):
        if self.refusable:
            return  # the app's answer to a body it could not read: the 413 goes out instead
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)


class BodyLimit:
    """ASGI middleware: 413 with a JSON error for bodies over ``max_bytes``."""

    def __init__(self, app, max_bytes: int = DEFAULT_MAX_BODY_BYTES):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = declared_length(scope)
        if length is not None and length > self.max_bytes:
            await refuse(send, self.max_bytes)
            return
        counted = _Counted(receive, send, self.max_bytes)
        try:
            await self.app(scope, counted.receive, counted.send)
        except Exception:
            if not counted.refusable:
                raise  # a failure of its own, not of the body it could not read
        if counted.refusable:
            await refuse(send, self.max_bytes)
