"""Our queue's side of the calls that app_queue's fallback queue puts through to our agents.

app_queue rings the fallback queue's members (our ready agents, ami/fallback_members.py) by
itself: our queue never sees those calls. So that it does not offer such an agent a second
caller, the agent app_queue connects (AMI ``AgentConnect``) is paused in our queue with the
system reason ``fallback_call`` (应急队列通话中), and goes ready again when that call ends
(``AgentComplete``). A missed ``AgentComplete`` (AMI down at that moment) heals on the member
sync's resyncs: once QueueStatus has shown the agent's member in no call twice running, the
agent goes ready.

Events arrive on pyst2's event thread, resyncs on the member sync's thread: a lock guards the
little state kept between resyncs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

from ami.fallback_plan import (FALLBACK_CALL, Member, calls_ended, on_fallback_call,
                               pauses_for_fallback_call)
from callqueue.errors import QueueError

log = logging.getLogger("hotline.ami.fallback")

CONNECT_EVENT = "AgentConnect"    # app_queue: a member answered and is bridged to the caller
COMPLETE_EVENT = "AgentComplete"  # app_queue: that conversation ended
EVENTS = (CONNECT_EVENT, COMPLETE_EVENT)


class FallbackCalls:
    """Pauses agents on app_queue calls and makes them ready again when the calls end."""

    def __init__(self, queue, queue_name: str):
        self.queue, self.queue_name = queue, queue_name
        self._lock = threading.Lock()
        self._seen_ended: set[str] = set()  # in no call at the last resync

    def handle(self, event: Mapping[str, str]) -> None:
        """One AMI event; anything but our queue's connect and complete is ignored. Never
        raises: pyst2's event thread must go on."""
        agent_id = event.get("MemberName") or ""
        if event.get("Queue") != self.queue_name or not agent_id:
            return
        try:
            if event.get("Event") == CONNECT_EVENT:
                self.connected(agent_id)
            elif event.get("Event") == COMPLETE_EVENT:
                self.ended(agent_id)
        except Exception:  # noqa: BLE001 - Redis down: the resyncs heal it
            log.exception("fallback call of %s: could not update our queue", agent_id)

    def connected(self, agent_id: str) -> None:
        with self._lock:
            self._seen_ended.discard(agent_id)
        st = self.queue.agent(agent_id)
        if st is None:
            return
        if not pauses_for_fallback_call(st.state):
            log.info("fallback call answered by %s while %s: state left as it is", agent_id,
                     st.state)
            return
        try:
            self.queue.pause(agent_id, FALLBACK_CALL)
        except QueueError as exc:  # became busy meanwhile, or the reason is not configured
            log.warning("fallback call answered by %s: not paused (%s)", agent_id, exc.code)
        else:
            log.info("fallback call answered by %s: paused as %s", agent_id, FALLBACK_CALL)

    def ended(self, agent_id: str) -> None:
        st = self.queue.agent(agent_id)
        if st is None or not on_fallback_call(st.state, st.reason):
            return  # the agent chose another state meanwhile: theirs stays
        try:
            self.queue.set_ready(agent_id)
        except QueueError as exc:
            log.warning("fallback call of %s ended: not made ready (%s)", agent_id, exc.code)
        else:
            log.info("fallback call of %s ended: ready again", agent_id)

    def heal(self, agents: Mapping[str, tuple], current: Mapping[str, Member]) -> None:
        """On a resync: agents paused for a fallback call whose member was in no call at this
        resync and the one before go ready (their ``AgentComplete`` was missed)."""
        ended = calls_ended(agents, current)
        with self._lock:
            due = ended & self._seen_ended
            self._seen_ended = ended - due
        for agent_id in sorted(due):
            log.info("fallback call of %s: its end was missed; settling", agent_id)
            self.ended(agent_id)
