"""An agent who answers a call app_queue's fallback queue put through is not offered a second
caller by our queue (paused as ``fallback_call``), stays a member, and goes ready again when
the call ends, or once its end is seen to have been missed (ami/fallback_calls.py on a real
Redis queue; the AMI events are the dicts Asterisk 22 sends)."""

from __future__ import annotations

import pytest

from ami.fallback_calls import FallbackCalls
from ami.fallback_members import read_agents
from ami.fallback_plan import FALLBACK_CALL, Member, calls_ended, desired_members, wanted
from callqueue.api import CallQueue
from callqueue.models import AgentInfo, WaitingEntry

QUEUE = "hotline-fallback"
SEAT = "PJSIP/8001"


@pytest.fixture
def queue(redis_client, operator_config):
    return CallQueue(redis_client, operator_config)


@pytest.fixture
def calls(queue):
    return FallbackCalls(queue, QUEUE)


def _ready(queue, agent_id="li.na", dial=SEAT):
    queue.login(AgentInfo(agent_id, "guiyang", {"general": 1}, dial=dial))
    queue.set_ready(agent_id)


def _event(kind, agent_id="li.na", queue_name=QUEUE):
    return {"Event": kind, "Queue": queue_name, "MemberName": agent_id,
            "Interface": SEAT, "Uniqueid": "1733140000.17"}


def test_the_agent_who_answers_a_fallback_call_gets_no_caller_from_our_queue(queue, calls):
    _ready(queue)
    calls.handle(_event("AgentConnect"))
    st = queue.agent("li.na")
    assert (st.state, st.reason) == ("paused", FALLBACK_CALL)
    queue.enqueue(WaitingEntry("c-1", "general", "guiyang", caller="13985010001"))
    assert queue.call_state("c-1") == "waiting"  # not offered to the talking agent


def test_the_agent_stays_a_member_while_on_the_fallback_call(queue, calls):
    _ready(queue)
    calls.handle(_event("AgentConnect"))
    assert set(desired_members(read_agents(queue))) == {SEAT}


def test_the_end_of_the_call_makes_the_agent_ready_and_offered_the_next_caller(queue, calls):
    _ready(queue)
    calls.handle(_event("AgentConnect"))
    queue.enqueue(WaitingEntry("c-2", "general", "guiyang", caller="13985010002"))
    calls.handle(_event("AgentComplete"))
    st = queue.agent("li.na")
    assert (st.state, st.call_id) == ("offered", "c-2")


def test_a_pause_the_agent_chose_is_kept_through_and_after_the_call(queue, calls):
    _ready(queue)
    queue.pause("li.na", "meal")  # rang by app_queue a moment before the pause took effect
    calls.handle(_event("AgentConnect"))
    calls.handle(_event("AgentComplete"))
    st = queue.agent("li.na")
    assert (st.state, st.reason) == ("paused", "meal")


def test_events_of_other_queues_or_without_a_member_name_change_nothing(queue, calls):
    _ready(queue)
    calls.handle(_event("AgentConnect", queue_name="other-queue"))
    calls.handle({"Event": "AgentConnect", "Queue": QUEUE})
    calls.handle(_event("AgentConnect", agent_id="nobody"))
    assert queue.agent("li.na").state == "ready"


def test_a_missed_end_heals_after_two_resyncs_that_saw_no_call(queue, calls):
    _ready(queue)
    calls.handle(_event("AgentConnect"))
    talking = {SEAT: Member(SEAT, "li.na", SEAT, in_call=True)}
    idle = {SEAT: Member(SEAT, "li.na", SEAT, in_call=False)}
    calls.heal(read_agents(queue), talking)
    calls.heal(read_agents(queue), talking)
    assert queue.agent("li.na").reason == FALLBACK_CALL  # still talking: left alone
    calls.heal(read_agents(queue), idle)
    assert queue.agent("li.na").reason == FALLBACK_CALL  # one sighting may be the connect race
    calls.heal(read_agents(queue), idle)
    assert queue.agent("li.na").state == "ready"


def test_a_new_connect_between_resyncs_restarts_the_count(queue, calls):
    _ready(queue)
    calls.handle(_event("AgentConnect"))
    idle = {SEAT: Member(SEAT, "li.na", SEAT, in_call=False)}
    calls.heal(read_agents(queue), idle)
    calls.handle(_event("AgentConnect"))  # a new call (the first one ended, then this)
    calls.heal(read_agents(queue), idle)
    assert queue.agent("li.na").reason == FALLBACK_CALL


def test_redis_down_while_handling_an_event_does_not_break_the_event_thread(operator_config):
    import redis

    dead = CallQueue(redis.Redis(port=1, socket_connect_timeout=0.2), operator_config)
    FallbackCalls(dead, QUEUE).handle(_event("AgentConnect"))  # logged, not raised


@pytest.mark.parametrize(("state", "reason", "member"), [
    ("paused", FALLBACK_CALL, True), ("paused", "meal", False), ("ready", "", True),
    ("wrap_up", "", False), ("paused", None, False)])
def test_who_is_a_member(state, reason, member):
    assert (wanted("li.na", state, SEAT, reason) is not None) is member


def test_calls_ended_names_paused_agents_with_no_member_in_a_call():
    agents = {"a": ("paused", SEAT, FALLBACK_CALL), "b": ("paused", "PJSIP/8002", FALLBACK_CALL),
              "c": ("ready", "PJSIP/8003", ""), "d": ("paused", "PJSIP/8004", "meal")}
    current = {SEAT: Member(SEAT, "a", SEAT, in_call=True)}
    assert calls_ended(agents, current) == {"b"}
