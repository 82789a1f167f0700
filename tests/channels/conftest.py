"""Fixtures for the Twilio, SMS and citizen channels: a small app over the real Redis and CRM."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from channel_helpers import Ctx, TwilioPoster, build_app, make_settings
from recording_http import RecordingHttpClient


@pytest.fixture
def twilio_http():
    return RecordingHttpClient()


@pytest.fixture
def ctx(sessions, redis_client, operator_config):
    return Ctx(make_settings(), operator_config, sessions, redis_client)


@pytest.fixture
def queue(redis_client, operator_config):
    from callqueue.api import CallQueue

    return CallQueue(redis_client, operator_config)


@pytest.fixture
def app(ctx, twilio_http, queue):
    app = build_app(ctx, twilio_http, queue)
    yield app
    app.state.twilio.bridge.stop()


@pytest.fixture
def client(app):
    with TestClient(app, base_url="https://testserver") as c:
        yield c


@pytest.fixture
def twilio(client):
    return TwilioPoster(client)
