"""Headers every response gets: a strict CSP on HTML pages, nosniff, Referrer-Policy; and
redirects that never point at whatever the request's Host header named.

The CSP has no 'unsafe-inline': pages load their scripts and styles from /static (or
/citizen/static) only, build the DOM from data with textContent, and take page settings
from a ``<script type="application/json">`` data block. The live push is EventSource on
the same origin, covered by ``connect-src 'self'``; the one other origin a page may connect
to is the browser phone's SIP WebSocket, when the settings name one.
"""

from __future__ import annotations

from urllib.parse import urlsplit

CSP_TEMPLATE = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src {connect}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
ALWAYS = {b"x-content-type-options": b"nosniff", b"referrer-policy": b"same-origin"}
CSP = b"content-security-policy"
HTML_TYPE = b"text/html"


def content_security_policy(*connect_urls: str) -> str:
    """The policy; ``connect_urls`` (e.g. a SIP WebSocket on another port) may be fetched too."""
    origins = [f"{u.scheme}://{u.netloc}" for u in map(urlsplit, filter(None, connect_urls))
               if u.scheme in ("ws", "wss", "http", "https") and u.netloc]
    return CSP_TEMPLATE.format(connect=" ".join(["'self'", *dict.fromkeys(origins)]))


CONTENT_SECURITY_POLICY = content_security_policy()


def _header(headers: list, name: bytes) -> bytes | None:
    return next((value for key, value in headers if key.lower() == name), None)


def relative_location(location: str, host: str) -> str:
    """``location`` without a scheme://host prefix taken from the request's Host header.

    Starlette builds absolute URLs (e.g. the trailing-slash redirect) from that header,
    which a client chooses freely: ``Host: evil.example`` must not send anyone there.
    """
    for scheme in ("http://", "https://"):
        prefix = scheme + host
        if not host or not location.lower().startswith(prefix.lower()):
            continue
        rest = location[len(prefix):]
        if rest[:1] in ("", "/", "?", "#"):
            return "/" + rest.lstrip("/")  # never "//...": that is another host again
    return location


def secure_headers(headers: list, host: str, csp: str = CONTENT_SECURITY_POLICY) -> list:
    """The response's headers with ours added (CSP on HTML) and Location made relative."""
    out = []
    for key, value in headers:
        name = key.lower()
        if name == CSP or name in ALWAYS:
            continue
        if name == b"location":
            value = relative_location(value.decode("latin-1"), host).encode("latin-1")
        out.append((key, value))
    out.extend(ALWAYS.items())
    if (_header(headers, b"content-type") or b"").lower().startswith(HTML_TYPE):
        out.append((CSP, csp.encode()))
    return out


class SecurityHeaders:
    """ASGI middleware: applies :func:`secure_headers` to every HTTP response."""

    def __init__(self, app, connect_urls: tuple[str, ...] = ()):
        self.app, self.csp = app, content_security_policy(*connect_urls)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = (_header(scope.get("headers") or [], b"host") or b"").decode("latin-1")

        async def send_secured(message):
            if message["type"] == "http.response.start":
                headers = secure_headers(list(message.get("headers", [])), host, self.csp)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_secured)
