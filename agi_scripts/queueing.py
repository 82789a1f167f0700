"""The call flow's side of the queue: join, wait (lease, DTMF slices, offers), miss, callback."""

from __future__ import annotations

import logging
import time

from redis.exceptions import RedisError

from agi_scripts import channel_vars as cv
from ivr import model as m

log = logging.getLogger("hotline.agi.queue")
CHANNEL = "asterisk"
MOH_CLASS = "default"
SLICE_CHECK_MARGIN_SECONDS = 0.05  # queue work starts this long before a slice ends


def join(flow, a: m.JoinQueue) -> m.Joined:
    from callqueue.models import WaitingEntry

    q = flow.deps.queue
    position = q.enqueue(WaitingEntry(
        call_id=flow.sheet.call_id, line=a.line, site=flow.site, priority=a.priority,
        caller=flow.number.e164 or "", repeat=a.repeat, channel=CHANNEL,
        menu_path=flow.sheet.path_text(), resumable=True))
    keep_sheet(flow)
    return offered_now(flow) or m.Joined(int(position or 1), _estimate(flow, a.line))


def _estimate(flow, line: str) -> float:
    """The estimated wait to announce; 0 (under a minute) when Redis cannot tell now."""
    try:
        return float(flow.deps.queue.estimated_wait(line, flow.site))
    except RedisError:
        return 0.0


def keep_sheet(flow) -> None:
    """The call's sheet on the channel once it is in the queue: if this server dies, the
    dialplan's resume script on another server picks the caller up from it."""
    flow.agi.set_var(cv.STATE, flow.sheet.dump())
    flow.agi.set_var(cv.CALL_ID, flow.sheet.call_id)


def resume(flow) -> m.Resumed | None:
    """Pick up a caller another server was holding: same entry, same place (None: not held)."""
    q = flow.deps.queue
    position = q.resume(flow.sheet.call_id)
    if position is None:
        return None
    return m.Resumed(int(position), _estimate(flow, flow.sheet.state.line))


def offered_now(flow) -> m.Offered | None:
    """An offer made on joining: the agent's phone rings at once, not after the
    position announcement (which would eat most of the offer's timeout). With Redis out of
    reach, none: the announcement goes on and the wait loop rides the outage out."""
    try:
        return _taken(flow, flow.deps.queue.wait_assignment(flow.sheet.call_id, timeout=0))
    except RedisError:
        return None


def wait(flow, seconds: float):
    """Hold music in short WAIT FOR DIGIT slices; the queue is checked near each slice's end.

    The offer check (and, every few seconds, the lease refresh) runs while Asterisk waits out
    the slice (see late_in_slice), so the next command is not delayed by Redis round trips.
    An offer found in the same slice as a key press wins: the agent is already ringing.
    While Redis cannot be reached the caller keeps the music (up to redis_outage_seconds);
    when the server drains, the caller is handed back to the dialplan to resume elsewhere."""
    q, deps, call_id = flow.deps.queue, flow.deps, flow.sheet.call_id
    deadline = time.monotonic() + seconds
    lease = Lease(q, call_id, deps.lease_every_seconds)
    outage = Outage(call_id, deps.redis_outage_seconds)
    found: list = []

    def check() -> None:
        try:
            lease.refresh_if_due()
            found.append(_taken(flow, q.wait_assignment(call_id, timeout=0)))
            outage.over_now()
        except RedisError as exc:
            outage.note(exc)
            lease.next_at = 0.0   # refresh at once when Redis is back (the lease may lapse)

    flow.agi.run_app("StartMusicOnHold", MOH_CLASS)
    music = True
    try:
        check()
        offer = found.pop() if found else None
        while offer is None:
            if deps.draining.is_set():
                music = False  # kept playing while the dialplan hands the caller on
                return m.Handback()
            if outage.too_long():
                return m.QueueUnavailable()
            if not lease.held:
                return m.QueueGone()
            remaining = deadline - time.monotonic()
            if remaining <= 0 and not outage.active:
                elapsed = _elapsed(flow)
                if elapsed is not None:
                    return elapsed
            slice_ms = int(min(deps.dtmf_slice_ms, max(remaining, 0.5) * 1000)) or 1
            key = flow.agi.wait_digit(slice_ms, during=late_in_slice(flow.agi, slice_ms, check))
            offer = found.pop() if found else None
            if offer is None and key:
                return m.Digits(key, timed_out=False)
        return offer
    finally:
        if music and not flow.agi.dead:
            flow.agi.run_app("StopMusicOnHold")


