"""Random interleavings of every queue operation against a model, with the issue's invariants.

One line with level-1 agents at two cities and the province (省市两级). An agent may take a
caller of its own site, any province caller, and (a province agent) a city's caller who has
waited overflow_after_seconds. The offered caller must be the model's head of what that agent
may take (priority, then arrival) and the agent the best of the ready agents who may take it:
the province's own agents before the cities' for a province caller, then the longest idle.
No caller waits while an agent who may take it is ready. The clock is a fake one; leases and
offers expire when the machine advances it.
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
from queue_helpers import FakeClock, with_wrap_up

from callqueue import errors
from callqueue.api import CallQueue
from callqueue.models import AgentInfo, WaitingEntry

LINE, PROVINCE = "general", "province"
SITES = ("guiyang", "zunyi", PROVINCE)
LEASE, OFFER_TIMEOUT, WRAP, OVERFLOW = 30, 15, 5, 45
MAX_AGENTS = 4
REDIS_URL = OPERATOR = None  # set by the machine_env fixture (hypothesis builds the machine)


@dataclasses.dataclass
class Call:
    seq: int
    prio: int
    site: str
    t0: float
    state: str = "waiting"  # waiting | offered | on_call | cb_delay | done
    kind: str = "call"
    lease: float = 0.0
    deadline: float = 0.0
    agent: str = ""
    outcomes: list = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class Agent:
    site: str = ""
    state: str = "paused"
    idle: int = 0
    call: str = ""


class QueueMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.calls: dict[str, Call] = {}
        self.agents: dict[str, Agent] = {}
        self.cursor = "0-0"
        self.n_calls = 0

    @initialize()
    def start(self):
        self.r = redis_lib.Redis.from_url(REDIS_URL, decode_responses=True)
        self.r.flushall()
        self.clock = FakeClock()
        self.q = CallQueue(self.r, with_wrap_up(OPERATOR, WRAP), clock=self.clock)

    # ---- the model follows the event stream and checks each step is legal
    def absorb(self):
        for _id, e in self.q.read_events(self.cursor, count=10_000):
            self.cursor = _id
            getattr(self, "on_" + e["type"])(e, float(e["ts"]))

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

    def on_enqueued(self, e, ts):
        self.calls[e["call_id"]] = Call(seq=len(self.calls), prio=int(e["priority"]),
                                        site=e["site"], t0=ts, lease=ts + LEASE)

    def on_offered(self, e, ts):
        cid, aid = e["call_id"], e["agent_id"]
        assert cid == self.head(self.agents[aid], ts), \
            "offered caller is not the head of what the agent may take (priority, then FIFO)"
        call = self.calls[cid]
        ready = {name: self.rank(a, call) for name, a in self.agents.items()
                 if a.state == "ready" and self.may_take(a, call, ts)}
        assert aid in ready, "offered agent may not take the caller"
        # Overflow is noticed by the next tick: until then an agent of the caller's own site
        # who becomes ready may take it first. Agents of equal rank (ready in the same
        # millisecond) may come in either order.
        at_once = {name: r for name, r in ready.items()
                   if self.may_take(self.agents[name], call, call.t0)}
        rivals = at_once if aid in at_once else ready
        assert ready[aid] == min(rivals.values()), \
            "offered agent is not the best ready agent for the caller"
        call.state, call.agent, call.deadline = "offered", aid, ts + OFFER_TIMEOUT

    def on_accepted(self, e, ts):
        self.calls[e["call_id"]].state = "on_call"

    def on_missed(self, e, ts):
        call = self.calls[e["call_id"]]
        assert call.state == "offered" and call.agent == e["agent_id"]
        call.state, call.agent, call.lease = "waiting", "", ts + LEASE

    def on_agent_state(self, e, ts):
        agent = self.agents.setdefault(e["agent_id"], Agent(site=e["site"]))
        agent.state, agent.call = e["state"], e["call_id"]
        if e["state"] == "ready":
            agent.idle = int(e["idle_ms"])

    def on_finished(self, e, ts):
        call = self.calls[e["call_id"]]
        call.outcomes.append(e["outcome"])
        assert len(call.outcomes) == 1, f"{e['call_id']} ended twice: {call.outcomes}"
        call.state = "done"

    def on_callback(self, e, ts):
        self.calls[e["call_id"]].kind = "callback"

    def on_callback_result(self, e, ts):
        if e["result"] == "retry":
            self.calls[e["call_id"]].state = "cb_delay"

    def on_callback_retry(self, e, ts):
        self.calls[e["call_id"]].state = "waiting"

    def on_abandoned(self, e, ts):
        pass

    on_lost_handler = on_callback_due = on_abandoned

    # ---- rules
    def pick(self, data, pred):
        names = sorted(n for n, x in {**self.calls, **self.agents}.items() if pred(x))
        return data.draw(st.sampled_from(names)) if names else None

    @rule(prio=st.integers(0, 2), site=st.sampled_from(SITES))
    def enqueue(self, prio, site):
        self.n_calls += 1
        self.q.enqueue(WaitingEntry(f"c{self.n_calls:03d}", LINE, site, priority=prio))
        self.absorb()

    @precondition(lambda self: len(self.agents) < MAX_AGENTS)
    @rule(site=st.sampled_from(SITES))
    def login_and_ready(self, site):
        aid = f"a{len(self.agents)}"
        self.q.login(AgentInfo(aid, site, {LINE: 1}, dial=f"PJSIP/{aid}"))
        self.q.set_ready(aid)
        self.absorb()

    @rule(data=st.data())
    def ready(self, data):
        aid = self.pick(data, lambda x: isinstance(x, Agent))
        if aid is None:
            return
        busy = self.agents[aid].state in ("offered", "on_call")
        try:
            self.q.set_ready(aid)
            assert not busy
        except errors.AgentBusy:
            assert busy
        self.absorb()

    @rule(data=st.data())
    def pause(self, data):
        aid = self.pick(data, lambda x: isinstance(x, Agent))
        if aid is None:
            return
        busy = self.agents[aid].state in ("offered", "on_call")
        try:
            self.q.pause(aid, "break")
            assert not busy
        except errors.AgentBusy:
            assert busy
        self.absorb()

    @rule(data=st.data(), answer=st.booleans(), reason=st.sampled_from(["no_answer", "rejected"]))
    def respond(self, data, answer, reason):
        aid = self.pick(data, lambda x: isinstance(x, Agent) and x.state == "offered")
        if aid is None:
            return
        cid = self.agents[aid].call
        if answer:
            assert self.q.accept(aid, cid)
        else:
            self.q.miss(aid, cid, reason=reason)
        self.absorb()

    @rule(data=st.data(), reached=st.booleans())
    def hangup(self, data, reached):
        aid = self.pick(data, lambda x: isinstance(x, Agent) and x.state == "on_call")
        if aid is None:
            return
        cid = self.agents[aid].call
        if self.calls[cid].kind == "callback" and not reached:
            assert self.q.callback_result(cid, ok=False) in ("retry", "given_up")
        else:
            if self.calls[cid].kind == "callback":
                assert self.q.callback_result(cid, ok=True) == "connected"
            self.q.hangup(aid, cid)
        self.absorb()

    @rule(data=st.data())
    def abandon(self, data):
        cid = self.pick(data, lambda x: isinstance(x, Call) and x.kind == "call"
                        and x.state in ("waiting", "offered"))
        if cid is None:
            return
        assert self.q.abandon(cid) is not None
        self.absorb()

    @rule(data=st.data())
    def request_callback(self, data):
        cid = self.pick(data, lambda x: isinstance(x, Call) and x.kind == "call"
                        and x.state == "waiting")
        if cid is None:
            return
        assert self.q.request_callback(cid, "+8613900000001")
        self.absorb()

    @rule()
    def handlers_refresh(self):
        for cid, c in self.calls.items():
            held = self.q.refresh_lease(cid)
            assert held == (c.kind == "call" and c.state in ("waiting", "offered"))
            if c.state == "waiting" and c.kind == "call":
                c.lease = self.clock.now + LEASE

    @rule(seconds=st.sampled_from([1, 5, 14, 16, 29, 31, 121]))
    def time_passes(self, seconds):
        self.clock.advance(seconds)
        now = self.clock.now
        doomed = {cid for cid, c in self.calls.items()
                  if c.state == "waiting" and c.kind == "call" and c.lease <= now}
        expired = {cid for cid, c in self.calls.items()
                   if c.state == "offered" and c.deadline <= now}
        before = {cid for cid, c in self.calls.items() if c.outcomes == ["lost_handler"]}
        self.q.tick()
        self.absorb()
        lost = {cid for cid, c in self.calls.items() if c.outcomes == ["lost_handler"]} - before
        assert lost == doomed, "lease sweep removed exactly the callers whose lease ran out"
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
        sets += [("offered", k.offers()), ("cb_delay", k.cbdelay())]
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
        assert len(set(self.r.zrange(k.offers(), 0, -1))) == sum(
            1 for a in self.agents.values() if a.state == "offered"), "an agent holds two offers"

    @invariant()
    def no_caller_waits_while_an_agent_who_may_take_it_is_ready(self):
        if not hasattr(self, "q"):
            return
        for aid, agent in self.agents.items():
            if agent.state == "ready":
                waiting = self.head(agent, self.clock.now)
                assert waiting is None, f"{waiting} waits while {aid} ({agent.site}) is ready"

    def teardown(self):
        if not hasattr(self, "q"):
            return
        try:
            self.drain()
            for cid, call in self.calls.items():
                assert len(call.outcomes) == 1, f"{cid} ended with {call.outcomes}"
        finally:
            self.r.close()

    def drain(self):
        """End every call: answer and hang up everything, callbacks connect."""
        for site in set(SITES) - {a.site for a in self.agents.values()}:
            self.login_and_ready(site)  # somebody for every site's callers
        for _ in range(200):
            live = [c for c in self.calls.values() if c.state != "done"]
            if not live:
                return
            for aid, a in list(self.agents.items()):
                if a.state == "offered":
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
            self.q.tick()
            self.absorb()
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
