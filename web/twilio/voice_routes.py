"""The voice webhooks (mounted under /twilio/voice by routes.py): entry, keys, wait, dial, status."""

from __future__ import annotations

import logging

from fastapi import Request, Response
from twilio.twiml.voice_response import VoiceResponse

from crm.numbers import normalize
from ivr import model as m
from ivr.errors import UnexpectedEvent
from web.twilio.callstate import TwilioCall
from web.twilio.channel import TwilioChannel
from web.twilio.flow import WAIT_STEP
from web.twilio.signature import TwilioForm

log = logging.getLogger("hotline.twilio.voice")

TWIML = "application/xml"
FINAL_STATUSES = {"completed", "busy", "failed", "no-answer", "canceled"}
# Twilio's DialCallStatus as Asterisk's DIALSTATUS, the word the menu machine knows.
DIAL_STATUS = {"answered": "ANSWER", "busy": "BUSY", "no-answer": "NOANSWER",
               "failed": "CHANUNAVAIL", "canceled": "CANCEL"}
DIGIT_PHASES = {m.Phase.GREETING, m.Phase.MENU, m.Phase.CASE_NUMBER, m.Phase.CASE_HEARD,
                m.Phase.ANNOUNCING, m.Phase.WAITING, m.Phase.SURVEY}
QUEUED_PHASES = {m.Phase.ANNOUNCING, m.Phase.WAITING}
RESYNC_PAUSE_SECONDS = 2
MAX_GONE_TURNS = 3  # wait turns without a queue entry before the caller joins again
MAX_LEFT_SECONDS = 600


def _twiml(resp: VoiceResponse) -> Response:
    return Response(str(resp), media_type=TWIML)


def _channel(request: Request) -> TwilioChannel:
    return request.app.state.twilio


def _resync(ch: TwilioChannel, call: TwilioCall) -> VoiceResponse:
    """TwiML for a webhook that does not fit the call's phase (a retry, a stale redirect)."""
    resp = VoiceResponse()
    if call.phase == m.Phase.DONE:
        resp.hangup()
    elif call.phase in DIGIT_PHASES:
        ch.flow.advance(call, m.Digits("", True), resp)
    else:
        ch.flow.renderer.pause_then(resp, RESYNC_PAUSE_SECONDS, ch.flow.urls.voice(WAIT_STEP))
    return resp


def _step(ch: TwilioChannel, sid: str, make_event) -> Response:
    """Under the call's lock: load it, feed it the event ``make_event(call)`` gives, save it."""
    with ch.store.locked(sid):
        call = ch.store.load(sid)
        if call is None:
            log.warning("webhook for unknown call %s", sid)
            return _twiml(VoiceResponse().hangup())
        event = make_event(call)
        try:
            resp = ch.flow.advance(call, event) if event is not None else _resync(ch, call)
        except UnexpectedEvent as exc:
            log.info("call %s: %s; resynchronising", sid, exc)
            call = ch.store.load(sid)
            resp = _resync(ch, call)
        ch.store.save(call)
        return _twiml(resp)


def entry(request: Request, form: TwilioForm) -> Response:
    """First ring: Twilio's "A call comes in" webhook."""
    ch = _channel(request)
    sid, caller, to = form.get("CallSid", ""), form.get("From", ""), form.get("To", "")
    call = TwilioCall(sid=sid, caller=caller, dnid=to, site=ch.site_for(to, caller),
                      arrived_at=ch.clock())
    ch.store.create(call)  # False when Twilio retried the entry webhook: then resynchronise
    start = m.Start(dnid=to, caller_known=normalize(caller).known)
    return _step(ch, sid, lambda c: start if c.phase == m.Phase.START else None)


def digits(request: Request, form: TwilioForm) -> Response:
    """A Gather's result: the keys typed ('' when none)."""
    text = form.get("Digits", "")
    finished_on_key = form.get("FinishedOnKey", "")

    ch = _channel(request)

    def event(call):
        if call.phase not in DIGIT_PHASES:
            return None
        if call.phase in QUEUED_PHASES:  # any webhook of a waiting caller keeps its place
            ch.queue.refresh_lease(call.sid)
        return m.Digits(text, timed_out=not text and not finished_on_key)

    return _step(ch, form.get("CallSid", ""), event)


def wait(request: Request, form: TwilioForm, left: int = 0) -> Response:
    """One turn of hold ended: keep the place; hold on while ``left`` seconds remain of the
    machine's Wait, else announce position and estimated wait."""
    ch = _channel(request)
    sid = form.get("CallSid", "")
    left = max(0, min(left, MAX_LEFT_SECONDS))
    with ch.store.locked(sid):
        call = ch.store.load(sid)
        if call is not None and call.phase == m.Phase.WAITING and left > 0:
            ch.bridge.watch(sid)
            if ch.queue.refresh_lease(sid):
                resp = VoiceResponse()
                ch.flow.hold(resp, left)
                return _twiml(resp)

    def event(call):
        if call.phase != m.Phase.WAITING:
            return None
        ch.bridge.watch(sid)
        if ch.queue.refresh_lease(sid):
            call.gone_turns = 0
            return _elapsed(ch, call)
        call.gone_turns += 1
        return m.QueueGone() if call.gone_turns > MAX_GONE_TURNS else None

    return _step(ch, sid, event)


def _elapsed(ch: TwilioChannel, call: TwilioCall) -> m.WaitElapsed:
    joined = ch.flow.joined(call)
    return m.WaitElapsed(joined.position, joined.wait_seconds)


def agent_answered(request: Request, form: TwilioForm, call: str = "") -> Response:
    """Runs on the agent's leg when they pick up: accept the offer, or hang the leg up."""
    ch = _channel(request)
    with ch.store.locked(call):
        state = ch.store.load(call)
        ok = bool(state and state.agent and state.phase == m.Phase.DIALING
                  and ch.queue.accept(state.agent, call))
        if ok:
            state.accepted, state.answered_at = True, ch.clock()
            ch.store.save(state)
    resp = VoiceResponse()
    if not ok:
        resp.hangup()
    return _twiml(resp)


def dialed(request: Request, form: TwilioForm) -> Response:
    """The Dial to the agent ended: survey after a conversation, else back in the queue."""
    status = form.get("DialCallStatus", "")

    def event(call):
        if call.phase != m.Phase.DIALING:
            return None
        if status == "completed":
            return m.DialResult("ANSWER" if call.accepted else "NOANSWER")
        return m.DialResult(DIAL_STATUS.get(status, "CHANUNAVAIL"))

    return _step(_channel(request), form.get("CallSid", ""), event)


def status(request: Request, form: TwilioForm) -> Response:
    """The call's status callback: on a final status, write its one CRM row."""
    ch = _channel(request)
    sid = form.get("CallSid", "")
    if form.get("CallStatus", "") not in FINAL_STATUSES:
        return Response(status_code=204)
    with ch.store.locked(sid):
        call = ch.store.load(sid)
        if call is None or call.recorded:
            return Response(status_code=204)
        finish(ch, call)
        ch.store.save(call)
    return Response(status_code=204)


def finish(ch: TwilioChannel, call: TwilioCall) -> None:
    """The caller is gone: settle the menu (abandon, survey unrated) and record the call."""
    call.ended_at = ch.clock()
    if call.phase == m.Phase.DIALING and call.accepted:
        ch.flow.advance(call, m.DialResult("ANSWER"))
    ch.flow.advance(call, m.HungUp())
    ch.record(call)
    call.recorded = True
