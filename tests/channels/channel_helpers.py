"""Helpers of the channel tests: signed Twilio posts, TwiML parsing, shared constants."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import FastAPI
from fastapi.testclient import TestClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from config.settings import load_settings
from polling import wait_until  # noqa: F401 - re-exported for the channel tests
from recording_http import ACCOUNT_SID, RecordingHttpClient

PUBLIC_BASE = "https://hotline.example.gov.cn"
AUTH_TOKEN = "test-auth-token-0123456789abcdef"
SECRET_KEY = "test-secret-key-for-citizen-csrf"


@dataclass
class Ctx:
    """What web.app's create_app receives, reduced to what our routers read."""

    settings: object
    operator: object
    sessions: object
    redis: object


def make_settings(**changes):
    values = dict(env="test", public_base_url=PUBLIC_BASE, twilio_account_sid=ACCOUNT_SID,
                  twilio_auth_token=AUTH_TOKEN, secret_key=SECRET_KEY,
                  twilio_sms_from="+12025550111")
    return load_settings(**{**values, **changes})


def build_app(ctx: Ctx, http_client: RecordingHttpClient | None = None, queue=None) -> FastAPI:
    from web.citizen import routes as citizen_routes
    from web.twilio import routes as twilio_routes

    app = FastAPI()
    app.include_router(twilio_routes.router)
    app.include_router(citizen_routes.router)
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=http_client or RecordingHttpClient())
    twilio_routes.install(app, ctx, client=client, queue=queue)
    citizen_routes.install(app, ctx)
    return app


def wait_started(server, timeout: float = 10.0) -> None:
    """Until the uvicorn server in a thread accepts connections."""
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)


class TwilioPoster:
    """Posts webhooks the way Twilio does: form-encoded and signed for the public URL."""

    def __init__(self, client: TestClient, token: str = AUTH_TOKEN):
        self.client = client
        self.validator = RequestValidator(token)

    def signature(self, path: str, params: dict) -> str:
        return self.validator.compute_signature(PUBLIC_BASE + path, params)

    def post(self, path: str, params: dict, signature: str | None = None):
        sig = self.signature(path, params) if signature is None else signature
        headers = {"X-Twilio-Signature": sig} if sig else {}
        return self.client.post(path, data=params, headers=headers)


def parse_twiml(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == "Response"
    return root


def path_of(url: str) -> str:
    """The path (and query) of an absolute URL from our TwiML, to post the next step."""
    assert url.startswith(PUBLIC_BASE + "/"), url
    return url[len(PUBLIC_BASE):]


def query(path: str, **params) -> str:
    return f"{path}?{urlencode(params)}"
