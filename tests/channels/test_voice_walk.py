"""Whole Twilio calls walked through the webhooks, from first ring to survey, on the real queue."""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET

from sqlalchemy import func, select

from callqueue.models import AgentInfo
from channel_helpers import PUBLIC_BASE, parse_twiml, path_of, wait_until
from crm.models import Call, Case

CALLER = "+8613985012345"
AGENT = "agent-8001"


def _call(sid: str, **extra) -> dict:
    return {"CallSid": sid, "From": CALLER, "To": "+12025550100",
            "AccountSid": "AC" + "1" * 32, **extra}


def _said(element) -> str:
    return "".join(say.text or "" for say in element.iter("Say"))


def _ready_agent(queue, dial="client:zhang.wei"):
    queue.login(AgentInfo(AGENT, "guiyang", {"general": 1}, dial=dial))
    queue.set_ready(AGENT)


def _join_queue(twilio, sid, prompts):
    """Ring, press 0, hear the queue announcement, wait one turn of hold."""
    twilio.post("/twilio/voice", _call(sid))
    root = parse_twiml(twilio.post("/twilio/voice/digits", _call(sid, Digits="0")).text)
    (gather,) = root.findall("Gather")
    said = _said(gather)
    assert said.startswith(prompts["queue_joined"].zh)
    assert prompts["position_ahead"].zh + prompts["digit_0"].zh + prompts["position_callers"].zh in said
    assert prompts["callback_offer"].zh in said  # a known number may keep its place
    root = parse_twiml(twilio.post("/twilio/voice/digits", _call(sid, Digits="")).text)
    # The machine's 30 s wait is held in turns of a third of the lease, each a webhook that
    # keeps the caller's place; a key pressed during hold goes to /digits.
    turns = []
    while True:
        assert [c.tag for c in root] == ["Gather", "Redirect"]
        gather = root.find("Gather")
        assert gather.get("action") == PUBLIC_BASE + "/twilio/voice/digits"
        turns.append(int(gather.find("Pause").get("length")))
        nxt = path_of(root.find("Redirect").text)
        if nxt == "/twilio/voice/wait":
            break
        root = parse_twiml(twilio.post(nxt, _call(sid)).text)
    assert turns == [10, 10, 10]
    return nxt


def _dial_twiml(twilio_http, sid) -> ET.Element:
    updates = wait_until(lambda: twilio_http.call_updates(sid), timeout=10)
    assert len(updates) == 1
    return parse_twiml(updates[0].data["Twiml"])


def _rows(sessions, sid):
    with sessions() as s:
        return s.scalars(select(Call).where(Call.call_id == sid)).all()


def test_a_call_from_first_ring_to_survey(twilio, twilio_http, queue, sessions, operator_config):
    prompts = operator_config.prompts
    sid = "CA" + "a1" * 16
    _join_queue(twilio, sid, prompts)
    root = parse_twiml(twilio.post("/twilio/voice/wait", _call(sid)).text)
    said = _said(root.find("Gather"))
    assert prompts["queue_joined"].zh not in said and prompts["estimated_wait"].zh in said
    assert queue.position(sid) == 1
    (joined,) = [e for _id, e in queue.read_events(count=10_000)
                 if e["type"] == "enqueued" and e["call_id"] == sid]
    assert joined["menu_path"] == "in>menu:main>key:0>queue:general"  # for the agent pop-up

    _ready_agent(queue)  # the queue assigns the agent; the call is moved by the REST API
    dial = _dial_twiml(twilio_http, sid).find("Dial")
    assert dial.get("action") == PUBLIC_BASE + "/twilio/voice/dialed"
    client = dial.find("Client")
    assert client.text == "zhang.wei"
    assert path_of(client.get("url")) == f"/twilio/voice/agent-answered?call={sid}"

    leg = {"CallSid": "CA" + "c" * 32, "From": "client:zhang.wei", "To": "client:zhang.wei"}
    answered = twilio.post(path_of(client.get("url")), leg)
    assert [c.tag for c in parse_twiml(answered.text)] == []  # connect the two legs
    assert queue.agent(AGENT).state == "on_call"

    root = parse_twiml(twilio.post("/twilio/voice/dialed",
                                   _call(sid, DialCallStatus="completed", DialCallDuration="95")).text)
    assert _said(root.find("Gather")) == prompts["survey"].zh
    assert queue.agent(AGENT).state in ("wrap_up", "ready")

    root = parse_twiml(twilio.post("/twilio/voice/digits", _call(sid, Digits="1")).text)
    assert [c.tag for c in root] == ["Say", "Hangup"]
    assert _said(root) == prompts["survey_thanks"].zh

    for _ in range(2):  # a replayed status callback changes nothing
        status = _call(sid, CallStatus="completed", CallDuration="140")
        assert twilio.post("/twilio/voice/status", status).status_code == 204
    (row,) = _rows(sessions, sid)
    assert (row.channel, row.outcome, row.rating, row.agent) == (
        "twilio", "answered", "satisfied", AGENT)
    assert row.line == "general" and row.site_id == "guiyang"
    assert row.queued_at <= row.offered_at <= row.answered_at <= row.ended_at
    assert row.menu_path.startswith("in>menu:main>key:0>queue:general")
    with sessions() as s:
        case = s.get(Case, row.case_id)
        assert case.channel == "twilio" and case.contact_number == CALLER
        assert s.scalar(select(func.count()).select_from(Case)) == 1


