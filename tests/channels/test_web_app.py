"""The channel routers inside the real web application (web.app.create_app)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from twilio.rest import Client

from channel_helpers import TwilioPoster
from recording_http import ACCOUNT_SID
from web.citizen import routes as citizen_routes
from web.twilio import routes as twilio_routes


@pytest.fixture
def sessions(sqlite_sessions):
    """These checks do not depend on the database backend: SQLite only, to keep the run short."""
    return sqlite_sessions


@pytest.fixture
def web_client(ctx, queue, twilio_http, monkeypatch):
    from web import access
    from web.app import create_app
    from web.telephony import NoTelephony

    for key in twilio_routes.public_routes() + citizen_routes.public_routes():
        if key not in access.ROUTE_ROLES:  # until web.access lists them itself
            monkeypatch.setitem(access.ROUTE_ROLES, key, access.PUBLIC)
    app = create_app(ctx, queue=queue, telephony=NoTelephony("test"), background=False)
    app.include_router(twilio_routes.router)
    app.include_router(citizen_routes.router)
    client = Client(ACCOUNT_SID, ctx.settings.twilio_auth_token.get_secret_value(),
                    http_client=twilio_http)
    twilio_routes.install(app, ctx, client=client, queue=queue)
    citizen_routes.install(app, ctx)
    assert access.missing_routes(app) == []
    with TestClient(app, base_url="https://testserver") as c:
        yield c
    app.state.twilio.bridge.stop()


def test_channel_routes_are_public_in_the_access_table():
    from web import access

    keys = twilio_routes.public_routes() + citizen_routes.public_routes()
    assert "POST /twilio/voice" in keys and "POST /twilio/sms" in keys
    assert all(access.ROUTE_ROLES.get(k, access.PUBLIC) is access.PUBLIC for k in keys)


def test_sms_and_citizen_pages_work_without_a_login(web_client):
    sms = {"MessageSid": "SM" + "e" * 32, "From": "+8613985012345", "To": "+12025550111",
           "Body": "反映噪音扰民问题，请处理"}
    resp = TwilioPoster(web_client).post("/twilio/sms", sms)
    assert resp.status_code == 200
    assert "已受理" in ET.fromstring(resp.text).find("Message").text
    assert TwilioPoster(web_client).post("/twilio/sms", sms, signature="bad").status_code == 403

    page = web_client.get("/citizen/")
    assert page.status_code == 200 and "我要反映" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    resp = web_client.post("/citizen/lookup", data={"case_number": "12345-20260101-000001",
                                                    "phone": "13985012345", "csrf_token": token})
    assert resp.status_code == 404 and "未查到相符的工单" in resp.text
