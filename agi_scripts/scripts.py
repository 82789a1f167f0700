"""The AGI scripts by route name (agi://host/<name>): one function per script."""

from __future__ import annotations

import logging
import re

from agi_scripts import channel_vars as cv
from agi_scripts import queueing
from agi_scripts.case_survey import case_survey
from agi_scripts.env import MAX_DNID, agi_args, ascii_digits, caller_id, dialled_number
from agi_scripts.flow import CallFlow
from agi_scripts.protocol import AgiHangup, HotlineAGI
from agi_scripts.recording import finish
from agi_scripts.sheet import CallSheet, safe
from ivr import model as m

log = logging.getLogger("hotline.agi.scripts")
HANGUP_EXTENSION = "h"  # where the dialplan runs after_dial once the caller hung up
SECONDS_RE = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,9})?", re.ASCII)


class ScriptError(Exception):
    code = "agi_script_error"


def _caller(agi: HotlineAGI) -> tuple[str, str]:
    return caller_id(agi.env), dialled_number(agi.env)


def _run(flow: CallFlow, event) -> None:
    """Run the flow; on a failure record the call as fallback before the server falls back."""
    try:
        flow.run(event)
    except AgiHangup:
        raise
    except Exception:
        if flow.outcome is None:
            try:
                finish(flow, "fallback", None)
            except Exception:
                log.exception("could not record call %s as fallback", flow.sheet.call_id)
        raise


def menu(agi: HotlineAGI, deps) -> None:
    """The entry: welcome, emergency notice, shortcuts, then the queue."""
    call_id = safe(agi.env.get("agi_uniqueid", ""))
    if not call_id:
        raise ScriptError("no agi_uniqueid")
    caller, dnid = _caller(agi)
    sheet = CallSheet(call_id, arrived=deps.clock())
    flow = CallFlow(agi, deps, sheet, caller, dnid)
    _run(flow, m.Start(dnid=dnid, caller_known=flow.number.known))


def _load(agi: HotlineAGI, deps) -> CallFlow:
    sheet = CallSheet.load(agi.get_var(cv.STATE))
    if sheet is None:
        raise ScriptError("no call state on the channel")
    caller, dnid = _caller(agi)
    if not dnid or after_hang_up(agi):
        dnid = ascii_digits(agi.get_var(cv.DNID), MAX_DNID) or dnid
    return CallFlow(agi, deps, sheet, caller, dnid)


def after_hang_up(agi: HotlineAGI) -> bool:
    """Run from the h extension (directly, or through [hotline-agi] with h as its argument)."""
    args = agi_args(agi.env)
    return HANGUP_EXTENSION in (agi.env.get("agi_extension"), args[0] if args else None)


def after_dial(agi: HotlineAGI, deps) -> None:
    """After Dial(): ANSWER -> agent to wrap-up, survey; no answer -> back to the queue head.

    On the h extension the caller has gone: unless a conversation took place, that is a
    hang-up (abandoned, the agent freed), never a new offer nobody will dial."""
    flow = _load(agi, deps)
    status = agi.get_var(cv.DIALSTATUS)
    if status.upper() == "ANSWER":
        at = _seconds(agi.get_var(cv.ANSWERED_AT), limit=4e9)
        flow.sheet.answered = at or deps.clock() - _seconds(agi.get_var(cv.ANSWEREDTIME))
    elif after_hang_up(agi):
        flow.hung_up = True
        _run(flow, m.HungUp())
        return
    _run(flow, m.DialResult(status))


def resume(agi: HotlineAGI, deps) -> None:
    """A waiting caller whose server crashed or drained, picked up by this one: the same
    queue entry and place (an offer nobody dialled is taken back). A caller the queue no
    longer holds as waiting goes to the fallback queue, recorded once."""
    flow = _load(agi, deps)
    log.info("resuming call %s", flow.sheet.call_id)
    event = queueing.resume(flow)
    if event is None and _talked(flow):  # the old server died after the agent answered
        flow.sheet.answered = _seconds(agi.get_var(cv.ANSWERED_AT), limit=4e9) or deps.clock()
        event = m.DialResult("ANSWER")   # the agent to wrap-up, the caller to the survey
    if event is None:
        log.warning("call %s: not waiting in the queue any more: fallback", flow.sheet.call_id)
        finish(flow, "fallback", None)
        agi.set_var(cv.RECORDED, cv.RECORDED_VALUE)
        agi.set_var(cv.NEXT, cv.NEXT_FALLBACK)
        agi.set_var(cv.DONE, cv.DONE_VALUE)
        return
    _run(flow, event)


def _talked(flow: CallFlow) -> bool:
    answered = flow.deps.queue.call_state(flow.sheet.call_id) in ("on_call", "done")
    return flow.sheet.state.phase == m.Phase.DIALING and answered


def survey(agi: HotlineAGI, deps) -> None:
    """The satisfaction survey on its own (for dialplans that run it separately)."""
    flow = _load(agi, deps)
    _run(flow, m.SurveyStart())


def answered(agi: HotlineAGI, deps) -> None:
    """On the agent's leg (Dial option U): the agent picked up, so the offer is accepted."""
    args = agi_args(agi.env)
    call_id = safe(args[0] if args else agi.get_var(cv.CALL_ID))
    agent = safe(args[1] if len(args) > 1 else agi.get_var(cv.AGENT))
    ok = bool(call_id and agent and deps.queue.accept(agent, call_id))
    if ok:  # the caller's channel (the linkedid) learns when a person picked up
        agi.set_var(f"MASTER_CHANNEL({cv.ANSWERED_AT})", f"{deps.clock():.3f}")
    agi.set_var(cv.ACCEPTED, "1" if ok else "0")
    agi.set_var(cv.NEXT, cv.NEXT_DIAL if ok else cv.NEXT_HANGUP)
    agi.set_var(cv.DONE, cv.DONE_VALUE)


def callback(agi: HotlineAGI, deps) -> None:
    """After an AMI-placed callback's citizen leg: report whether the citizen answered."""
    for_id = safe(agi.get_var(cv.CALLBACK_FOR))
    status = agi.get_var(cv.DIALSTATUS).upper()
    result = deps.queue.callback_result(for_id, status == "ANSWER") if for_id else "none"
    agent = safe(agi.get_var(cv.AGENT))
    if for_id and agent:  # the conversation is over: the agent goes to wrap-up, not stuck
        deps.queue.hangup(agent, for_id)   # on_call (a no-op when the agent is not on it)
    log.info("callback for %s: %s -> %s", for_id, status, result)
    agi.set_var(cv.NEXT, cv.NEXT_HANGUP)
    agi.set_var(cv.DONE, cv.DONE_VALUE)


def probe(agi: HotlineAGI, deps) -> None:
    """Health check from the dialplan: answers with the done flag only."""
    agi.set_var(cv.NEXT, cv.NEXT_HANGUP)
    agi.set_var(cv.DONE, cv.DONE_VALUE)


def _seconds(text: str, limit: float = 86400.0) -> float:
    """A channel variable of seconds (ANSWEREDTIME, epoch times): 0-9 and one point only."""
    text = (text or "").strip()
    if not SECONDS_RE.fullmatch(text):
        return 0.0
    return min(float(text), limit)


ROUTES = {
    "menu": menu,
    "after_dial": after_dial,
    "survey": survey,
    cv.RESUME_ROUTE: resume,
    "answered": answered,
    "callback": callback,
    "probe": probe,
    "case_survey": case_survey,
}
