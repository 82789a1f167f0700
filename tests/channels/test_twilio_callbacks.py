"""A Twilio caller who keeps the place by pressing 1 is called back through Twilio's REST API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from callqueue.models import AgentInfo
from channel_helpers import PUBLIC_BASE, parse_twiml, path_of, wait_until
from crm.models import Call

CALLER = "+8613985012345"
AGENT = "agent-8001"
SMS_FROM = "+12025550111"  # channel_helpers.make_settings: the caller ID when none is set
LEG = "CA" + "e" * 32      # the agent leg Twilio created (posted back by its callbacks)


def _call(sid: str, **extra) -> dict:
    return {"CallSid": sid, "From": CALLER, "To": "+12025550100",
            "AccountSid": "AC" + "1" * 32, **extra}


def _leg(**extra) -> dict:
    return {"CallSid": LEG, "From": SMS_FROM, "To": "client:zhang.wei",
            "AccountSid": "AC" + "1" * 32, "Direction": "outbound-api", **extra}


def _events(queue, kind: str, call_id: str) -> list[dict]:
    return [e for _id, e in queue.read_events(count=10_000)
            if e["type"] == kind and e.get("call_id") == call_id]


@pytest.fixture
def callbacks(app):
    app.state.twilio.start()  # what web.app's lifespan does in a running web process
    yield app.state.twilio.callback_watcher
    app.state.twilio.stop()


def _keep_place_and_hang_up(twilio, sid, sessions, prompts):
    twilio.post("/twilio/voice", _call(sid))
    twilio.post("/twilio/voice/digits", _call(sid, Digits="0"))  # the queue's announcement
    root = parse_twiml(twilio.post("/twilio/voice/digits", _call(sid, Digits="1")).text)
    assert prompts["callback_confirmed"].zh in "".join(s.text or "" for s in root.iter("Say"))
    twilio.post("/twilio/voice/status", _call(sid, CallStatus="completed"))
    with sessions() as s:
        (row,) = s.scalars(select(Call).where(Call.call_id == sid)).all()
    assert (row.outcome, row.callback_number) == ("callback", CALLER)


def _agent_ready(queue):
    queue.login(AgentInfo(AGENT, "guiyang", {"general": 1}, dial="client:zhang.wei"))
    queue.set_ready(AGENT)


def _placed(twilio_http):
    (create,) = wait_until(twilio_http.call_creates, timeout=10)
    return create


def test_the_agent_is_rung_then_the_citizen_dialled_and_the_result_recorded(
        twilio, twilio_http, queue, sessions, operator_config, callbacks):
    sid = "CA" + "b1" * 16
    _keep_place_and_hang_up(twilio, sid, sessions, operator_config.prompts)
    _agent_ready(queue)

    create = _placed(twilio_http)
    status_url = f"{PUBLIC_BASE}/twilio/voice/callback-status?call={sid}&agent={AGENT}"
    assert (create.data["To"], create.data["From"]) == ("client:zhang.wei", SMS_FROM)
    assert create.data["StatusCallback"] == status_url
    dial = parse_twiml(create.data["Twiml"]).find("Dial")
    assert dial.get("callerId") == SMS_FROM and dial.get("action") == status_url
    assert dial.find("Number").text == CALLER
    assert queue.agent(AGENT).state == "offered"

    path = path_of(status_url)
    assert twilio.post(path, _leg(CallStatus="in-progress")).status_code == 200
    assert queue.agent(AGENT).state == "on_call"  # the agent picked up
    twilio.post(path, _leg(CallStatus="in-progress", DialCallStatus="completed"))
    for _ in range(2):  # then the leg's final status callback, replayed: nothing more
        twilio.post(path, _leg(CallStatus="completed", CallDuration="120"))
    assert [e["result"] for e in _events(queue, "callback_result", sid)] == ["connected"]
    (fin,) = _events(queue, "finished", sid)
    assert (fin["outcome"], fin["callback_status"]) == ("callback", "connected")
    assert queue.agent(AGENT).state in ("wrap_up", "ready")
    assert len(twilio_http.call_creates()) == 1


def test_an_unsigned_status_callback_is_refused_and_changes_nothing(
        twilio, twilio_http, queue, sessions, operator_config, callbacks):
    sid = "CA" + "b2" * 16
    _keep_place_and_hang_up(twilio, sid, sessions, operator_config.prompts)
    _agent_ready(queue)
    _placed(twilio_http)
    path = f"/twilio/voice/callback-status?call={sid}&agent={AGENT}"
    for signature in ("", "forged"):
        assert twilio.post(path, _leg(CallStatus="no-answer"), signature=signature
                           ).status_code == 403
    assert _events(queue, "callback_result", sid) == []
    assert queue.agent(AGENT).state == "offered" and queue.agent(AGENT).call_id == sid


def test_a_citizen_who_does_not_answer_gets_another_attempt(
        twilio, twilio_http, queue, sessions, operator_config, callbacks):
    sid = "CA" + "b3" * 16
    _keep_place_and_hang_up(twilio, sid, sessions, operator_config.prompts)
    _agent_ready(queue)
    path = path_of(_placed(twilio_http).data["StatusCallback"])
    twilio.post(path, _leg(CallStatus="in-progress"))
    twilio.post(path, _leg(CallStatus="in-progress", DialCallStatus="no-answer"))
    twilio.post(path, _leg(CallStatus="completed"))
    assert [e["result"] for e in _events(queue, "callback_result", sid)] == ["retry"]
    assert queue.agent(AGENT).state == "ready"
    assert queue.position(sid) == 1  # keeps its place for the retry


def test_a_rest_failure_reports_the_callback_failed_for_a_retry(
        twilio, twilio_http, queue, sessions, operator_config, callbacks):
    sid = "CA" + "b4" * 16
    _keep_place_and_hang_up(twilio, sid, sessions, operator_config.prompts)
    twilio_http.failing_creates = 1  # Twilio answers 503
    _agent_ready(queue)
    results = wait_until(lambda: _events(queue, "callback_result", sid), timeout=10)
    assert [(e["result"], e["attempts"]) for e in results] == [("retry", "1")]
    assert len(twilio_http.call_creates()) == 1
    assert queue.agent(AGENT).state == "ready"
    assert queue.position(sid) == 1