def _elapsed(flow) -> m.WaitElapsed | None:
    """Time to announce the position again (None when Redis cannot tell it now)."""
    try:
        position = flow.deps.queue.position(flow.sheet.call_id)
    except RedisError:
        return None
    return m.WaitElapsed(int(position or 1), _estimate(flow, flow.sheet.state.line))


class Outage:
    """Since when Redis has been unreachable for this caller's wait, logged once each way."""

    def __init__(self, call_id: str, limit: float):
        self.call_id, self.limit = call_id, limit
        self.since: float | None = None

    @property
    def active(self) -> bool:
        return self.since is not None

    def note(self, exc: Exception) -> None:
        if self.since is None:
            self.since = time.monotonic()
            log.warning("call %s: queue unreachable (%s); the caller keeps the hold music",
                        self.call_id, type(exc).__name__)

    def over_now(self) -> None:
        if self.since is not None:
            log.info("call %s: queue reachable again after %.1f s", self.call_id,
                     time.monotonic() - self.since)
            self.since = None

    def too_long(self) -> bool:
        return self.since is not None and time.monotonic() - self.since > self.limit


def late_in_slice(agi, slice_ms: int, work):
    """A `during` callable: wait until the slice is nearly over (or its reply, e.g. a key,
    has come), then run `work`. So queue work overlaps the slice, yet sees the latest state."""
    def run() -> None:
        agi.wait_reply(max(0.0, slice_ms / 1000.0 - SLICE_CHECK_MARGIN_SECONDS))
        work()
    return run


class Lease:
    """The waiting entry's lease, refreshed every `every` seconds; `held` False once lost."""

    def __init__(self, queue, call_id: str, every: float):
        self.queue, self.call_id, self.every = queue, call_id, every
        self.next_at = 0.0
        self.held = True

    def refresh_if_due(self) -> None:
        now = time.monotonic()
        if now >= self.next_at:
            self.next_at = now + self.every
            self.held = bool(self.queue.refresh_lease(self.call_id))


def _taken(flow, offer) -> m.Offered | None:
    return _offered(flow, offer) if offer is not None else None


def _offered(flow, offer) -> m.Offered | None:
    """The offer, acknowledged as dialled; None when it was taken back meanwhile."""
    if not flow.deps.queue.dialing(flow.sheet.call_id, str(offer.agent_id)):
        return None
    timeout = max(1, int(round(offer.deadline - flow.deps.clock())))
    return m.Offered(agent=str(offer.agent_id), dial=str(offer.dial), timeout_seconds=timeout)


def request_callback(flow) -> m.CallbackResult:
    if not flow.number.known:
        return m.CallbackResult(False)
    ok = flow.deps.queue.request_callback(flow.sheet.call_id, flow.number.e164)
    if ok:
        flow.sheet.callback_number = flow.number.e164
    return m.CallbackResult(bool(ok))


def abandon(flow) -> None:
    """The caller hung up while waiting or while an agent's phone rang. With Redis down the
    abandon is kept and made when it is back: the entry must not stay as a ghost."""
    _or_later(flow, "abandon", flow.sheet.call_id)


def _or_later(flow, method: str, *args) -> None:
    try:
        getattr(flow.deps.queue, method)(*args)
    except RedisError:
        flow.deps.pending.add(method, *args)


def miss(flow, reason: str) -> m.Joined:
    q, state, call_id = flow.deps.queue, flow.sheet.state, flow.sheet.call_id
    q.miss(flow.last_agent, call_id, reason=reason)
    position = q.position(call_id)
    if position is None:  # the entry is gone (swept): join again
        return join(flow, m.JoinQueue(state.line, state.priority, bool(state.repeat_case)))
    return offered_now(flow) or m.Joined(int(position),
                                          float(q.estimated_wait(state.line, flow.site)))


def agent_done(flow) -> None:
    _or_later(flow, "hangup", flow.last_agent, flow.sheet.call_id)
