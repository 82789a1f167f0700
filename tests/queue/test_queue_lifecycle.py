"""How a call leaves: answered, abandoned, callback, lost handler; each exactly once."""

from __future__ import annotations

import threading

import pytest
from queue_helpers import events

from callqueue import errors
from callqueue.models import AgentInfo, WaitingEntry


def caller(cid, site="guiyang"):
    return WaitingEntry(cid, "market", site, caller="+8613985012345")


def agent(q, aid="a", ready=True):
    q.login(AgentInfo(aid, "guiyang", {"market": 1}, dial=f"PJSIP/{aid}"))
    if ready:
        q.set_ready(aid)


def outcomes(q):
    return {e["call_id"]: e["outcome"] for e in events(q, "finished")}


def test_abandon_removes_at_once_and_counts_wait_and_position(queue, clock):
    for cid in ("c1", "c2", "c3"):
        queue.enqueue(caller(cid))
    clock.advance(20)
    gone = queue.abandon("c2")
    assert (gone.wait_seconds, gone.position, gone.line) == (20.0, 2, "market")
    assert queue.position("c3") == 2
    assert queue.abandon("c2") is None
    ev = events(queue, "abandoned")
    assert [(e["call_id"], float(e["wait"]), e["position"]) for e in ev] == [("c2", 20.0, "2")]
    row = queue.snapshot().queue("market", "guiyang")
    assert (row.waiting, row.abandoned, row.offered) == (2, 1, 3)


def test_abandon_while_ringing_frees_the_agent_without_a_miss(queue):
    agent(queue)
    queue.enqueue(caller("c1"))
    assert queue.abandon("c1").position == 1
    a = queue.agent("a")
    assert (a.state, a.misses) == ("ready", 0)
    assert queue.accept("a", "c1") is False
    assert outcomes(queue) == {"c1": "abandoned"}


def test_answered_call_ends_once_even_if_reported_twice(queue, clock):
    agent(queue)
    queue.enqueue(caller("c1"))
    clock.advance(3)
    assert queue.accept("a", "c1")
    assert queue.finish_caller("c1", "answered") is True
    assert queue.finish_caller("c1", "abandoned") is False
    queue.hangup("a", "c1")
    assert queue.agent("a").state == "wrap_up"
    assert [e["outcome"] for e in events(queue, "finished")] == ["answered"]
    with pytest.raises(errors.CallFinished):
        queue.enqueue(caller("c1"))
    row = queue.snapshot().queue("market", "guiyang")
    assert (row.answered, row.answered_15s, row.avg_wait) == (1, 1, 3.0)


def test_lease_expiry_is_recorded_as_lost_handler(queue, clock):
    lease = queue.config.queue.lease_seconds
    queue.enqueue(caller("alive"))
    queue.enqueue(caller("dead"))
    clock.advance(lease * 2 / 3)
    assert queue.refresh_lease("alive")
    clock.advance(lease / 2)  # dead: past its lease; alive: refreshed half a lease ago
    assert queue.tick()["leases"] == 1
    assert [e["call_id"] for e in events(queue, "lost_handler")] == ["dead"]
    assert outcomes(queue) == {"dead": "lost_handler"}
    assert queue.refresh_lease("dead") is False
    assert queue.position("alive") == 1
    assert queue.snapshot().queue("market", "guiyang").lost_handler == 1


def test_callback_keeps_the_place_then_connects(queue, clock):
    queue.enqueue(caller("cb"))
    queue.enqueue(caller("c2"))
    assert queue.request_callback("cb", "+8613900000001")
    clock.advance(100)  # the virtual caller has no handler and needs no lease
    queue.refresh_lease("c2")
    queue.tick()
    assert queue.position("cb") == 1
    agent(queue)
    offer = queue.wait_offer("a", timeout=1)
    number = "+8613900000001"
    assert (offer.call_id, offer.kind, offer.callback_number) == ("cb", "callback", number)
    due = events(queue, "callback_due")
    assert [(e["call_id"], e["number"], e["attempt"]) for e in due] == [("cb", number, "1")]
    assert queue.accept("a", "cb")
    assert queue.callback_result("cb", ok=True) == "connected"
    queue.hangup("a", "cb")
    fin = events(queue, "finished")
    assert [(e["outcome"], e["callback_status"]) for e in fin] == [("callback", "connected")]


def test_failed_callback_retries_then_gives_up_recording_it(queue, clock):
    queue.enqueue(caller("cb"))
    queue.request_callback("cb", "+8613900000001")
    agent(queue)
    results = []
    for _attempt in range(3):
        queue.tick()
        assert queue.agent("a").call_id == "cb"
        queue.accept("a", "cb")
        results.append(queue.callback_result("cb", ok=False))
        assert queue.agent("a").state == "ready"
        clock.advance(121)  # callback_retry_seconds = 120
    assert results == ["retry", "retry", "given_up"]
    assert queue.position("cb") is None
    fin = events(queue, "finished")
    assert [(e["outcome"], e["callback_status"], e["attempts"]) for e in fin] == [
        ("callback", "given_up", "3")]
    assert queue.callback_result("cb", ok=True) == "given_up"
    row = queue.snapshot().queue("market", "guiyang")
    assert (row.callbacks_requested, row.callbacks_given_up) == (1, 1)


def test_callback_in_retry_delay_keeps_its_place(queue, clock):
    queue.enqueue(caller("cb"))
    queue.request_callback("cb", "+8613900000001")
    agent(queue)
    queue.accept("a", "cb")
    assert queue.callback_result("cb", ok=False) == "retry"
    queue.pause("a", "break")
    queue.enqueue(caller("later"))
    assert queue.position("cb") == 1 and queue.position("later") == 1
    clock.advance(121)
    queue.refresh_lease("later")
    queue.tick()
    assert [queue.position("cb"), queue.position("later")] == [1, 2]


def test_waiting_caller_is_woken_by_its_assignment(queue):
    queue.enqueue(caller("c1"))
    got = []
    t = threading.Thread(target=lambda: got.append(queue.wait_assignment("c1", timeout=10)))
    t.start()
    agent(queue)
    t.join(15)
    assert got and got[0].agent_id == "a" and got[0].dial == "PJSIP/a"


def test_a_withdrawn_offer_is_not_delivered(queue):
    agent(queue)
    queue.enqueue(caller("c1"))
    queue.miss("a", "c1", reason="rejected")  # the offer already pushed is now stale
    queue.logout("a")
    assert queue.wait_assignment("c1", timeout=0.05) is None
    assert queue.wait_offer("a", timeout=0.05) is None


def test_finish_caller_while_ringing_frees_the_agent(queue):
    agent(queue)
    queue.enqueue(caller("c1"))
    assert queue.finish_caller("c1", "emergency_transfer")
    assert queue.agent("a").state == "ready"
    assert outcomes(queue) == {"c1": "emergency_transfer"}


def test_reports_about_offers_that_are_gone_change_nothing(queue):
    agent(queue)
    queue.enqueue(caller("c1"))
    queue.miss(None, "c1")
    queue.miss("b", "c1")
    queue.hangup("a", "c1")  # not on the call yet: still ringing
    assert queue.agent("a").state == "offered" and queue.accept("a", "c1")
    assert not events(queue, "missed")