def test_an_agent_who_does_not_answer_puts_the_caller_back(twilio, twilio_http, queue, sessions,
                                                          operator_config):
    prompts = operator_config.prompts
    sid = "CA" + "a2" * 16
    _join_queue(twilio, sid, prompts)
    _ready_agent(queue)
    _dial_twiml(twilio_http, sid)
    root = parse_twiml(twilio.post("/twilio/voice/dialed",
                                   _call(sid, DialCallStatus="no-answer")).text)
    assert prompts["position_ahead"].zh in _said(root.find("Gather"))
    assert queue.position(sid) == 1  # back at the head, keeping its place
    assert queue.agent(AGENT).state != "on_call"

    twilio.post("/twilio/voice/status", _call(sid, CallStatus="completed"))
    (row,) = _rows(sessions, sid)
    assert row.outcome == "abandoned" and row.answered_at is None
    assert queue.position(sid) is None


def test_a_caller_who_hangs_up_while_waiting_leaves_the_queue(twilio, queue, sessions,
                                                             operator_config):
    sid = "CA" + "a3" * 16
    _join_queue(twilio, sid, operator_config.prompts)
    assert queue.position(sid) == 1
    twilio.post("/twilio/voice/status", _call(sid, CallStatus="completed"))
    assert queue.position(sid) is None
    (row,) = _rows(sessions, sid)
    assert row.outcome == "abandoned" and row.queued_at is not None and row.case_id is None
    assert queue.snapshot().queue("general", "guiyang").abandoned == 1


def test_a_call_that_ended_before_the_update_releases_the_agent(twilio, twilio_http, queue,
                                                               sessions, operator_config):
    sid = "CA" + "a4" * 16
    _join_queue(twilio, sid, operator_config.prompts)
    twilio_http.ended.add(sid)  # Twilio answers 404: the call is gone
    _ready_agent(queue)
    wait_until(lambda: twilio_http.call_updates(sid), timeout=10)
    wait_until(lambda: queue.agent(AGENT).state == "ready", timeout=10)
    assert queue.position(sid) is None
    twilio.post("/twilio/voice/status", _call(sid, CallStatus="completed"))
    (row,) = _rows(sessions, sid)
    assert row.outcome == "abandoned" and row.answered_at is None


def test_a_transient_twilio_error_is_retried(twilio, twilio_http, queue, operator_config):
    sid = "CA" + "a5" * 16
    _join_queue(twilio, sid, operator_config.prompts)
    twilio_http.unavailable_once.add(sid)  # 503 first, then Twilio accepts
    _ready_agent(queue)
    updates = wait_until(lambda: len(twilio_http.call_updates(sid)) == 2 and
                         twilio_http.call_updates(sid), timeout=15)
    assert parse_twiml(updates[-1].data["Twiml"]).find("Dial/Client").text == "zhang.wei"
    assert queue.agent(AGENT).state == "offered"
    assert queue.agent(AGENT).call_id == sid


def test_holding_longer_than_the_lease_keeps_the_place(ctx, twilio_http, redis_client,
                                                       operator_config):
    from fastapi.testclient import TestClient

    from callqueue.api import CallQueue
    from channel_helpers import TwilioPoster, build_app

    now = [time.time()]
    queue = CallQueue(redis_client, operator_config, clock=lambda: now[0])
    app = build_app(ctx, twilio_http, queue)
    lease = operator_config.queue.lease_seconds
    sid = "CA" + "a6" * 16
    with TestClient(app, base_url="https://testserver") as client:
        twilio = TwilioPoster(client)
        twilio.post("/twilio/voice", _call(sid))
        twilio.post("/twilio/voice/digits", _call(sid, Digits="0"))
        root = parse_twiml(twilio.post("/twilio/voice/digits", _call(sid, Digits="")).text)
        for _ in range(6):  # two minutes of hold turns and announcements: 4 leases
            now[0] += lease / 3 + 5
            queue.tick()
            assert queue.position(sid) == 1
            nxt = root.find("Redirect")
            step = path_of(nxt.text) if nxt is not None else "/twilio/voice/digits"
            root = parse_twiml(twilio.post(step, _call(sid, Digits="")).text)
        now[0] += lease + 1  # Twilio stops calling (the call is gone): the lease lapses
        queue.tick()
        assert queue.position(sid) is None
    app.state.twilio.bridge.stop()
