"""The call flow's side of the queue: join, wait (lease, DTMF slices, offers), miss, callback."""

from __future__ import annotations

import logging
import time

from ivr import model as m

log = logging.getLogger("hotline.agi.queue")
CHANNEL = "asterisk"
MOH_CLASS = "default"


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
    """Hold music while polling for an offer between short WAIT FOR DIGIT slices."""
    q, deps, call_id = flow.deps.queue, flow.deps, flow.sheet.call_id
    deadline = time.monotonic() + seconds
    next_lease = 0.0
    flow.agi.run_app("StartMusicOnHold", MOH_CLASS)
    try:
        while True:
            offer = q.wait_assignment(call_id, timeout=deps.offer_poll_seconds)
            if offer is not None:
                return _offered(flow, offer)
            now = time.monotonic()
            if now >= next_lease:
                next_lease = now + deps.lease_every_seconds
                if not q.refresh_lease(call_id):
                    offer = q.wait_assignment(call_id, timeout=deps.offer_poll_seconds)
                    return _offered(flow, offer) if offer else m.QueueGone()
            remaining = deadline - now
            if remaining <= 0:
                line = flow.sheet.state.line
                return m.WaitElapsed(int(q.position(call_id) or 1),
                                     float(q.estimated_wait(line, flow.site)))
            key = flow.agi.wait_digit(int(min(deps.dtmf_slice_ms, remaining * 1000)) or 1)
            if key:
                return m.Digits(key, timed_out=False)
    finally:
        if not flow.agi.dead:
            flow.agi.run_app("StopMusicOnHold")


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
