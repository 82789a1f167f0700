"""Callbacks: when a kept place reaches an agent, place the call (agent first, then citizen)."""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from agi_scripts import channel_vars as cv

log = logging.getLogger("hotline.agi.callbacks")
EVENT = "callback_due"
BLOCK_MS = 1000
CONSUMER = "callbacks"  # one name for every FastAGI server: each callback is claimed once
TWILIO_CHANNEL = "twilio"  # WaitingEntry.channel of Twilio callers (web/twilio/flow.CHANNEL)


def ours(fields: dict) -> bool:
    """A due callback this watcher places: any but the Twilio channel's (web/twilio/callbacks.py
    places those). Checked before claiming, so the other watcher can still claim the event."""
    return fields.get("type") == EVENT and fields.get("channel", "") != TWILIO_CHANNEL


class CallbackDialer(Protocol):
    def place_callback(self, agent_dial: str, citizen_number: str, variables: dict) -> None: ...


def default_dialer(deps) -> CallbackDialer:
    """The AMI dialer (HOTLINE_AMI_*): the agent first, then the citizen."""
    from ami.callbacks import make_dialer

    return make_dialer(deps)


class CallbackWatcher(threading.Thread):
    """Follows the queue's event stream and places each due callback once.

    Several FastAGI servers may run this: each event is claimed by exactly one of them, and a
    restarted server resumes after the last event handled (events that arrived while every
    server was down are not lost)."""

    def __init__(self, queue, dialer: CallbackDialer):
        super().__init__(name="callback-watcher", daemon=True)
        self.queue, self.dialer, self.stopped = queue, dialer, threading.Event()
        self.last_id = queue.cursor(CONSUMER) or "$"

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                events = self.queue.read_events(self.last_id, count=100, block_ms=BLOCK_MS)
            except Exception:
                log.exception("reading queue events failed")
                self.stopped.wait(1.0)
                continue
            for event_id, fields in events:
                self.last_id = event_id
                if ours(fields) and self.queue.claim_event(CONSUMER, event_id):
                    self._place(fields)
            if events:
                self.queue.set_cursor(CONSUMER, self.last_id)

    def _place(self, fields: dict) -> None:
        call_id = fields.get("call_id", "")
        try:
            self.dialer.place_callback(fields.get("dial", ""), fields.get("number", ""),
                                       {cv.CALLBACK_FOR: call_id, cv.AGENT: fields.get("agent_id", "")})
        except Exception:
            log.exception("placing callback for %s failed", call_id)

    def stop(self) -> None:
        self.stopped.set()
        if self.is_alive():
            self.join(BLOCK_MS / 1000.0 + 1.0)
