"""Refuse any webhook whose X-Twilio-Signature does not match the public URL Twilio called.

The URL is ``settings.public_base_url`` + the request's path and query, never the Host
header: behind a proxy the app sees its own address, and a forged Host must not help.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from twilio.request_validator import RequestValidator

HEADER = "X-Twilio-Signature"


def public_url(base_url: str, request: Request) -> str:
    """The URL Twilio signed: public base + path (+ query)."""
    url = base_url.rstrip("/") + request.url.path
    query = request.url.query
    return f"{url}?{query}" if query else url


async def verified_form(request: Request) -> dict[str, str]:
    """The webhook's form fields, once the signature has been checked; 403 otherwise.

    Reads the auth token and base URL from ``app.state.twilio`` (see routes.install).
    """
    channel = request.app.state.twilio
    signature = request.headers.get(HEADER, "")
    form = await request.form()
    token = channel.auth_token
    if not token or not signature:
        raise HTTPException(status_code=403, detail="missing Twilio signature")
    validator = RequestValidator(token)
    if not validator.validate(public_url(channel.public_base_url, request), form, signature):
        raise HTTPException(status_code=403, detail="bad Twilio signature")
    return {key: str(value) for key, value in form.items()}


TwilioForm = Annotated[dict[str, str], Depends(verified_form)]
