"""The browser phone lives in the agent's workstation page: when that page's live connection
(its server-sent event stream, opened with ``phone=1``) drops and no other page holding the
phone comes back within GRACE_SECONDS, the phone is gone. The agent is then paused with the
reason 话机断开 (``phone_lost``), and a call ringing their dead phone goes to the next agent
at once instead of after the whole ring time.

Pages are counted in Redis (one counter per agent, refreshed by the stream's heartbeats), so
a page that reconnects to another web process still counts.
"""

from __future__ import annotations

import asyncio
import logging
import time

from web import keys

log = logging.getLogger("hotline.web.phone")

PHONE_LOST = "phone_lost"  # config/pause_reasons.toml
GRACE_SECONDS = 2.0  # a reloading page or a reconnecting stream comes back within this
COUNT_TTL_SECONDS = 60  # a crashed web process's pages stop counting after this
CALL_END_WAIT_SECONDS = 10.0  # how long to wait for a dropped conversation to end
POLL_SECONDS = 0.2
RINGING, TALKING = "offered", "on_call"
PAUSABLE = ("ready", "wrap_up")
AUTO_PAUSE = "missed_offers"  # the queue's own pause after missed offers: the phone's loss
                              # is the real reason, so it is replaced


class PhonePresence:
    def __init__(self, redis, queue, telephony, operator, grace: float = GRACE_SECONDS):
        self.redis, self.queue, self.telephony = redis, queue, telephony
        self.operator, self.grace = operator, grace
        self._tasks: set[asyncio.Task] = set()

    # --- the pages' streams ---------------------------------------------------------------
    def opened(self, agent_id: str) -> None:
        key = keys.phone_pages(agent_id)
        self.redis.pipeline().incr(key).expire(key, COUNT_TTL_SECONDS).execute()

    def alive(self, agent_id: str) -> None:
        """The stream is still there (heartbeat): keep its count from expiring."""
        self.redis.expire(keys.phone_pages(agent_id), COUNT_TTL_SECONDS)

    def closed(self, agent_id: str) -> None:
        """A page's stream ended: check again after the grace period, in the background."""
        left = self.redis.decr(keys.phone_pages(agent_id))
        if left > 0:
            return
        if left < 0:  # counted before its key expired: start again from none
            self.redis.set(keys.phone_pages(agent_id), 0, ex=COUNT_TTL_SECONDS)
        task = asyncio.get_running_loop().create_task(self._after_grace(agent_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def connected(self, agent_id: str) -> bool:
        return int(self.redis.get(keys.phone_pages(agent_id)) or 0) > 0

    async def _after_grace(self, agent_id: str) -> None:
        await asyncio.sleep(self.grace)
        if self.connected(agent_id):
            return
        try:
            await asyncio.to_thread(self.phone_lost, agent_id)
        except Exception:  # noqa: BLE001 - logged; the queue's own timeouts still apply
            log.exception("settling the lost phone of %s failed", agent_id)

    # --- what a lost phone means for the queue --------------------------------------------
    def phone_lost(self, agent_id: str) -> None:
        st = self.queue.agent(agent_id)
        if st is None or not (st.state in (RINGING, TALKING) or _pausable(st)):
            return
        log.info("browser phone of %s lost while %s", agent_id, st.state)
        if st.state == RINGING:
            # The caller goes back to its place and to the next ready agent first; then the
            # dead phone's leg is ended so the caller's Dial returns and dials that agent.
            self.queue.miss(agent_id, st.call_id, reason=PHONE_LOST)
            self._pause(agent_id)
            self._end_seat(st.dial)
            return
        if st.state == TALKING:
            self._end_seat(st.dial)  # the page held the conversation's audio: it is over
            self._wait_call_end(agent_id)
        self._pause(agent_id)

    def _pause(self, agent_id: str) -> None:
        if PHONE_LOST not in self.operator.pause_reasons:
            log.warning("pause reason %r is not configured: %s stays as it is",
                        PHONE_LOST, agent_id)
            return
        st = self.queue.agent(agent_id)
        if st is not None and _pausable(st):
            self.queue.pause(agent_id, PHONE_LOST)

    def _end_seat(self, dial: str) -> None:
        try:
            self.telephony.end_seat(dial)
        except Exception as exc:  # noqa: BLE001 - no AMI: the ring time still ends the Dial
            log.warning("could not end the legs of %s: %s", dial, exc)

    def _wait_call_end(self, agent_id: str) -> None:
        deadline = time.monotonic() + CALL_END_WAIT_SECONDS
        while time.monotonic() < deadline:
            st = self.queue.agent(agent_id)
            if st is None or st.state != TALKING:
                return
            time.sleep(POLL_SECONDS)


def _pausable(st) -> bool:
    """Ready or between calls, or paused by the queue itself for missing the dead phone's
    offers; never an agent who chose a pause (their reason stays)."""
    return st.state in PAUSABLE or (st.state == "paused" and st.reason == AUTO_PAUSE)
