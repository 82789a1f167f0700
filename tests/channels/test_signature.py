"""Every Twilio webhook checks X-Twilio-Signature against the public URL; a bad one changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm.models import Call, Case
from channel_helpers import PUBLIC_BASE, TwilioPoster

SMS = {"MessageSid": "SM" + "a" * 32, "From": "+8613985012345", "To": "+12025550111",
       "Body": "小区门口路灯坏了一个月了", "AccountSid": "AC" + "1" * 32}
VOICE = {"CallSid": "CA" + "b" * 32, "From": "+8613985012345", "To": "+12025550100",
         "CallStatus": "ringing", "AccountSid": "AC" + "1" * 32}


@pytest.fixture
def sessions(sqlite_sessions):
    """These checks do not depend on the database backend: SQLite only, to keep the run short."""
    return sqlite_sessions


def _cases(sessions) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(Case))


def _twilio_keys(redis_client) -> list[str]:
    return sorted(redis_client.scan_iter("hotline:twilio:*"))


def test_a_signed_sms_is_accepted(twilio, sessions):
    resp = twilio.post("/twilio/sms", SMS)
    assert resp.status_code == 200
    assert _cases(sessions) == 1


@pytest.mark.parametrize("how", ["missing", "wrong_token", "host_url", "tampered"])
def test_a_bad_signature_is_refused_and_changes_nothing(how, client, twilio, sessions,
                                                        redis_client):
    path = "/twilio/sms"
    if how == "missing":
        resp = twilio.post(path, SMS, signature="")
    elif how == "wrong_token":
        resp = TwilioPoster(client, token="not-our-token").post(path, SMS)
    elif how == "host_url":  # signed for the address the app sees, not the public one
        sig = twilio.validator.compute_signature("https://testserver" + path, SMS)
        resp = twilio.post(path, SMS, signature=sig)
    else:
        sig = twilio.signature(path, {**SMS, "Body": "别的内容"})
        resp = twilio.post(path, SMS, signature=sig)
    assert resp.status_code == 403
    assert _cases(sessions) == 0
    assert _twilio_keys(redis_client) == []


@pytest.mark.parametrize("path", ["/twilio/voice", "/twilio/voice/digits", "/twilio/voice/wait",
                                  "/twilio/voice/dialed", "/twilio/voice/status",
                                  "/twilio/voice/agent-answered?call=" + VOICE["CallSid"]])
def test_every_voice_webhook_refuses_an_unsigned_request(path, twilio, sessions, redis_client):
    resp = twilio.post(path, {**VOICE, "Digits": "0", "CallStatus": "completed"}, signature="")
    assert resp.status_code == 403
    assert _twilio_keys(redis_client) == []
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Call)) == 0


def test_the_signature_covers_the_query_string(twilio, redis_client):
    path = "/twilio/voice/agent-answered?call=" + VOICE["CallSid"]
    sig = twilio.validator.compute_signature(
        PUBLIC_BASE + "/twilio/voice/agent-answered?call=CAother", VOICE)
    assert twilio.post(path, VOICE, signature=sig).status_code == 403
    assert twilio.post(path, VOICE).status_code == 200  # signed right; unknown call: hung up


def test_a_signed_first_ring_starts_the_menu(twilio, redis_client):
    resp = twilio.post("/twilio/voice", VOICE)
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("application/xml")
    assert _twilio_keys(redis_client) == ["hotline:twilio:call:" + VOICE["CallSid"]]
