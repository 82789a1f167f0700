"""End to end on the real Asterisk: the web keeps app_queue hotline-fallback's members equal
to our queue's ready agents, so that with every FastAGI server down a citizen's call is
still answered by a ready agent, who is offered nothing by our queue while talking, and the
CDR import records the call."""

from __future__ import annotations

import re
import time

import pytest

from e2e_harness import FALLBACK_QUEUE, wait_for

from ami.fallback_members import QueueMembers, StatusClient
from ami.fallback_plan import FALLBACK_CALL

pytestmark = pytest.mark.asterisk
EVENT_BOUND_S = 5.0    # "within a few seconds": the event path, far below the resync interval
RESYNC_BOUND_S = 25.0  # one resync interval (10 s by default) with room to spare
_MEMBER_LINE = re.compile(r"^\s+(?P<name>\S+) \((?P<interface>[^ )]+)")


def members(env) -> dict[str, str]:
    """interface -> member name, as Asterisk's own CLI shows hotline-fallback's members."""
    shown, inside = {}, False
    for line in env.cli(f"queue show {FALLBACK_QUEUE}").splitlines():
        if line.strip().startswith("Members:"):
            inside = True
        elif inside and ("Callers" in line or not line.strip()):
            break
        elif inside and (found := _MEMBER_LINE.match(line)):
            shown[found["interface"]] = found["name"]
    return shown


def dial_of(ext: str) -> str:
    return f"Local/{ext}@test-agent"  # what e2e_harness.Hotline.agent logs agents in with


def _timed(predicate, timeout: float, what: str) -> float:
    """Seconds until ``predicate`` held (polling); fails past ``timeout``."""
    start = time.monotonic()
    wait_for(predicate, timeout, what)
    return time.monotonic() - start


@pytest.fixture
def web(hotline, redis_server, tmp_path, asterisk_settings):
    """The web app with its background work (the fallback members' sync among it), on the
    hotline's Redis queue and CRM, talking AMI to the session's Asterisk."""
    from fastapi.testclient import TestClient

    from hotline.context import AppContext
    from web.app import create_app

    ctx = AppContext.from_env(redis_url=redis_server.url, var_dir=str(tmp_path / "web-var"),
                              database_url=str(hotline.sessions.kw["bind"].url),
                              secret_key="fallback-members-secret-1", env="test",
                              ami_port=asterisk_settings.ami_port,
                              ami_secret=asterisk_settings.ami_secret.get_secret_value())
    assert ctx.settings.fallback_sync_seconds == 10  # the default, as deployed
    with TestClient(create_app(ctx, queue=hotline.queue, background=True)):
        yield ctx
    for interface in members(hotline.env):  # persistentmembers: leave no member behind
        hotline.env.cli(f"queue remove member {interface} from {FALLBACK_QUEUE}")
    ctx.engine.dispose()


def _state(hotline, agent_id: str) -> tuple[str, str]:
    st = hotline.queue.agent(agent_id)
    return (st.state, st.reason or "") if st else ("", "")


def _stamp(event: dict) -> float:
    return float(event["Timestamp"])  # manager.conf timestampevents = yes


