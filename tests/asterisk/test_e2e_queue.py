"""End to end on the real Asterisk: waiting callers hang up, agents miss, callbacks."""

from __future__ import annotations

import pytest

from e2e_harness import wait_for

pytestmark = pytest.mark.asterisk
SILENT = "w120"
GONE_FROM_REDIS_S = 1.0   # the bound: the entry leaves Redis within 1 s of a hang-up


def _waiting(hotline, call_id: str, timeout: float = 40.0) -> None:
    wait_for(lambda: hotline.queue.position(call_id), timeout, f"{call_id} not waiting")


def test_hang_up_while_waiting_is_an_abandonment_removed_at_once(hotline):
    answered = hotline.answered(hotline.call(SILENT, caller="13985010201"))
    call_id = answered["Uniqueid"]
    _waiting(hotline, call_id)
    key = hotline.queue.keys.call(call_id)
    assert hotline.redis.hget(key, "state") == "waiting"
    citizen_side = answered["Channel"].rsplit(";", 1)[0] + ";2"
    hotline.ami.hangup(citizen_side)  # the citizen hangs up
    hotline.events.wait_for("Hangup", Uniqueid=call_id, timeout=10)
    wait_for(lambda: hotline.redis.hget(key, "state") == "done", GONE_FROM_REDIS_S,
             "the waiting entry still in Redis")
    assert hotline.queue.position(call_id) is None
    row = hotline.wait_row(call_id, timeout=10)
    assert row.outcome == "abandoned"
    assert row.answered_at is None and row.queued_at is not None


def test_an_agent_who_does_not_answer_sends_the_caller_back_to_the_head(hotline):
    first = hotline.agent("8301", "never")
    first_call = hotline.answered(hotline.call(SILENT, caller="13985010202"))
    call_id = first_call["Uniqueid"]
    hotline.events.wait_for("DialBegin", Uniqueid=call_id, timeout=40,
                            where=lambda e: "8301@test-agent" in e.get("DestChannel", ""))
    # a second caller arrives while the first one's agent rings
    second_call = hotline.answered(hotline.call(SILENT, caller="13985010203"))
    _waiting(hotline, second_call["Uniqueid"])
    hotline.events.wait_for("DialEnd", Uniqueid=call_id, DialStatus="NOANSWER", timeout=30)
    wait_for(lambda: hotline.queue_events("missed", call_id=call_id, agent_id=first), 10,
             "no miss recorded")
    second = hotline.agent("8302", "1:1")  # the next agent: the first caller is at the head
    hotline.events.wait_for("UserEvent", UserEvent="HotlineTestAgentAnswered", Agent="8302",
                            timeout=30)
    row = hotline.wait_row(call_id)      # survey unanswered: recorded when it times out
    assert row.outcome == "answered" and row.agent == second
    assert "miss:noanswer" in row.menu_path
    # the next agent's first offer is the first caller, ahead of the one waiting since
    assert hotline.queue_events("offered", agent_id=second)[0]["call_id"] == call_id


def test_a_callback_calls_the_agent_then_the_citizen_and_connects_them(hotline):
    number = "13985010204"
    # no agent yet: the citizen waits, presses 1 for a callback, hears the confirmation
    answered = hotline.answered(hotline.call(SILENT, caller=number))
    call_id = answered["Uniqueid"]
    _waiting(hotline, call_id)
    hotline.press_until(answered["Channel"], "1", lambda: hotline.call_row(call_id))
    row = hotline.wait_row(call_id)
    assert row.outcome == "callback" and row.callback_number == f"+86{number}"
    hotline.events.wait_for("Hangup", Uniqueid=call_id, timeout=20)

    hotline.env.cli("dialplan set global TEST_CALLEE_TALK 3")  # the called-back citizen
    agent = hotline.agent("8401", "1:30")  # an agent becomes free
    agent_up = hotline.events.wait_for("UserEvent", UserEvent="HotlineTestAgentAnswered",
                                       Agent="8401", timeout=30)
    citizen_up = hotline.events.wait_for("UserEvent", UserEvent="HotlineTestCalleeAnswered",
                                         timeout=30, where=lambda e: number in e["Number"])
    assert float(agent_up["Timestamp"]) <= float(citizen_up["Timestamp"])  # order only
    bridged = hotline.events.wait_for("DialEnd", DialStatus="ANSWER", timeout=10,
                                      where=lambda e: number in e.get("DestChannel", ""))
    assert bridged["Channel"].startswith("Local/8401@test-agent")
    wait_for(lambda: hotline.queue_events("callback_result", call_id=call_id,
                                          result="connected"), 20, "callback not connected")
    assert hotline.queue_events("callback_due", call_id=call_id, agent_id=agent)
    # the citizen hangs up after 3 s: the agent is free again, not stuck on the call
    wait_for(lambda: hotline.queue.agent(agent).state in ("wrap_up", "ready"), 20,
             "the agent still on the callback")
    hotline.env.cli("dialplan set global TEST_CALLEE_TALK 30")

