"""Who gets which caller: priority, FIFO, levels, idle time, escalation, overflow."""

from __future__ import annotations

import pytest
from queue_helpers import events, hold

from callqueue import errors
from callqueue.models import AgentInfo, WaitingEntry


def caller(cid, line="market", site="guiyang", priority=0):
    return WaitingEntry(cid, line, site, priority=priority, caller="+8613985012345")


def ready_agent(q, aid, site="guiyang", skills=None):
    q.login(AgentInfo(aid, site, skills or {"market": 1}, dial=f"PJSIP/{aid}"))
    return q.set_ready(aid)


def serve(q, aid):
    """Accept the agent's open offer, hang up, and make the agent ready again."""
    cid = q.agent(aid).call_id
    assert q.accept(aid, cid)
    q.hangup(aid, cid)
    q.set_ready(aid)
    return cid


def test_higher_priority_first_then_fifo(queue):
    assert queue.enqueue(caller("c1")) == 1
    assert queue.enqueue(caller("c2")) == 2
    assert queue.enqueue(caller("c3", priority=2)) == 1
    assert [queue.position(c) for c in ("c1", "c2", "c3")] == [2, 3, 1]
    ready_agent(queue, "a1")
    assert queue.agent("a1").call_id == "c3"
    assert [serve(queue, "a1") for _ in range(3)] == ["c3", "c1", "c2"]


def test_enqueue_is_idempotent_on_call_id(queue):
    queue.enqueue(caller("c1"))
    queue.enqueue(caller("c2"))
    assert queue.enqueue(caller("c1")) == 1
    assert len(events(queue, "enqueued")) == 2


def test_lowest_level_wins_then_longest_idle(queue, clock):
    ready_agent(queue, "x", skills={"market": 1})
    queue.enqueue(caller("c"))
    assert queue.agent("x").state == "offered"
    clock.advance(40)  # c has waited past escalation: level 2 may take it too
    ready_agent(queue, "lvl2", skills={"market": 2})
    clock.advance(1)
    ready_agent(queue, "lvl1", skills={"market": 1})
    queue.miss("x", "c", reason="rejected")
    assert queue.agent("lvl1").call_id == "c"  # level 1 beats the longer-idle level 2
    ready_agent(queue, "old", skills={"market": 1})
    clock.advance(5)
    ready_agent(queue, "new", skills={"market": 1})
    queue.enqueue(caller("d"))
    assert queue.agent("old").call_id == "d"  # same level: the longest idle


def test_level_two_only_after_escalation(queue, clock):
    ready_agent(queue, "lvl2", skills={"market": 2})
    queue.enqueue(caller("c"))
    hold(queue, clock, 29, "c")
    queue.tick()
    assert queue.agent("lvl2").state == "ready"
    hold(queue, clock, 2, "c")
    queue.tick()
    assert queue.agent("lvl2").call_id == "c"


def test_general_agents_after_general_wait(queue, clock):
    ready_agent(queue, "g", skills={"general": 1})
    queue.enqueue(caller("c"))
    hold(queue, clock, 59, "c")
    queue.tick()
    assert queue.agent("g").state == "ready"
    hold(queue, clock, 2, "c")
    queue.tick()
    assert queue.agent("g").call_id == "c"


def test_city_overflows_to_province_but_not_back(queue, clock):
    ready_agent(queue, "prov", site="province")
    ready_agent(queue, "city", site="zunyi")
    queue.enqueue(caller("c", site="guiyang"))
    queue.enqueue(caller("p", site="province"))
    assert queue.agent("prov").call_id == "p"
    serve(queue, "prov")
    hold(queue, clock, 44, "c")
    queue.tick()
    assert queue.agent("prov").state == "ready"
    hold(queue, clock, 2, "c")
    queue.tick()
    assert queue.agent("prov").call_id == "c"
    assert queue.agent("city").state == "ready"  # another city's agent never takes it


