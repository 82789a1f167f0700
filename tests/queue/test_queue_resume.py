"""A FastAGI caller whose handler dies keeps its place, and no agent is offered a caller
nobody dials: orphaned entries, acknowledged offers, resume, grace."""

from __future__ import annotations

from queue_helpers import events

from callqueue.models import AgentInfo, WaitingEntry


def caller(cid, resumable=True):
    return WaitingEntry(cid, "market", "guiyang", caller="+8613985012345", resumable=resumable)


def agent(q, aid="a", ready=True):
    q.login(AgentInfo(aid, "guiyang", {"market": 1}, dial=f"PJSIP/{aid}"))
    if ready:
        q.set_ready(aid)


def state(q, cid):
    return q.redis.hget(q.keys.call(cid), "state")


def lapse(q, clock, *alive):
    """Let one lease pass while only the `alive` callers' handlers refresh theirs."""
    lease = q.config.queue.fastagi_lease_seconds
    clock.advance(lease / 2)
    for cid in alive:
        assert q.refresh_lease(cid)
    clock.advance(lease / 2 + 1)


def test_a_caller_whose_handler_died_is_never_offered_and_keeps_its_place(queue, clock):
    for cid in ("first", "dead", "third"):
        queue.enqueue(caller(cid))
    lapse(queue, clock, "first", "third")
    agent(queue, "a")
    agent(queue, "b")                         # next in line is "dead": skipped, "third" offered
    assert [e["call_id"] for e in events(queue, "offered")] == ["first", "third"]
    assert state(queue, "dead") == "orphaned"
    assert [e["call_id"] for e in events(queue, "orphaned")] == ["dead"]
    queue.enqueue(caller("late"))
    queue.enqueue(caller("later"))
    assert queue.position("dead") == 1       # still ahead of later callers while orphaned
    assert queue.resume("dead") == 1          # back where it was
    assert (queue.position("late"), queue.position("later")) == (2, 3)
    assert state(queue, "dead") == "waiting"
    assert not events(queue, "lost_handler")


def test_an_offer_its_handler_never_dialled_is_taken_back_without_a_miss(queue, clock):
    queue.enqueue(caller("c1"))
    agent(queue, "a")
    assert state(queue, "c1") == "offered"
    clock.advance(queue.config.queue.offer_timeout_seconds + 1)
    queue.tick()
    a = queue.agent("a")
    assert a.state == "ready"
    assert not events(queue, "missed")
    assert state(queue, "c1") == "orphaned"
    assert [e["reason"] for e in events(queue, "offer_returned")] == ["handler_lost"]


def test_resuming_takes_back_an_undialled_offer_at_once_and_offers_again(queue, clock):
    queue.enqueue(caller("c1"))
    agent(queue, "a")
    assert queue.resume("c1") == 1
    offers = [e["agent_id"] for e in events(queue, "offered")]
    assert offers == ["a", "a"]               # taken back, then offered again in the same step
    assert queue.dialing("c1", "a")
    assert queue.agent("a").state == "offered"
    assert not events(queue, "missed")


def test_an_acknowledged_offer_that_times_out_is_the_agents_miss(queue, clock):
    queue.enqueue(caller("c1"))
    agent(queue, "a")
    assert queue.dialing("c1", "a")
    clock.advance(queue.config.queue.offer_timeout_seconds + 1)
    queue.tick()
    assert [e["reason"] for e in events(queue, "missed")] == ["timeout"]
    assert state(queue, "c1") == "waiting"


def test_dialing_a_taken_back_offer_is_refused(queue, clock):
    queue.enqueue(caller("c1"))
    agent(queue, "a")
    queue.logout("a")                          # the offer goes back to the queue
    assert queue.dialing("c1", "a") is False


def test_an_orphan_not_resumed_in_its_grace_is_lost_once(queue, clock):
    queue.enqueue(caller("c1"))
    lapse(queue, clock)
    queue.tick()
    assert state(queue, "c1") == "orphaned"
    clock.advance(queue.config.queue.resume_grace_seconds + 1)
    queue.tick()
    queue.tick()
    assert [e["outcome"] for e in events(queue, "finished")] == ["lost_handler"]
    assert queue.resume("c1") is None


def test_a_caller_hanging_up_while_orphaned_is_abandoned(queue, clock):
    queue.enqueue(caller("c1"))
    lapse(queue, clock)
    queue.tick()
    gone = queue.abandon("c1")
    assert gone is not None and gone.position == 1
    assert [e["outcome"] for e in events(queue, "finished")] == ["abandoned"]


def test_a_live_handler_refreshing_an_orphaned_lease_gets_its_place_back(queue, clock):
    """Redis was unreachable for longer than the lease: the handler that comes back in time
    finds its caller orphaned, and its next refresh restores the same place."""
    queue.enqueue(caller("c1"))
    queue.enqueue(caller("c2"))
    lapse(queue, clock, "c2")
    queue.tick()
    assert state(queue, "c1") == "orphaned"
    assert queue.refresh_lease("c1")
    assert queue.position("c1") == 1 and queue.position("c2") == 2


def test_calls_that_are_not_resumable_keep_the_lost_handler_rule(queue, clock):
    queue.enqueue(caller("twilio", resumable=False))
    clock.advance(queue.config.queue.lease_seconds + 1)   # its own, longer lease
    queue.tick()
    assert [e["outcome"] for e in events(queue, "finished")] == ["lost_handler"]


def test_a_twilio_caller_keeps_its_longer_lease_while_a_fastagi_one_is_orphaned(queue, clock):
    queue.enqueue(caller("twilio", resumable=False))
    queue.enqueue(caller("fastagi"))
    lapse(queue, clock)                   # past the FastAGI lease, within Twilio's
    queue.tick()
    assert (state(queue, "twilio"), state(queue, "fastagi")) == ("waiting", "orphaned")


def test_an_agent_freed_by_the_lease_sweep_is_not_offered_a_caller_whose_lease_ran_out(
        queue, clock):
    """Both handlers die at once: a FastAGI caller's, whose offer to the only agent was never
    dialled, and a Twilio caller's behind it. The sweep takes the offer back; the agent it
    frees must not ring for the Twilio caller (nobody is on that call either): that caller
    is lost_handler, as every caller whose lease ran out."""
    queue.enqueue(caller("fastagi"))
    agent(queue, "a")
    queue.enqueue(caller("twilio", resumable=False))
    assert state(queue, "fastagi") == "offered" and state(queue, "twilio") == "waiting"
    policy = queue.config.queue
    clock.advance(max(policy.lease_seconds, policy.fastagi_lease_seconds) + 1)
    queue.tick()
    assert [e["call_id"] for e in events(queue, "offered")] == ["fastagi"]
    assert [(e["call_id"], e["outcome"]) for e in events(queue, "finished")] == \
        [("twilio", "lost_handler")]
    assert state(queue, "fastagi") == "orphaned"
    assert queue.agent("a").state == "ready"
