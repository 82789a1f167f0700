"""CallQueue: the one Python API through which every process reads and writes the queue."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable

from callqueue import errors, stats, views
from callqueue.keys import DEFAULT_PARTITION, Keys
from callqueue.models import (MAX_PRIORITY, Abandonment, AgentInfo, AgentState, Offer,
                              Snapshot, WaitEstimate, WaitingEntry)
from callqueue.policy import STREAM_MAXLEN, policy
from callqueue.scripts import Scripts

TICK_BATCH = 200   # items one housekeeping script settles before yielding to other clients
OUTCOME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class CallQueue:
    """The queue on one Redis (decode_responses=True client) for one operator configuration.

    `clock` returns epoch seconds; tests inject a fake one so leases and offers expire on demand.
    Every write is one atomic Lua script, so several processes may share one queue.
    """

    def __init__(self, redis_client, operator_config, clock: Callable[[], float] = time.time,
                 *, partition: str = DEFAULT_PARTITION, stream_maxlen: int = STREAM_MAXLEN):
        self.redis = redis_client
        self.config = operator_config
        self.clock = clock
        self.keys = Keys(partition)
        self.scripts = Scripts(redis_client, policy(operator_config, stream_maxlen))
        self._wrap = {line.id: line.wrap_up_seconds for line in operator_config.lines.values()}

    def _run(self, name: str, *args):
        now = self.clock()
        return self.scripts.run(name, [self.keys.events()],
                                [repr(float(now)), stats.day_of(now), *args])

    def _check_place(self, line: str, site: str) -> None:
        if line not in self.config.lines:
            raise errors.UnknownLine(f"unknown line {line!r}")
        if site not in self.config.sites:
            raise errors.UnknownSite(f"unknown site {site!r}")

    # ---- callers
    def enqueue(self, entry: WaitingEntry) -> int:
        """Join the queue (idempotent on call_id); returns the 1-based position.

        A repeated enqueue of a call the queue holds changes nothing (its menu path included)."""
        self._check_place(entry.line, entry.site)
        if not 0 <= int(entry.priority) <= MAX_PRIORITY:
            raise errors.InvalidArgument(f"priority must be 0..{MAX_PRIORITY}")
        pos = int(self._run("enqueue", entry.call_id, entry.line, entry.site,
                            int(entry.priority), entry.caller, int(bool(entry.repeat)),
                            entry.channel, entry.menu_path, int(bool(entry.resumable))))
        if pos < 0:
            raise errors.CallFinished(f"call {entry.call_id} already ended")
        return max(pos, 1)

    def refresh_lease(self, call_id: str) -> bool:
        """Extend the caller's lease; True while the queue holds the call (waiting/offered)."""
        return bool(self._run("refresh_lease", call_id))

    def dialing(self, call_id: str, agent_id: str) -> bool:
        """A resumable call's handler took its offer and dials it; False when the offer was
        taken back meanwhile (the caller still waits)."""
        return bool(call_id and agent_id) and bool(self._run("dialing", call_id, agent_id))

    def resume(self, call_id: str) -> int | None:
        """A server picks up a resumable caller whose handler was lost: same entry, same
        place; an offer nobody dialled is taken back. The position, or None when the queue
        does not hold the call as waiting."""
        return int(self._run("resume", call_id)) or None

    def call_state(self, call_id: str) -> str | None:
        """waiting | offered | on_call | orphaned | callback | cb_delay | done, or None."""
        return self.redis.hget(self.keys.call(call_id), "state")

    def held_resumable(self) -> dict[str, str]:
        """call id -> state of the resumable calls the queue holds for a caller on the line:
        waiting, orphaned, or offered and not yet dialled (read-only; agi_scripts.reconcile)."""
        pipe = self.redis.pipeline(transaction=False)
        for line, site in self.pairs():
            pipe.zrange(self.keys.wait(line, site), 0, -1)
        pipe.zrange(self.keys.orphans(), 0, -1)
        pipe.zrange(self.keys.offers(), 0, -1)
        ids = sorted({cid for got in pipe.execute() for cid in got})
        pipe = self.redis.pipeline(transaction=False)
        for cid in ids:
            pipe.hmget(self.keys.call(cid), "rs", "state", "dialing")
        return {cid: state for cid, (rs, state, dialing) in zip(ids, pipe.execute())
                if rs == "1" and state in ("waiting", "orphaned", "offered") and dialing != "1"}

    def wait_assignment(self, call_id: str, timeout: float) -> Offer | None:
        """Block (BLPOP on the call's notify list) until it is offered; None on timeout."""
        return self._wait(self.keys.ncall(call_id), timeout,
                          lambda o: self._offer_open(o))

    def abandon(self, call_id: str) -> Abandonment | None:
        """The caller hung up while waiting or ringing: remove at once and count it."""
        raw = self._run("abandon", call_id)
        if not raw:
            return None
        d = json.loads(raw)
        return Abandonment(call_id, d["line"], d["site"], float(d["wait"]), int(d["position"]))

    def request_callback(self, call_id: str, number: str) -> bool:
        """The caller leaves but keeps the place; an agent will be offered a callback."""
        if not number:
            raise errors.InvalidArgument("a callback needs a number")
        return bool(self._run("request_callback", call_id, number))

    def callback_result(self, call_id: str, ok: bool) -> str:
        """Telephony placed the callback: "connected" | "retry" | "given_up"."""
        return str(self._run("callback_result", call_id, "1" if ok else "0"))

    def position(self, call_id: str) -> int | None:
        """1-based place among the callers of the same line and site (1 while offered)."""
        return int(self._run("position", call_id)) or None

    def estimate(self, line: str, site: str) -> WaitEstimate:
        """The estimated wait with its method and inputs (see callqueue.stats.estimate)."""
        self._check_place(line, site)
        d = json.loads(self._run("estimate", line, site))
        recent = stats.recent_window(d.get("recent") or {}, self.clock())
        return stats.estimate(recent, int(d["staff"]), int(d["ready"]), int(d["waiting"]),
                              self._wrap.get(line, 0))

    def estimated_wait(self, line: str, site: str) -> float:
        """Seconds a new caller may expect to wait (Erlang C, else recent waits)."""
        return self.estimate(line, site).seconds

    def finish_caller(self, call_id: str, outcome: str) -> bool:
        """The call ended: record its outcome (only the first outcome per call id counts)."""
        if not OUTCOME_PATTERN.match(outcome or ""):
            raise errors.InvalidArgument(f"bad outcome {outcome!r}")
        return bool(self._run("finish", call_id, outcome))

    # ---- agents
    def login(self, agent: AgentInfo) -> AgentState:
        """Log an agent in (paused, no reason, until set_ready); updates skills if logged in."""
        if agent.site not in self.config.sites:
            raise errors.UnknownSite(f"unknown site {agent.site!r}")
        for line, level in agent.skills.items():
            self._check_place(line, agent.site)
            if not 1 <= int(level) <= 9:
                raise errors.InvalidArgument(f"level of {line} must be 1..9")
        flat = self._run("login", agent.agent_id, agent.site, views.skills_text(agent.skills),
                         agent.dial)
        return views.agent_state(agent.agent_id, views.pairs_to_dict(flat))

    def _agent_op(self, name: str, agent_id: str, *args) -> AgentState:
        got = self._run(name, agent_id, *args)
        if isinstance(got, str):
            raise errors.CODES[got](f"{name} {agent_id}: {got}")
        return views.agent_state(agent_id, views.pairs_to_dict(got))

    def set_ready(self, agent_id: str) -> AgentState:
        """paused / wrap_up -> ready; the agent is offered the best waiting caller at once."""
        return self._agent_op("ready", agent_id)

    def pause(self, agent_id: str, reason_id: str) -> AgentState:
        """ready / wrap_up / paused -> paused with a reason from config pause_reasons."""
        if reason_id not in self.config.pause_reasons:
            raise errors.UnknownPauseReason(f"unknown pause reason {reason_id!r}")
        return self._agent_op("pause", agent_id, reason_id)

    def logout(self, agent_id: str) -> AgentState:
        """Any state but on_call -> logged_out; an open offer goes back to the queue."""
        return self._agent_op("logout", agent_id)

    def wait_offer(self, agent_id: str, timeout: float) -> Offer | None:
        """Block (BLPOP on the agent's notify list) until offered a caller; None on timeout."""
        return self._wait(self.keys.nagent(agent_id), timeout, self._offer_open)

    def accept(self, agent_id: str, call_id: str) -> bool:
        """offered -> on_call; False when the offer is no longer open."""
        return bool(agent_id and call_id) and bool(self._run("accept", agent_id, call_id))

    def miss(self, agent_id: str, call_id: str, reason: str = "no_answer") -> None:
        """The agent did not answer or rejected: the caller goes back keeping its place.

        A no-op when this agent no longer holds this offer (or either id is empty)."""
        if agent_id and call_id:
            self._run("miss", agent_id, call_id, reason or "no_answer")

    def return_offer(self, agent_id: str, call_id: str, reason: str = "transport") -> bool:
        """The offer could not be delivered (e.g. Twilio or AMI refused): not the agent's miss.

        The caller goes back to its place, the agent back to ready (no miss, no rest) and the
        pair is matched again at once. False when this offer is no longer open."""
        return bool(agent_id and call_id) and bool(
            self._run("return_offer", agent_id, call_id, reason))

    def hangup(self, agent_id: str, call_id: str) -> None:
        """The conversation ended: outcome recorded (if none yet), agent -> wrap_up -> ready.

        A no-op when the agent is not on this call (or either id is empty)."""
        if agent_id and call_id:
            self._run("hangup", agent_id, call_id)

    def agent(self, agent_id: str) -> AgentState | None:
        return views.agent_state(agent_id, self.redis.hgetall(self.keys.agent(agent_id)))

    # ---- blocking
    def _offer_open(self, offer: Offer) -> bool:
        state, agent = self.redis.hmget(self.keys.call(offer.call_id), "state", "agent")
        return state == "offered" and agent == offer.agent_id

    def _wait(self, key: str, timeout: float, still_open) -> Offer | None:
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raw = self.redis.lpop(key)
            else:
                popped = self.redis.blpop([key], timeout=remaining)
                raw = popped[1] if popped else None
            if raw is None:
                return None
            offer = views.offer(raw)
            if still_open(offer):
                return offer

    # ---- housekeeping, events, stats
    def tick(self) -> dict:
        """Lease sweep (dead handlers first), offer timeouts, callback retries, wrap-up ends,
        then escalation/overflow re-match. Safe to run from several processes at once."""
        done = {}
        for name in ("sweep_leases", "sweep_offers", "sweep_callbacks", "sweep_wrapups",
                     "rematch"):
            total = 0
            while True:
                n = int(self._run(name, TICK_BATCH))
                total += n
                if n < TICK_BATCH or name == "rematch":
                    break
            done[name.removeprefix("sweep_")] = total
        return done

    def read_events(self, last_id: str = "0-0", count: int = 100,
                    block_ms: int | None = None) -> list[tuple[str, dict]]:
        """Events after last_id, oldest first; blocks up to block_ms when there are none."""
        got = self.redis.xread({self.keys.events(): last_id}, count=count, block=block_ms)
        return [(eid, fields) for _stream, entries in (got or []) for eid, fields in entries]

    def claim_event(self, consumer: str, event_id: str, ttl_seconds: int = 86400) -> bool:
        """True for exactly one caller per (consumer, event): several servers follow one stream.

        A single-key SET NX, so no script is needed."""
        return bool(self.redis.set(self.keys.claim(consumer, event_id), "1", nx=True,
                                   ex=ttl_seconds))

    def cursor(self, consumer: str) -> str | None:
        """The last event id ``consumer`` handled, so a restarted server resumes there."""
        return self.redis.get(self.keys.cursor(consumer))

    def set_cursor(self, consumer: str, event_id: str) -> None:
        self.redis.set(self.keys.cursor(consumer), event_id)

    def pairs(self) -> list[tuple[str, str]]:
        """Every (line, site) the configuration serves."""
        return [(line.id, site) for line in self.config.lines.values()
                for site in self.config.sites if not line.sites or site in line.sites]

    def snapshot(self) -> Snapshot:
        """Per (line, site) figures and every logged-in agent, read in one atomic script."""
        now = self.clock()
        pairs = self.pairs()
        raw = self._run("snapshot", *(f"{line}|{site}" for line, site in pairs))
        return views.snapshot(raw, pairs, now, stats.day_of(now), self._wrap)