def test_with_every_fastagi_server_down_a_ready_agent_answers_through_app_queue(hotline, web):
    hotline.stop_server()  # HOTLINE_AGI now points at a closed port
    agent_id = hotline.agent("8601", behaviour="1:6")
    wait_for(lambda: members(hotline.env).get(dial_of("8601")) == agent_id, RESYNC_BOUND_S,
             "the ready agent as a member of hotline-fallback")

    action_id = hotline.call("w60", caller="13985010601")
    answered = hotline.answered(action_id)
    call_id = answered["Uniqueid"]
    picked_up = hotline.events.wait_for("UserEvent", UserEvent="HotlineTestAgentAnswered",
                                        Agent="8601", timeout=30)
    connect = hotline.events.wait_for("AgentConnect", Queue=FALLBACK_QUEUE, Uniqueid=call_id,
                                      timeout=30)
    assert connect["MemberName"] == agent_id
    # While talking the agent is offered nothing by our queue, and stays a member in a call.
    wait_for(lambda: _state(hotline, agent_id) == ("paused", FALLBACK_CALL), EVENT_BOUND_S,
             "the agent paused in our queue as on a fallback call")
    with StatusClient.from_settings(web.settings).connect() as client:
        member = QueueMembers(client).read()[dial_of("8601")]
    assert member.name == agent_id and member.in_call
    # The agent hangs up after 6 s of talk; the caller's own 60 s wait bounds it in any case.
    hotline.events.wait_for("AgentComplete", Uniqueid=call_id, Queue=FALLBACK_QUEUE, timeout=90)
    wait_for(lambda: _state(hotline, agent_id) == ("ready", ""), EVENT_BOUND_S,
             "the agent ready again in our queue once the fallback call ended")
    hotline.events.wait_for("Hangup", Uniqueid=call_id, timeout=30)
    assert hotline.call_row(call_id) is None  # no FastAGI server saw the call

    hotline.wait_imported(call_id)  # CDR/queue_log: written at the end
    assert hotline.import_fallback().created == 0  # again: nothing new (queue_log keeps older calls)
    rows = [r for r in hotline.rows() if r.call_id == call_id]
    assert len(rows) == 1
    row = rows[0]
    assert row.outcome == "fallback" and row.agent == agent_id
    assert row.answered_at is not None and row.queued_at <= row.answered_at
    print(f"\ncaller's wait until the agent answered: "
          f"{_stamp(picked_up) - _stamp(answered):.2f} s from the hotline answering, "
          f"app_queue HoldTime {connect['HoldTime']} s, ring {connect['RingTime']} s; "
          f"CRM wait {(row.answered_at - row.queued_at).total_seconds():.2f} s")


def test_paused_or_logged_out_agents_leave_and_ready_ones_return(hotline, web):
    from callqueue.models import AgentInfo

    agent_id = hotline.agent("8602")
    dial = dial_of("8602")
    present = lambda: members(hotline.env).get(dial) == agent_id  # noqa: E731
    absent = lambda: dial not in members(hotline.env)  # noqa: E731
    wait_for(present, RESYNC_BOUND_S, "the ready agent as a member")

    hotline.queue.pause(agent_id, next(iter(hotline.operator.pause_reasons)))
    paused_s = _timed(absent, EVENT_BOUND_S, "the paused agent removed")
    hotline.queue.set_ready(agent_id)
    ready_s = _timed(present, EVENT_BOUND_S, "the agent back once ready")
    hotline.queue.logout(agent_id)
    logout_s = _timed(absent, EVENT_BOUND_S, "the logged-out agent removed")
    hotline.queue.login(AgentInfo(agent_id, hotline.site, {"general": 1}, dial))
    assert absent()  # logged in again, but paused until ready
    hotline.queue.set_ready(agent_id)
    wait_for(present, EVENT_BOUND_S, "the agent back after logging in and getting ready")
    print(f"\nremoved {paused_s:.2f} s after pausing, {logout_s:.2f} s after logging out; "
          f"added {ready_s:.2f} s after getting ready")


def test_a_member_removed_in_asterisk_is_added_again_by_the_resync(hotline, web):
    agent_id = hotline.agent("8603")
    dial = dial_of("8603")
    wait_for(lambda: members(hotline.env).get(dial) == agent_id, RESYNC_BOUND_S,
             "the ready agent as a member")
    hotline.env.cli(f"queue remove member {dial} from {FALLBACK_QUEUE}")
    assert dial not in members(hotline.env)
    healed_s = _timed(lambda: members(hotline.env).get(dial) == agent_id, RESYNC_BOUND_S,
                      "the member added again")
    print(f"\nre-added {healed_s:.2f} s after its removal in Asterisk")


def test_an_agent_on_a_call_in_our_queue_is_no_member_until_ready_again(hotline, web):
    agent_id = hotline.agent("8604", behaviour="1:6")
    dial = dial_of("8604")
    wait_for(lambda: members(hotline.env).get(dial) == agent_id, RESYNC_BOUND_S,
             "the ready agent as a member")
    hotline.call("w60", caller="13985010604")  # our FastAGI server is up: our queue
    wait_for(lambda: (hotline.queue.agent(agent_id).state == "on_call"
                      and dial not in members(hotline.env)), 30,
             "the agent on our call and not a member")
    wait_for(lambda: (hotline.queue.agent(agent_id).state == "ready"
                      and members(hotline.env).get(dial) == agent_id), 40,
             "the agent ready again and a member")