def test_miss_keeps_place_and_pauses_after_consecutive_misses(queue, clock):
    queue.enqueue(caller("c1"))
    queue.enqueue(caller("c2"))
    ready_agent(queue, "a")
    assert queue.agent("a").call_id == "c1"
    queue.miss("a", "c1", reason="no_answer")
    a = queue.agent("a")  # rests a moment so that another agent gets the caller first
    assert (a.state, a.reason, a.wrap_until) == ("wrap_up", "missed", clock.now + 5)
    assert [queue.position("c1"), queue.position("c2")] == [1, 2]
    hold(queue, clock, 6, "c1", "c2")
    queue.tick()
    assert queue.agent("a").call_id == "c1"  # the only agent is offered the head again
    hold(queue, clock, 16, "c2")  # second miss: the offer times out
    assert queue.tick()["offers"] == 1
    a = queue.agent("a")
    assert (a.state, a.reason) == ("paused", "missed_offers")
    assert [queue.position("c1"), queue.position("c2")] == [1, 2]
    assert [e["reason"] for e in events(queue, "missed")] == ["no_answer", "timeout"]
    queue.set_ready("a")
    assert queue.agent("a").call_id == "c1"


def test_after_a_miss_the_next_agent_gets_the_caller(queue):
    queue.enqueue(caller("c1"))
    queue.enqueue(caller("c2"))
    ready_agent(queue, "never")
    queue.miss("never", "c1", reason="no_answer")
    ready_agent(queue, "next")
    assert queue.agent("next").call_id == "c1"


def test_logout_with_open_offer_returns_the_caller(queue):
    queue.enqueue(caller("c1"))
    ready_agent(queue, "a")
    ready_agent(queue, "b")
    assert queue.agent("a").call_id == "c1"
    queue.logout("a")
    assert queue.agent("a").state == "logged_out"
    assert queue.agent("b").call_id == "c1"
    assert not events(queue, "missed")


def test_agent_state_changes_are_timestamped_and_published(queue, clock):
    queue.login(AgentInfo("a", "guiyang", {"market": 1}))
    clock.advance(3)
    queue.set_ready("a")
    clock.advance(4)
    st = queue.pause("a", "meal")
    assert (st.state, st.reason, st.since) == ("paused", "meal", clock.now)
    published = [(e["state"], e["reason"], float(e["ts"])) for e in events(queue, "agent_state")]
    t0 = clock.now - 7
    assert published == [("paused", "", t0), ("ready", "", t0 + 3), ("paused", "meal", t0 + 7)]


def test_pause_rules(queue):
    queue.enqueue(caller("c1"))
    ready_agent(queue, "a")
    with pytest.raises(errors.UnknownPauseReason):
        queue.pause("a", "nap")
    with pytest.raises(errors.AgentBusy):
        queue.pause("a", "break")
    with pytest.raises(errors.UnknownAgent):
        queue.set_ready("nobody")
    queue.accept("a", "c1")
    with pytest.raises(errors.AgentBusy):
        queue.logout("a")


def test_wrap_up_timer_per_line_then_ready(queue, clock):
    queue.enqueue(caller("c1"))
    queue.enqueue(caller("c2"))
    ready_agent(queue, "a")
    queue.accept("a", "c1")
    hold(queue, clock, 100, "c2")
    queue.hangup("a", "c1")
    a = queue.agent("a")
    assert (a.state, a.wrap_until) == ("wrap_up", clock.now + 45)  # market: 45 s
    hold(queue, clock, 44, "c2")
    queue.tick()
    assert queue.agent("a").state == "wrap_up"
    hold(queue, clock, 2, "c2")
    queue.tick()
    assert queue.agent("a").call_id == "c2"


def test_unknown_line_or_site_is_refused(queue):
    with pytest.raises(errors.UnknownLine):
        queue.enqueue(caller("c", line="nope"))
    with pytest.raises(errors.UnknownSite):
        queue.enqueue(caller("c", site="mars"))
    assert queue.position("c") is None


def test_an_undeliverable_offer_is_retried_without_blaming_the_agent(queue):
    queue.enqueue(caller("c1"))
    queue.enqueue(caller("c2"))
    ready_agent(queue, "a")
    assert queue.return_offer("a", "c1", reason="twilio_503")
    a = queue.agent("a")
    assert (a.state, a.call_id, a.misses) == ("offered", "c1", 0)  # offered again at once
    assert queue.wait_offer("a", timeout=1).call_id == "c1"
    assert queue.return_offer("a", "c2") is False
    assert not events(queue, "missed") and events(queue, "offer_returned")
