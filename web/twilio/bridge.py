"""Send a waiting Twilio caller to the agent our queue assigned, through Twilio's REST API.

Each waiting call has one watcher thread in the process that took its webhook; it blocks in
``CallQueue.wait_assignment`` (a Redis list pop: an offer reaches exactly one watcher). On an
offer it steps the menu with ``Offered`` and moves the live call with
``client.calls(sid).update(twiml=<Dial>…)``. Every wait-loop webhook re-ensures the watcher,
so a restarted web process picks its callers up again.
"""

from __future__ import annotations

import logging
import threading
import time

from twilio.base.exceptions import TwilioException, TwilioRestException

from ivr import model as m
from web.twilio.callstate import CallStore
from web.twilio.flow import VoiceFlow

log = logging.getLogger("hotline.twilio.bridge")

WATCH_SLICE_SECONDS = 5.0    # how long one wait_assignment blocks before the watcher re-checks
WAITING_PHASES = (m.Phase.JOINING, m.Phase.ANNOUNCING, m.Phase.WAITING, m.Phase.CALLBACK)
NO_TIMEOUT_FALLBACK = 15
HTTP_NOT_FOUND = 404
CALL_NOT_IN_PROGRESS = {21220}  # Twilio: "Call is not in-progress. Cannot redirect."
CONNECTED, GONE, RETRY = "connected", "gone", "retry"


class AgentBridge:
    """Watches assignments of waiting Twilio callers and connects them to their agent."""

    def __init__(self, store: CallStore, flow: VoiceFlow, queue, client, offer_timeout: int):
        self.store = store
        self.flow = flow
        self.queue = queue
        self.client = client
        self.offer_timeout = offer_timeout or NO_TIMEOUT_FALLBACK
        self._watchers: dict[str, threading.Thread] = {}
        self._guard = threading.Lock()
        self._stopping = threading.Event()

    def watch(self, sid: str) -> None:
        """Start this call's watcher unless this process already runs one."""
        with self._guard:
            thread = self._watchers.get(sid)
            if thread is not None and thread.is_alive():
                return
            thread = threading.Thread(target=self._run, args=(sid,), daemon=True,
                                      name=f"twilio-watch-{sid[-8:]}")
            self._watchers[sid] = thread
        thread.start()

    def stop(self) -> None:
        self._stopping.set()

    def watching(self) -> int:
        with self._guard:
            return sum(t.is_alive() for t in self._watchers.values())

    def _run(self, sid: str) -> None:
        try:
            while not self._stopping.is_set():
                offer = self.queue.wait_assignment(sid, WATCH_SLICE_SECONDS)
                if offer is not None and self.connect(sid, offer) != RETRY:
                    return
                call = self.store.load(sid)
                if call is None or call.phase not in WAITING_PHASES:
                    return
        except Exception:  # a dying watcher must be visible; the next wait webhook restarts it
            if not self._stopping.is_set():
                log.exception("watcher of call %s failed", sid)
        finally:
            with self._guard:
                if self._watchers.get(sid) is threading.current_thread():
                    del self._watchers[sid]

    def connect(self, sid: str, offer) -> str:
        """Move the caller to the offered agent: CONNECTED, GONE or RETRY (back in the queue)."""
        with self.store.locked(sid):
            call = self.store.load(sid)
            if call is None or call.phase not in WAITING_PHASES:
                log.warning("offer for call %s in phase %s: refused", sid,
                            call.phase if call else "gone")
                self.queue.miss(offer.agent_id, sid, reason="rejected")
                return GONE
            if call.phase == m.Phase.ANNOUNCING:  # the announcement counts as heard
                call.ivr, _ = self.flow.machine.step(call.ivr, m.Digits("", True))
            twiml = self.flow.advance(call, m.Offered(agent=offer.agent_id, dial=offer.dial,
                                                      timeout_seconds=self._timeout(offer)))
            if self.client is None:
                log.error("no Twilio REST client (credentials unset): call %s stays queued", sid)
                self.queue.miss(offer.agent_id, sid, reason="no_answer")
                return GONE
            try:
                self.client.calls(sid).update(twiml=str(twiml))
            except TwilioRestException as exc:
                return self._refused(sid, offer, exc)
            except (TwilioException, OSError) as exc:
                log.warning("could not reach Twilio to move call %s: %s", sid, exc)
                self.queue.return_offer(offer.agent_id, sid, "twilio_unreachable")
                return RETRY
            self.store.save(call)
            return CONNECTED

    def _timeout(self, offer) -> int:
        if not offer.deadline:
            return self.offer_timeout
        return max(1, int(round(offer.deadline - time.time())))

    def _refused(self, sid: str, offer, exc) -> str:
        """Twilio refused the update: a call that ended is abandoned, else retried."""
        if exc.status == HTTP_NOT_FOUND or exc.code in CALL_NOT_IN_PROGRESS:
            log.info("call %s ended before it reached agent %s", sid, offer.agent_id)
            self.queue.abandon(sid)
            return GONE
        log.warning("Twilio refused moving call %s to agent %s: %s", sid, offer.agent_id, exc)
        self.queue.return_offer(offer.agent_id, sid, f"twilio_{exc.status}")
        return RETRY
