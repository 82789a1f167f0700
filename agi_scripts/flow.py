"""Runs the ivr machine over one AGI conversation: performs its actions, feeds events back."""

from __future__ import annotations

import logging
import re

from agi_scripts import channel_vars as cv
from agi_scripts.env import ascii_digits
from agi_scripts.protocol import AgiHangup, HotlineAGI
from agi_scripts.sheet import CallSheet, safe
from agi_scripts import queueing
from ivr import model as m
from ivr.settings import KEYS

log = logging.getLogger("hotline.agi.flow")
_DIAL_UNSAFE = re.compile(r"[^A-Za-z0-9_/@.\-]")
EMERGENCY_DIGITS = 16
MAX_STEPS = 500   # a call that takes more machine steps than this is a bug: fall back
NEXT_VALUES = {m.Next.DIAL: cv.NEXT_DIAL, m.Next.EMERGENCY: cv.NEXT_EMERGENCY,
               m.Next.HANGUP: cv.NEXT_HANGUP, m.Next.FALLBACK: cv.NEXT_FALLBACK,
               m.Next.RESUME: cv.NEXT_RESUME}


class CallFlow:
    """One script run. ``run(event)`` returns when the machine asks to Return."""

    def __init__(self, agi: HotlineAGI, deps, sheet: CallSheet, caller_raw: str, dnid: str = ""):
        self.agi, self.deps, self.sheet = agi, deps, sheet
        self.caller_raw, self.dnid = caller_raw, dnid
        self.number = deps.caller(caller_raw)
        self.site = deps.site_of(self.number)
        self.hung_up = False
        self.last_agent = sheet.state.agent
        self.outcome: str | None = None

    def run(self, event) -> None:
        for _ in range(MAX_STEPS):
            self.last_agent = self.sheet.state.agent or self.last_agent
            self.sheet.state, actions = self.deps.machine.step(self.sheet.state, event)
            event = self._perform_all(actions)
            if event is None:
                return
        raise RuntimeError("too many menu steps")

    def _perform_all(self, actions) -> object | None:
        for action in actions:
            try:
                answer = self.perform(action)
            except AgiHangup:
                if self.hung_up:
                    return None            # already settling a hang-up: stop quietly
                self.hung_up = True
                return m.HungUp()
            if isinstance(action, m.Return):
                return None
            if self.agi.dead and not self.hung_up:
                # a HANGUP line came with the reply of a command that works on a dead
                # channel (SET VARIABLE after a prompt's -1): the caller is gone, whatever
                # the action answered, and must not be handed to Dial
                self.hung_up = True
                return m.HungUp()
            if answer is not None:
                return answer
        raise RuntimeError(f"machine stopped without Return in {self.sheet.state.phase}")

    # ---- actions ----------------------------------------------------------------------------
    def perform(self, a):
        handler = getattr(self, "_do_" + type(a).__name__.lower())
        return handler(a)

    def _do_play(self, a: m.Play):
        for name in a.prompts:
            self.agi.play(self.deps.prompt(name))

    def _do_collect(self, a: m.Collect):
        *head, last = a.prompts
        for name in head:
            offer = self._offer_between_prompts()
            if offer is not None:
                return offer
            key = self.agi.play(self.deps.prompt(name), KEYS)
            if key:
                return self._more_keys(key, a)
        offer = self._offer_between_prompts()
        if offer is not None:
            return offer
        if a.timeout_seconds <= 0:
            key = self.agi.play(self.deps.prompt(last), KEYS)
            return m.Digits(key, timed_out=not key)
        text, timed_out = self.agi.read_digits(self.deps.prompt(last),
                                               int(a.timeout_seconds * 1000), a.max_digits)
        return m.Digits("".join(ch for ch in text if ch in KEYS)[:a.max_digits], timed_out)

    def _offer_between_prompts(self):
        """While the position is announced, an offer cuts the announcement short."""
        if self.sheet.state.phase != m.Phase.ANNOUNCING:
            return None
        return queueing.offered_now(self)

    def _more_keys(self, first: str, a: m.Collect):
        text = "" if first == a.terminator else first
        while first != a.terminator and len(text) < a.max_digits:
            key = self.agi.wait_digit(int(max(a.timeout_seconds, 1.0) * 1000))
            if not key:
                return m.Digits(text, True)
            if key == a.terminator:
                break
            text += key
        return m.Digits(text, False)

    def _do_lookuprepeat(self, a: m.LookupRepeat):
        found = self._crm(lambda: self.deps.intake.repeat_caller(self.caller_raw, a.days))
        return m.RepeatResult(_case_info(found))

    def _do_lookupcase(self, a: m.LookupCase):
        found = self._crm(lambda: self.deps.intake.case_progress(a.keypad))
        return m.CaseResult(_case_info(found))

    def _crm(self, fn):
        try:
            return fn()
        except Exception:  # a CRM outage must not keep a caller from a person
            log.exception("CRM lookup failed for call %s", self.sheet.call_id)
            return None

    def _do_joinqueue(self, a: m.JoinQueue):
        if not self.sheet.queued:
            self.sheet.queued = self.deps.clock()
        return queueing.join(self, a)

    def _do_wait(self, a: m.Wait):
        return queueing.wait(self, a.seconds)

    def _do_requestcallback(self, a):
        return queueing.request_callback(self)

    def _do_abandon(self, a):
        queueing.abandon(self)

    def _do_miss(self, a: m.Miss):
        return queueing.miss(self, a.reason)

    def _do_connect(self, a: m.Connect):
        self.sheet.offered = self.deps.clock()
        self.agi.set_var(cv.DIAL, dial_target(a.dial))
        self.agi.set_var(cv.DIAL_TIMEOUT, str(max(1, int(a.timeout_seconds))))
        self.agi.set_var(cv.AGENT, safe(a.agent))

    def _do_agentdone(self, a):
        queueing.agent_done(self)

    def _do_emergency(self, a: m.Emergency):
        self.agi.set_var(cv.EMERGENCY_NUMBER, ascii_digits(a.target, EMERGENCY_DIGITS))

    def _do_finish(self, a: m.Finish):
        from agi_scripts.recording import finish

        self.outcome = a.outcome
        finish(self, a.outcome, a.rating)
        self.agi.set_var(cv.RECORDED, cv.RECORDED_VALUE)

    def _do_return(self, a: m.Return):
        self.agi.set_var(cv.STATE, self.sheet.dump())
        self.agi.set_var(cv.CALL_ID, safe(self.sheet.call_id))
        self.agi.set_var(cv.LINE, safe(self.sheet.state.line))
        self.agi.set_var(cv.DNID, self.dnid)
        self.agi.set_var(cv.NEXT, NEXT_VALUES[a.next])
        self.agi.set_var(cv.DONE, cv.DONE_VALUE)   # always the last command


def _case_info(found) -> m.CaseInfo | None:
    if found is None:
        return None
    return m.CaseInfo(found.number, found.status, found.line, found.due)


def dial_target(text: str) -> str:
    """PJSIP/8001, Local/8001@hotline-agents: nothing that could smuggle Dial options."""
    return _DIAL_UNSAFE.sub("", text)[:120]
