"""The call flow's side of the queue: join, wait (lease, DTMF slices, offers), miss, callback."""

from __future__ import annotations

import logging
import time

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
        menu_path=flow.sheet.path_text()))
    return offered_now(flow) or m.Joined(int(position or 1),
                                          float(q.estimated_wait(a.line, flow.site)))


def offered_now(flow) -> m.Offered | None:
    """An offer made on joining: the agent's phone rings at once, not after the
    position announcement (which would eat most of the offer's timeout)."""
    offer = flow.deps.queue.wait_assignment(flow.sheet.call_id, timeout=0)
    return _offered(flow, offer) if offer is not None else None


def wait(flow, seconds: float):
    """Hold music in short WAIT FOR DIGIT slices; the queue is checked near each slice's end.

    The offer check (and, every few seconds, the lease refresh) runs while Asterisk waits out
    the slice (see late_in_slice), so the next command is not delayed by Redis round trips.
    An offer found in the same slice as a key press wins: the agent is already ringing."""
    q, deps, call_id = flow.deps.queue, flow.deps, flow.sheet.call_id
    deadline = time.monotonic() + seconds
    lease = Lease(q, call_id, deps.lease_every_seconds)
    flow.agi.run_app("StartMusicOnHold", MOH_CLASS)
    try:
        offer = q.wait_assignment(call_id, timeout=0)
        while offer is None:
            if not lease.held:
                return m.QueueGone()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                line = flow.sheet.state.line
                return m.WaitElapsed(int(q.position(call_id) or 1),
                                     float(q.estimated_wait(line, flow.site)))
            slice_ms = int(min(deps.dtmf_slice_ms, remaining * 1000)) or 1
            found: list = []

            def check() -> None:
                lease.refresh_if_due()
                found.append(q.wait_assignment(call_id, timeout=0))

            key = flow.agi.wait_digit(slice_ms, during=late_in_slice(flow.agi, slice_ms, check))
            offer = found[0] if found else None
            if offer is None and key:
                return m.Digits(key, timed_out=False)
        return _offered(flow, offer)
    finally:
        if not flow.agi.dead:
            flow.agi.run_app("StopMusicOnHold")


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


def _offered(flow, offer) -> m.Offered:
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
    """The caller hung up while waiting or while an agent's phone rang."""
    flow.deps.queue.abandon(flow.sheet.call_id)


def miss(flow, reason: str) -> m.Joined:
    q, state, call_id = flow.deps.queue, flow.sheet.state, flow.sheet.call_id
    q.miss(flow.last_agent, call_id, reason=reason)
    position = q.position(call_id)
    if position is None:  # the entry is gone (swept): join again
        return join(flow, m.JoinQueue(state.line, state.priority, bool(state.repeat_case)))
    return offered_now(flow) or m.Joined(int(position),
                                          float(q.estimated_wait(state.line, flow.site)))


def agent_done(flow) -> None:
    flow.deps.queue.hangup(flow.last_agent, flow.sheet.call_id)
