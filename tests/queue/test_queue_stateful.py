"""Random interleavings of every queue operation against a model, with the queue's invariants.

One line with level-1 agents at two cities and the province (省市两级). An agent may take a
caller of its own site, any province caller, and (a province agent) a city's caller who has
waited overflow_after_seconds. The offered caller must be the model's head of what that agent
may take (priority, then arrival) and the agent the best of the ready agents who may take it:
the province's own agents before the cities' for a province caller, then the longest idle.
No caller waits while an agent who may take it is ready. The clock is a fake one; leases and
offers expire when the machine advances it (the housekeeping tick may run at once or later).

Callers are resumable (a FastAGI handler that acknowledges each offer it dials and may be
resumed on another server) or not. A handler may die; a resumable caller whose handler is
silent leaves matching (orphaned, its place kept) until it is resumed, hangs up or its grace
ends. No agent is offered an orphan, and none is charged a miss for an offer nobody dialled.
"""

from __future__ import annotations

import dataclasses
import os

import pytest
import redis as redis_lib
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (RuleBasedStateMachine, initialize, invariant, precondition,
                                 rule, run_state_machine_as_test)
from queue_helpers import FakeClock, with_policy, with_wrap_up

from callqueue import errors
from callqueue.api import CallQueue
from callqueue.models import AUTO_PAUSE_REASON, AgentInfo, WaitingEntry

LINE, PROVINCE = "general", "province"
SITES = ("guiyang", "zunyi", PROVINCE)
LEASE, OFFER_TIMEOUT, WRAP, OVERFLOW, GRACE, MAX_MISSES = 30, 15, 5, 45, 60, 2
MAX_AGENTS = 4
HELD = ("waiting", "offered", "orphaned")  # the states in which a handler's call is queued
REDIS_URL = OPERATOR = None  # set by the machine_env fixture (hypothesis builds the machine)


@dataclasses.dataclass
class Call:
    seq: int
    prio: int
    site: str
    t0: float
    resumable: bool = False
    # waiting | offered | orphaned | on_call | cb_delay | done; "returned" only between an
    # offer_returned event and the orphaned or resumed event that follows it
    state: str = "waiting"
    kind: str = "call"
    lease: float | None = None   # lease deadline while the queue holds one
    deadline: float = 0.0
    agent: str = ""
    last_agent: str = ""         # the agent of its latest offer
    acked: bool = False          # its handler acknowledged the open offer (dialing)
    handler: bool = True         # its handler is alive: refreshes the lease, acknowledges
    orphan_until: float = 0.0
    since: float = 0.0           # when it last became waiting (matched then)
    outcomes: list = dataclasses.field(default_factory=list)

    @property
    def order(self) -> tuple[int, int]:
        return (-self.prio, self.seq)


@dataclasses.dataclass
class Agent:
    site: str = ""
    state: str = "paused"
    idle: int = 0
    call: str = ""
    misses: int = 0



def is_agent(x) -> bool:
    return isinstance(x, Agent)


def is_call(x) -> bool:
    """A caller's own call (not a callback the queue places)."""
    return isinstance(x, Call) and x.kind == "call"


def is_resumable(x) -> bool:
    return is_call(x) and x.resumable


def was_resumable(x) -> bool:
    """Joined as resumable (it may have become a callback since)."""
    return isinstance(x, Call) and x.resumable


def may_dial(x) -> bool:
    """A live handler that has been offered an agent (the offer may since be taken back)."""
    return is_resumable(x) and x.handler and bool(x.last_agent) and x.state != "done"


def may_die(x) -> bool:
    return is_call(x) and x.handler and x.state != "done"


def may_hang_up(x) -> bool:
    return is_call(x) and x.state in HELD


def may_ask_callback(x) -> bool:
    return is_call(x) and x.state in ("waiting", "orphaned")


class QueueMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.calls: dict[str, Call] = {}
        self.agents: dict[str, Agent] = {}
        self.cursor = "0-0"
        self.n_calls = 0
        self.joining: dict[str, bool] = {}  # call id -> resumable, until its enqueued event
        self.resuming: str | None = None     # the call a resume() is running for
        self.previous: tuple[str, dict] = ("", {})

    @initialize()
    def start(self):
        self.r = redis_lib.Redis.from_url(REDIS_URL, decode_responses=True)
        self.r.flushall()
        self.clock = FakeClock()
        self.ticked_at = self.clock.now
        config = with_policy(with_wrap_up(OPERATOR, WRAP), lease_seconds=LEASE,
                             fastagi_lease_seconds=LEASE, resume_grace_seconds=GRACE,
                             offer_timeout_seconds=OFFER_TIMEOUT,
                             max_consecutive_misses=MAX_MISSES)
        self.q = CallQueue(self.r, config, clock=self.clock)

    # ---- the model follows the event stream and checks each step is legal
    def absorb(self):
        for _id, e in self.q.read_events(self.cursor, count=10_000):
            self.cursor = _id
            getattr(self, "on_" + e["type"])(e, float(e["ts"]))
            self.previous = (e["type"], e)

    @staticmethod
    def may_take(agent: Agent, call: Call, now: float) -> bool:
        if agent.site == call.site or call.site == PROVINCE:
            return True
        return agent.site == PROVINCE and now - call.t0 >= OVERFLOW

    @staticmethod
    def rank(agent: Agent, call: Call) -> tuple[int, int]:
        """Lower is better: a province caller's own agents first, then the longest idle."""
        return (int(call.site == PROVINCE and agent.site != PROVINCE), agent.idle)

    def head(self, agent: Agent | None = None, now: float = 0.0):
        """The first waiting caller (priority, then arrival), of those `agent` may take."""
        waiting = [(-c.prio, c.seq, cid) for cid, c in self.calls.items() if c.state == "waiting"
                   and (agent is None or self.may_take(agent, c, now))]
        return min(waiting)[2] if waiting else None

    def place(self, cid: str) -> int:
        """The 1-based rank of `cid` by its original score among its site's waiting callers."""
        call = self.calls[cid]
        return 1 + sum(1 for other_id, other in self.calls.items()
                       if other_id != cid and other.state == "waiting"
                       and other.site == call.site and other.order < call.order)

    def on_enqueued(self, e, ts):
        cid = e["call_id"]
        self.calls[cid] = Call(seq=len(self.calls), prio=int(e["priority"]), site=e["site"],
                               t0=ts, since=ts, lease=ts + LEASE,
                               resumable=self.joining.pop(cid))
        assert int(e["position"]) == self.place(cid)

    def on_offered(self, e, ts):
        cid, aid = e["call_id"], e["agent_id"]
        call = self.calls[cid]
        assert call.state == "waiting", f"{cid} offered while {call.state}"
        assert cid == self.head(self.agents[aid], ts), \
            "offered caller is not the head of what the agent may take (priority, then FIFO)"
        if call.resumable and call.kind == "call":
            assert call.lease is not None and call.lease >= ts, \
                f"{cid} offered although its handler's lease ran out at {call.lease}"
        ready = {name: self.rank(a, call) for name, a in self.agents.items()
                 if a.state == "ready" and self.may_take(a, call, ts)}
        assert aid in ready, "offered agent may not take the caller"
        # Overflow is noticed by the next tick: until then an agent who becomes ready and may
        # take the caller only since the last match (the caller's own site's, or a province
        # agent once the caller overflowed) may take it first. Agents of equal rank (ready in
        # the same millisecond) may come in either order.
        seen = max(call.since, self.ticked_at)
        at_once = {name: r for name, r in ready.items()
                   if self.may_take(self.agents[name], call, seen)}
        rivals = at_once if aid in at_once else {**at_once, aid: ready[aid]}
        assert ready[aid] == min(rivals.values()), \
            "offered agent is not the best ready agent for the caller"
        call.state, call.agent, call.last_agent = "offered", aid, aid
        call.deadline, call.acked = ts + OFFER_TIMEOUT, False
        if not (call.resumable and call.kind == "call"):
            call.lease = None  # the lease of a resumable call runs on until acknowledged

    def on_accepted(self, e, ts):
        call = self.calls[e["call_id"]]
        assert call.kind != "call" or not call.resumable or call.acked, \
            "accepted an offer its handler never dialled"
        call.state, call.lease = "on_call", None
        self.agents[e["agent_id"]].misses = 0

    def on_missed(self, e, ts):
        call = self.calls[e["call_id"]]
        assert call.state == "offered" and call.agent == e["agent_id"]
        assert call.kind != "call" or not call.resumable or call.acked, \
            f"{e['agent_id']} charged a miss for an offer of {e['call_id']} nobody dialled"
        self.agents[e["agent_id"]].misses += 1
        assert int(e["misses"]) == self.agents[e["agent_id"]].misses
        self.requeued(call, ts)

    @staticmethod
    def requeued(call: Call, ts: float) -> None:
        """Back in its own place, matched at once; a caller's handler holds a lease again."""
        call.state, call.agent, call.acked, call.since = "waiting", "", False, ts
        call.lease = ts + LEASE if call.kind == "call" else None

    def on_offer_returned(self, e, ts):
        cid, call = e["call_id"], self.calls[e["call_id"]]
        assert e["reason"] == "handler_lost", e
        assert call.resumable and call.kind == "call"
        assert call.state == "offered" and call.agent == e["agent_id"]
        if self.resuming != cid:  # a sweep: only an offer nobody acknowledged, when it lapsed
            assert not call.acked, f"{cid}: an acknowledged offer was taken back"
            assert min(call.lease, call.deadline) <= ts
        call.state, call.agent, call.acked = "returned", "", False

    def on_orphaned(self, e, ts):
        cid, call = e["call_id"], self.calls[e["call_id"]]
        assert call.resumable and call.kind == "call"
        assert call.state in ("waiting", "returned"), f"{cid} orphaned while {call.state}"
        if call.state == "waiting":
            assert call.lease <= ts, f"{cid} orphaned while its lease ran until {call.lease}"
            assert int(e["position"]) == self.place(cid)
        call.state, call.agent, call.lease = "orphaned", "", None
        call.orphan_until = ts + GRACE

    def on_resumed(self, e, ts):
        cid, call = e["call_id"], self.calls[e["call_id"]]
        assert call.resumable and call.kind == "call"
        assert call.state in ("waiting", "orphaned", "returned"), f"{cid} resumed: {call.state}"
        if call.state != "waiting":
            call.since = ts  # back in its place and matched at once
        call.state, call.agent, call.acked, call.lease = "waiting", "", False, ts + LEASE
        assert int(e["position"]) == self.place(cid), \
            f"{cid} resumed at {e['position']}, not at its own place {self.place(cid)}"

    def on_lost_handler(self, e, ts):
        call = self.calls[e["call_id"]]
        if call.state == "orphaned":
            assert call.orphan_until <= ts, "an orphan lost before its grace ended"
        else:
            assert call.state == "waiting" and call.kind == "call" and not call.resumable
            assert call.lease <= ts, "a caller lost while its lease ran"

    def on_agent_state(self, e, ts):
        agent = self.agents.setdefault(e["agent_id"], Agent(site=e["site"]))
        if e["state"] == "logged_out" and agent.state == "offered":
            self.requeued(self.calls[agent.call], ts)  # the open offer goes back, no miss
        agent.state, agent.call = e["state"], e["call_id"]
        if e["state"] == "ready":
            agent.idle = int(e["idle_ms"])
        if e["state"] == "paused" and e["reason"] == AUTO_PAUSE_REASON:
            kind, prev = self.previous
            assert kind == "missed" and prev["agent_id"] == e["agent_id"], \
                f"{e['agent_id']} auto-paused without a miss"
            assert agent.misses >= MAX_MISSES
            agent.misses = 0
        if e["previous"] == "logged_out":
            agent.misses = 0

    def on_finished(self, e, ts):
        call = self.calls[e["call_id"]]
        call.outcomes.append(e["outcome"])
        assert len(call.outcomes) == 1, f"{e['call_id']} ended twice: {call.outcomes}"
        call.state, call.lease, call.agent = "done", None, ""

    def on_callback(self, e, ts):
        call = self.calls[e["call_id"]]
        call.kind, call.lease = "callback", None

    def on_callback_result(self, e, ts):
        if e["result"] == "retry":
            self.calls[e["call_id"]].state = "cb_delay"

    def on_callback_retry(self, e, ts):
        call = self.calls[e["call_id"]]
        call.state, call.since = "waiting", ts

    def on_abandoned(self, e, ts):
        assert self.calls[e["call_id"]].state in HELD

    def on_callback_due(self, e, ts):
        pass

    # ---- rules (a rule with nobody to act on is not drawn: the search goes deeper)
    def pick(self, data, pred):
        names = sorted(n for n, x in {**self.calls, **self.agents}.items() if pred(x))
        return data.draw(st.sampled_from(names))

    def any_call(self, pred) -> bool:
        return any(pred(c) for c in self.calls.values())

    def any_agent(self, pred) -> bool:
        return any(pred(a) for a in self.agents.values())

    def entry(self, cid: str, prio: int, site: str, resumable: bool) -> WaitingEntry:
        return WaitingEntry(cid, LINE, site, priority=prio, resumable=resumable)

    @rule(prio=st.integers(0, 2), site=st.sampled_from(SITES), resumable=st.booleans())
    def enqueue(self, prio, site, resumable):
        self.n_calls += 1
        cid = f"c{self.n_calls:03d}"
        self.joining[cid] = resumable
        self.q.enqueue(self.entry(cid, prio, site, resumable))
        self.absorb()

    @precondition(lambda self: self.any_call(is_call))
    @rule(data=st.data())
    def handler_joins_again(self, data):
        """A handler enqueues its caller again: no change, except that an orphan is back."""
        cid = self.pick(data, is_call)
        call = self.calls[cid]
        done = call.state == "done"
        call.handler = True
        try:
            pos = self.q.enqueue(self.entry(cid, call.prio, call.site, call.resumable))
            assert not done
        except errors.CallFinished:
            assert done
            return
        self.absorb()
        if call.state == "waiting":
            assert pos == self.place(cid)

    @precondition(lambda self: len(self.agents) < MAX_AGENTS)
    @rule(site=st.sampled_from(SITES))
    def login_and_ready(self, site):
        aid = f"a{len(self.agents)}"
        self.q.login(AgentInfo(aid, site, {LINE: 1}, dial=f"PJSIP/{aid}"))
        self.q.set_ready(aid)
        self.absorb()

    @precondition(lambda self: self.agents)
    @rule(data=st.data())
    def ready(self, data):
        aid = self.pick(data, is_agent)
        busy = self.agents[aid].state in ("offered", "on_call")
        try:
            self.q.set_ready(aid)
            assert not busy
        except errors.AgentBusy:
            assert busy
        self.absorb()

    @precondition(lambda self: self.agents)
    @rule(data=st.data())
    def pause(self, data):
        aid = self.pick(data, is_agent)
        busy = self.agents[aid].state in ("offered", "on_call")
        try:
            self.q.pause(aid, "break")
            assert not busy
        except errors.AgentBusy:
            assert busy
        self.absorb()

    def rung(self, agent) -> bool:
        """The agent's phone rings: an offer whose handler (if it acknowledges) dialled it."""
        if not isinstance(agent, Agent) or agent.state != "offered":
            return False
        call = self.calls[agent.call]
        return call.kind != "call" or not call.resumable or call.acked

    @precondition(lambda self: self.any_agent(self.rung))
    @rule(data=st.data(), answer=st.booleans(), reason=st.sampled_from(["no_answer", "rejected"]))
    def respond(self, data, answer, reason):
        aid = self.pick(data, self.rung)
        cid = self.agents[aid].call
        if answer:
            assert self.q.accept(aid, cid)
        else:
            self.q.miss(aid, cid, reason=reason)
        self.absorb()

    @precondition(lambda self: self.any_call(may_dial))
    @rule(data=st.data())
    def handler_dials(self, data):
        """A live handler acknowledges its offer; a stale one (taken back) is refused."""
        cid = self.pick(data, may_dial)
        call = self.calls[cid]
        is_open = call.state == "offered"
        assert self.q.dialing(cid, call.agent or call.last_agent) == is_open
        if is_open:
            call.acked, call.lease = True, None

    @precondition(lambda self: self.any_call(may_die))
    @rule(data=st.data())
    def handler_dies(self, data):
        self.calls[self.pick(data, may_die)].handler = False

    @precondition(lambda self: self.any_call(was_resumable))
    @rule(data=st.data())
    def resume(self, data):
        """Another server picks the caller up (the dialplan's resume after a lost server)."""
        cid = self.pick(data, was_resumable)
        call = self.calls[cid]
        held = call.kind == "call" and call.state in HELD
        call.handler = True
        self.resuming = cid
        try:
            pos = self.q.resume(cid)
            self.absorb()
        finally:
            self.resuming = None
        assert (pos is not None) == held, (cid, pos, call.state)
        if held and call.state == "waiting":
            assert pos == self.place(cid) == self.q.position(cid), \
                f"{cid} resumed at {pos}, not at its own place {self.place(cid)}"
        elif held:
            assert call.state == "offered" and pos == 1

    @precondition(lambda self: self.agents)
    @rule(data=st.data())
    def logout_and_back(self, data):
        """An agent logs out (an open offer goes back to the queue) and in again."""
        aid = self.pick(data, is_agent)
        agent = self.agents[aid]
        try:
            self.q.logout(aid)
            assert agent.state != "on_call"
        except errors.AgentBusy:
            assert agent.state == "on_call"
            return
        self.absorb()
        self.q.login(AgentInfo(aid, agent.site, {LINE: 1}, dial=f"PJSIP/{aid}"))
        self.q.set_ready(aid)
        self.absorb()

    @precondition(lambda self: self.any_call(may_hang_up))
    @rule(data=st.data())
    def call_ends_in_the_menu(self, data):
        """The caller's call ends another way (e.g. a transfer): its one outcome."""
        cid = self.pick(data, may_hang_up)
        assert self.q.finish_caller(cid, "self_service")
        self.absorb()
        assert self.calls[cid].outcomes == ["self_service"]

    @precondition(lambda self: self.any_call(may_hang_up))
    @rule(data=st.data())
    def abandon(self, data):
        cid = self.pick(data, may_hang_up)
        assert self.q.abandon(cid) is not None
        self.absorb()

    @precondition(lambda self: self.any_call(may_ask_callback))
    @rule(data=st.data())
    def request_callback(self, data):
        cid = self.pick(data, may_ask_callback)
        assert self.q.request_callback(cid, "+8613900000001") == \
            (self.calls[cid].state == "waiting")
        self.absorb()

    @rule()
    def handlers_refresh(self):
        now = self.clock.now
        for cid, c in list(self.calls.items()):
            if not c.handler:
                continue
            state, kind = c.state, c.kind
            held = self.q.refresh_lease(cid)
            assert held == (kind == "call" and state in HELD), (cid, state, kind)
            if kind == "call" and (state == "waiting" or state == "offered" and c.lease):
                c.lease = now + LEASE
            self.absorb()  # an orphan is back in its place and matched at once

    @rule(seconds=st.sampled_from([1, 5, 14, 16, 29, 31, 61, 121]), tick=st.booleans())
    def time_passes(self, seconds, tick):
        self.clock.advance(seconds)
        if tick:
            self.tick()

    def tick(self):
        now = self.clock.now
        lapsed = {cid for cid, c in self.calls.items() if c.lease is not None and c.lease <= now}
        doomed = {cid for cid in lapsed if not self.calls[cid].resumable}
        doomed |= {cid for cid, c in self.calls.items()
                   if c.state == "orphaned" and c.orphan_until <= now}
        unacked = {cid for cid, c in self.calls.items() if c.state == "offered"
                   and c.kind == "call" and c.resumable and not c.acked and c.deadline <= now}
        orphaning = (lapsed - doomed) | unacked
        expired = {cid for cid, c in self.calls.items()
                   if c.state == "offered" and c.deadline <= now}
        before = {cid for cid, c in self.calls.items() if c.outcomes == ["lost_handler"]}
        self.q.tick()
        self.absorb()
        self.ticked_at = now
        lost = {cid for cid, c in self.calls.items() if c.outcomes == ["lost_handler"]} - before
        assert lost == doomed, \
            f"lease sweep removed {sorted(lost)}, not those whose lease ran out {sorted(doomed)}"
        assert all(self.calls[cid].state == "orphaned" for cid in orphaning), \
            "a caller whose handler is silent is still matchable"
        assert all(self.calls[c].state != "offered" or self.calls[c].deadline > now
                   for c in expired)

    # ---- invariants on the real Redis state
    @invariant()
    def every_live_call_is_in_exactly_one_place(self):
        if not hasattr(self, "q"):
            return
        k = self.q.keys
        places: dict[str, list[str]] = {}
        sets = [("waiting", k.wait(LINE, site)) for site in SITES]
        sets += [("offered", k.offers()), ("cb_delay", k.cbdelay()), ("orphaned", k.orphans())]
        for name, key in sets:
            members = self.r.zrange(key, 0, -1)
            for cid in members:
                places.setdefault(cid, []).append(name)
        holders: dict[str, list[str]] = {}
        for aid in self.agents:
            a = self.r.hgetall(k.agent(aid))
            if a["state"] in ("offered", "on_call"):
                holders.setdefault(a["call"], []).append(aid)
                if a["state"] == "on_call":
                    places.setdefault(a["call"], []).append("on_call")
        for cid, call in self.calls.items():
            expected = [] if call.state == "done" else [call.state]
            assert places.get(cid, []) == expected, (cid, places.get(cid), expected)
            assert len(holders.get(cid, [])) <= 1, f"{cid} offered to two agents"
            if call.state != "done":
                assert self.q.call_state(cid) == call.state, (cid, call.state)
        assert len(set(self.r.zrange(k.offers(), 0, -1))) == sum(
            1 for a in self.agents.values() if a.state == "offered"), "an agent holds two offers"

    @invariant()
    def no_caller_waits_while_an_agent_who_may_take_it_is_ready(self):
        if not hasattr(self, "q"):
            return
        for aid, agent in self.agents.items():
            if agent.state == "ready":
                waiting = self.head(agent, self.ticked_at)
                assert waiting is None, f"{waiting} waits while {aid} ({agent.site}) is ready"

    @invariant()
    def leases_are_held_by_exactly_the_callers_a_handler_answers_for(self):
        """Waiting callers, and resumable ones offered until the handler acknowledges."""
        if not hasattr(self, "q"):
            return
        held = dict(self.r.zrange(self.q.keys.leases(), 0, -1, withscores=True))
        expected = {cid: c.lease for cid, c in self.calls.items() if c.lease is not None}
        assert held == expected

    @invariant()
    def orphans_keep_their_grace_and_no_agent_pays_for_them(self):
        if not hasattr(self, "q"):
            return
        k = self.q.keys
        graces = dict(self.r.zrange(k.orphans(), 0, -1, withscores=True))
        assert graces == {cid: c.orphan_until for cid, c in self.calls.items()
                          if c.state == "orphaned"}
        for cid in graces:
            assert self.q.position(cid) == self.place(cid), f"orphan {cid} lost its place"
        for aid, agent in self.agents.items():
            misses = int(self.r.hget(k.agent(aid), "misses") or 0)
            assert misses == agent.misses, f"{aid} charged {misses} misses, not {agent.misses}"

    def teardown(self):
        if not hasattr(self, "q"):
            return
        try:
            self.drain()
            for cid, call in self.calls.items():
                assert len(call.outcomes) == 1, f"{cid} ended with {call.outcomes}"
                assert self.r.hget(self.q.keys.call(cid), "outcome") == call.outcomes[0]
        finally:
            self.r.close()

    def drain(self):
        """End every call: handlers come back, offers are dialled and answered, everyone
        hangs up, callbacks connect."""
        for site in set(SITES) - {a.site for a in self.agents.values()}:
            self.login_and_ready(site)  # somebody for every site's callers
        for _ in range(200):
            live = [c for c in self.calls.values() if c.state != "done"]
            if not live:
                return
            for cid, c in list(self.calls.items()):
                c.handler = True
                if c.kind == "call" and c.resumable and c.state == "orphaned":
                    assert self.q.resume(cid) is not None
                    self.absorb()
            for aid, a in list(self.agents.items()):
                if a.state == "offered":
                    call = self.calls[a.call]
                    if not self.rung(a):
                        assert self.q.dialing(a.call, aid)
                        call.acked, call.lease = True, None
                    self.q.accept(aid, a.call)
                elif a.state == "on_call":
                    if self.calls[a.call].kind == "callback":
                        self.q.callback_result(a.call, ok=True)
                    self.q.hangup(aid, a.call)
                elif a.state == "paused":
                    self.q.set_ready(aid)
                self.absorb()
            self.handlers_refresh()
            self.clock.advance(WRAP + 1 if any(c.state != "cb_delay" for c in live) else 121)
            self.tick()
        raise AssertionError("calls never drained")


EXAMPLES = int(os.environ.get("QUEUE_SM_EXAMPLES", 150))  # 400+ for a deeper search
SETTINGS = settings(max_examples=EXAMPLES, stateful_step_count=30, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@pytest.fixture
def machine_env(redis_server, operator_config):
    global REDIS_URL, OPERATOR
    REDIS_URL, OPERATOR = redis_server.url, operator_config
    yield
    redis_lib.Redis.from_url(redis_server.url).flushall()


def test_queue_state_machine(machine_env):
    run_state_machine_as_test(QueueMachine, settings=SETTINGS)
