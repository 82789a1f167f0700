"""Callbacks of Twilio callers: when a kept place reaches an agent, ring the agent, then dial
the citizen; the leg's status callback reports the result to the queue.

``TwilioCallbackWatcher`` follows the queue's event stream like agi_scripts.callbacks does for
Asterisk callers (each event claimed once across web processes, resuming at a cursor) and
takes only ``callback_due`` events of the Twilio channel. ``callback_status`` is the webhook
of the placed leg (POST /twilio/voice/callback-status?call=…&agent=…): it is both the leg's
status callback (answered → the offer is accepted; final → the result) and the citizen Dial's
action (DialCallStatus, the precise result). The first result per leg counts.
"""

from __future__ import annotations

import logging
import threading

from fastapi import Request, Response
from twilio.base.exceptions import TwilioException
from twilio.twiml.voice_response import Dial, VoiceResponse

from web.twilio import keys
from web.twilio.bridge import NO_TIMEOUT_FALLBACK
from web.twilio.signature import TwilioForm

log = logging.getLogger("hotline.twilio.callbacks")

EVENT = "callback_due"
CHANNEL = "twilio"             # web.twilio.flow.CHANNEL: the queue entry's channel
CONSUMER = "twilio-callbacks"  # one name for every web process: each callback placed once
BLOCK_MS = 1000
STEP = "callback-status"
CITIZEN_RING_SECONDS = 45      # as [hotline-callback]'s Dial in extensions.conf
LEG_TTL_SECONDS = 24 * 3600
ANSWERED = "in-progress"
FINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}
CONNECTED_DIAL_STATUSES = {"completed", "answered"}
TWIML = "application/xml"


def is_twilio_due(fields: dict) -> bool:
    return fields.get("type") == EVENT and fields.get("channel", "") == CHANNEL


def agent_target(kind: str, address: str) -> str:
    """Renderer.agent_address's answer as calls.create's ``to``: client:<id> or sip:…"""
    return address if kind == "sip" else f"client:{address}"


class CallbackPlacer:
    """Places one callback over Twilio's REST API: the agent's leg, its TwiML dials the citizen."""

    def __init__(self, channel):
        self.channel = channel

    @property
    def caller_id(self) -> str:
        settings = self.channel.settings
        return settings.twilio_caller_id or settings.twilio_sms_from

    def twiml(self, number: str, status_url: str) -> str:
        resp = VoiceResponse()
        dial = Dial(caller_id=self.caller_id, action=status_url, method="POST",
                    timeout=CITIZEN_RING_SECONDS)
        dial.number(number)
        resp.append(dial)
        return str(resp)

    def place(self, fields: dict) -> bool:
        """Create the agent's call; on any refusal report the callback failed (a retry)."""
        ch = self.channel
        call_id, agent_id = fields.get("call_id", ""), fields.get("agent_id", "")
        status_url = ch.flow.urls.voice(STEP, call=call_id, agent=agent_id)
        to = agent_target(*ch.flow.renderer.agent_address(fields.get("dial", "") or agent_id))
        try:
            if ch.client is None or not self.caller_id or not fields.get("number"):
                raise TwilioException("no REST client, caller ID or citizen number")
            ch.client.calls.create(
                to=to, from_=self.caller_id, twiml=self.twiml(fields["number"], status_url),
                status_callback=status_url, status_callback_method="POST",
                status_callback_event=["answered", "completed"],
                timeout=ch.operator.queue.offer_timeout_seconds or NO_TIMEOUT_FALLBACK)
        except (TwilioException, OSError) as exc:
            log.warning("callback %s to agent %s not placed: %s", call_id, agent_id, exc)
            ch.queue.callback_result(call_id, False)
            return False
        return True


def latest_event_id(queue) -> str:
    """The newest event's id now ("$" would mean: whatever is newest when the thread reads)."""
    newest = queue.redis.xrevrange(queue.keys.events(), count=1)
    return newest[0][0] if newest else "0-0"


class TwilioCallbackWatcher(threading.Thread):
    """Follows the queue's events and places each due callback of a Twilio caller once."""

    def __init__(self, channel):
        super().__init__(name="twilio-callback-watcher", daemon=True)
        self.queue, self.placer = channel.queue, CallbackPlacer(channel)
        self.stopped = threading.Event()
        self.last_id = self.queue.cursor(CONSUMER) or latest_event_id(self.queue)

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                events = self.queue.read_events(self.last_id, count=100, block_ms=BLOCK_MS)
            except Exception:  # noqa: BLE001 - Redis may be restarting; keep following
                log.exception("reading queue events failed")
                self.stopped.wait(1.0)
                continue
            for event_id, fields in events:
                self.last_id = event_id
                if is_twilio_due(fields) and self.queue.claim_event(CONSUMER, event_id):
                    self._place(fields)
            if events:
                self.queue.set_cursor(CONSUMER, self.last_id)

    def _place(self, fields: dict) -> None:
        try:
            self.placer.place(fields)
        except Exception:  # noqa: BLE001 - one bad event must not stop the watcher
            log.exception("placing callback %s failed", fields.get("call_id", ""))

    def stop(self) -> None:
        self.stopped.set()
        if self.is_alive():
            self.join(BLOCK_MS / 1000.0 + 1.0)


def leg_result(form: dict) -> bool | None:
    """True/False once the leg tells how the callback went; None while it is not over."""
    dial_status = form.get("DialCallStatus", "")
    if dial_status:
        return dial_status in CONNECTED_DIAL_STATUSES
    status = form.get("CallStatus", "")
    return status == "completed" if status in FINAL_STATUSES else None


def callback_status(request: Request, form: TwilioForm, call: str = "",
                    agent: str = "") -> Response:
    """The placed leg's status callback and the citizen Dial's action (see the module doc)."""
    ch = request.app.state.twilio
    leg = form.get("CallSid", "")
    if call and agent and leg:
        if form.get("CallStatus") == ANSWERED and not form.get("DialCallStatus"):
            _answered(ch, call, agent, leg)
        else:
            _report(ch, call, agent, leg, leg_result(form))
    return Response(str(VoiceResponse().hangup()), media_type=TWIML)


def _answered(ch, call: str, agent: str, leg: str) -> None:
    """The agent picked up: the offer is accepted (else the leg is hung up: not theirs now)."""
    if ch.queue.accept(agent, call):
        return
    state = ch.queue.agent(agent)
    if state is not None and state.state == "on_call" and state.call_id == call:
        return  # a replay of this event
    log.info("callback %s: agent %s answered a withdrawn offer; hanging up", call, agent)
    try:
        ch.client.calls(leg).update(status="completed")
    except (TwilioException, OSError, AttributeError) as exc:
        log.warning("could not hang up leg %s: %s", leg, exc)


def _report(ch, call: str, agent: str, leg: str, ok: bool | None) -> None:
    if ok is None or not ch.redis.set(keys.callback_leg(leg), "1", nx=True, ex=LEG_TTL_SECONDS):
        return  # not over yet, or already reported (Dial action, then status callback)
    state = ch.queue.agent(agent)
    if state is None or state.call_id != call:  # the offer timed out meanwhile: already a miss
        log.info("callback %s: agent %s no longer holds it; result %s ignored", call, agent, ok)
        return
    result = ch.queue.callback_result(call, ok)
    if ok:
        ch.queue.hangup(agent, call)  # the conversation is over: the agent goes to wrap-up
    log.info("callback %s via agent %s: %s", call, agent, result)
