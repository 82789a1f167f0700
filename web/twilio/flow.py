"""Drive the voice menu for one Twilio call: step the machine, perform its actions, build TwiML.

Actions that answer at once (lookups, enqueue, callback, miss) are performed here and their
answer is fed straight back; Collect and Wait end the turn with TwiML that makes Twilio call
us again. Called with the call's lock held.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from twilio.twiml.voice_response import VoiceResponse

from ivr import model as m
from callqueue.models import WaitingEntry
from crm.numbers import normalize
from ivr.machine import Machine
from web.twilio.callstate import TwilioCall
from web.twilio.twiml import Renderer, Urls

log = logging.getLogger("hotline.twilio.flow")

CHANNEL = "twilio"
DIGITS_STEP = "digits"
WAIT_STEP = "wait"
DIALED_STEP = "dialed"
ANSWERED_STEP = "agent-answered"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def case_info(summary) -> m.CaseInfo | None:
    """crm.intake's CaseSummary as the machine's CaseInfo."""
    if summary is None:
        return None
    return m.CaseInfo(number=summary.number, status=summary.status, line=summary.line,
                      due=summary.due)


class VoiceFlow:
    """The menu's edge on Twilio. ``queue`` is callqueue's CallQueue, ``intake`` crm's Intake."""

    def __init__(self, machine: Machine, queue, intake, renderer: Renderer, urls: Urls,
                 on_enqueued=lambda sid: None, clock=utcnow, hold_slice: float = 10.0):
        self.machine = machine
        self.queue = queue
        self.intake = intake
        self.renderer = renderer
        self.urls = urls
        self.on_enqueued = on_enqueued
        self.clock = clock
        self.hold_slice = hold_slice

    def advance(self, call: TwilioCall, event, resp: VoiceResponse | None = None) -> VoiceResponse:
        """Feed ``event`` to the machine until it waits for Twilio; return the TwiML."""
        resp = resp if resp is not None else VoiceResponse()
        while event is not None:
            call.ivr, actions = self.machine.step(call.ivr, event)
            event = None
            for action in actions:
                event = self.perform(call, action, resp)
        return resp

    def perform(self, call: TwilioCall, action, resp: VoiceResponse):
        """Do one action; return the event it answers with, if it answers at once."""
        handler = getattr(self, "_" + type(action).__name__.lower())
        return handler(call, action, resp)

    # ---- what callers hear -----------------------------------------------------------------
    def _play(self, call, action: m.Play, resp):
        self.renderer.speak(resp, action.prompts)

    def _collect(self, call, action: m.Collect, resp):
        self.renderer.collect(resp, action.prompts, action.max_digits, action.timeout_seconds,
                              action.terminator, self.urls.voice(DIGITS_STEP))

    def _wait(self, call, action: m.Wait, resp):
        self.hold(resp, action.seconds)

    def hold(self, resp: VoiceResponse, seconds: float) -> None:
        """One turn of hold, at most ``hold_slice`` long, so each turn's webhook keeps the lease.

        The Redirect carries what is left of the machine's Wait; /wait announces when none is.
        """
        turn = min(max(seconds, 1.0), self.hold_slice)
        left = int(seconds - turn)
        next_url = self.urls.voice(WAIT_STEP, left=str(left)) if left > 0 else \
            self.urls.voice(WAIT_STEP)
        self.renderer.hold(resp, turn, self.urls.voice(DIGITS_STEP), next_url)

    def _connect(self, call, action: m.Connect, resp):
        call.agent, call.dial, call.accepted = action.agent, action.dial, False
        call.offered_at = self.clock()
        self.renderer.connect(resp, action.dial, action.timeout_seconds,
                              self.urls.voice(DIALED_STEP),
                              self.urls.voice(ANSWERED_STEP, call=call.sid))

    def _emergency(self, call, action: m.Emergency, resp):
        call.emergency = action.target

    def _return(self, call, action: m.Return, resp):
        if action.next == m.Next.EMERGENCY and call.emergency:
            self.renderer.emergency(resp, call.emergency)
        elif action.next in (m.Next.HANGUP, m.Next.FALLBACK):
            self.renderer.hangup(resp)
        # Next.DIAL: the Dial was rendered by Connect.

    # ---- the CRM ---------------------------------------------------------------------------
    def _lookuprepeat(self, call, action: m.LookupRepeat, resp):
        return m.RepeatResult(case_info(self.intake.repeat_caller(call.caller, action.days)))

    def _lookupcase(self, call, action: m.LookupCase, resp):
        return m.CaseResult(case_info(self.intake.case_progress(action.keypad)))

    def _finish(self, call, action: m.Finish, resp):
        call.outcome, call.rating = action.outcome, action.rating or call.rating

    # ---- the queue -------------------------------------------------------------------------
    def _joinqueue(self, call, action: m.JoinQueue, resp):
        entry = WaitingEntry(call_id=call.sid, line=action.line, site=call.site,
                             priority=action.priority, caller=normalize(call.caller).e164 or "",
                             repeat=action.repeat, channel=CHANNEL, menu_path=call.menu_path)
        position = self.queue.enqueue(entry)
        call.queued_at = call.queued_at or self.clock()
        self.on_enqueued(call.sid)
        return m.Joined(int(position or 1),
                        float(self.queue.estimated_wait(action.line, call.site)))

    def _requestcallback(self, call, action: m.RequestCallback, resp):
        number = normalize(call.caller).e164
        ok = bool(number) and self.queue.request_callback(call.sid, number)
        if ok:
            call.callback_number = number
        return m.CallbackResult(ok)

    def _miss(self, call, action: m.Miss, resp):
        if call.agent:
            self.queue.miss(call.agent, call.sid, reason=action.reason)
        call.agent, call.dial, call.accepted = "", "", False
        if self.queue.position(call.sid) is None:  # the entry was swept meanwhile: join again
            state = call.ivr
            return self._joinqueue(call, m.JoinQueue(state.line, state.priority,
                                                     bool(state.repeat_case)), resp)
        return self.joined(call)

    def joined(self, call) -> m.Joined:
        position = self.queue.position(call.sid) or 1
        return m.Joined(int(position), float(self.queue.estimated_wait(call.ivr.line, call.site)))

    def _abandon(self, call, action: m.Abandon, resp):
        """The caller hung up while waiting or while the agent's phone rang."""
        if self.queue.abandon(call.sid) is None and call.agent and not call.accepted:
            self.queue.miss(call.agent, call.sid, reason="no_answer")
            self.queue.abandon(call.sid)

    def _agentdone(self, call, action: m.AgentDone, resp):
        if call.agent:
            self.queue.hangup(call.agent, call.sid)
