"""End to end on the real Asterisk: our FastAGI server is down, app_queue takes the call,
and the CDR / queue_log import records it afterwards."""

from __future__ import annotations

import pytest

from e2e_harness import FALLBACK_QUEUE

pytestmark = pytest.mark.asterisk
MEMBER_EXT = "8501"
MEMBER_NAME = "a8501"


@pytest.fixture
def fallback_member(hotline):
    """A test agent as a dynamic member of the fallback queue (never in queues.conf)."""
    env = hotline.env
    env.cli(f"database put test-agent {MEMBER_EXT} 1:2")
    env.cli(f"queue add member Local/{MEMBER_EXT}@test-agent to {FALLBACK_QUEUE} "
            f"penalty 0 as {MEMBER_NAME}")
    yield MEMBER_NAME
    env.cli(f"queue remove member Local/{MEMBER_EXT}@test-agent from {FALLBACK_QUEUE}")


def test_with_our_server_down_the_call_reaches_an_agent_and_is_imported(hotline,
                                                                       fallback_member):
    hotline.stop_server()  # HOTLINE_AGI now points at a closed port
    answered = hotline.answered(hotline.call("w60", caller="13985010301"))
    call_id = answered["Uniqueid"]
    hotline.events.wait_for("UserEvent", UserEvent="HotlineTestAgentAnswered",
                            Agent=MEMBER_EXT, timeout=30)
    hotline.events.wait_for("AgentComplete", Uniqueid=call_id, Queue=FALLBACK_QUEUE, timeout=60)
    hotline.events.wait_for("Hangup", Uniqueid=call_id, timeout=30)
    assert hotline.call_row(call_id) is None  # nothing of ours saw the call

    hotline.wait_imported(call_id)  # CDR/queue_log: written at the end
    row = hotline.call_row(call_id)
    assert row.outcome == "fallback" and row.menu_path == "fallback"
    assert row.agent == fallback_member
    assert row.dnid == "12345" and row.caller_raw == "13985010301"
    assert row.answered_at is not None and row.queued_at <= row.answered_at
    again = hotline.import_fallback()
    assert call_id in again.call_ids and again.created == 0
    assert [r.call_id for r in hotline.rows()].count(call_id) == 1
