"""Queue, connect and survey phases: waiting with announcements, callback, dial results."""

from __future__ import annotations

from ivr import speech
from ivr.errors import UnexpectedEvent
from ivr.model import (
    Abandon, AgentDone, CallbackResult, Collect, Connect, DialResult, Digits, Finish, Handback,
    JoinQueue, Joined, Miss, Next, Offered, Phase, Play, QueueGone, QueueUnavailable,
    RequestCallback, Resumed, Return, State, Wait, WaitElapsed, with_path,
)
from ivr.settings import MAX_INVALID, MenuSettings, clean_keys

CALLBACK_KEY = "1"
RATINGS = {"1": "satisfied", "2": "basically_satisfied", "3": "dissatisfied"}
BUSY_STATUSES = {"BUSY"}
# Dial ended without the agent: the caller goes back to the head of the queue.
MISSED_STATUSES = {"NOANSWER", "BUSY", "CONGESTION", "CHANUNAVAIL", "INVALIDARGS", "", "TORTURE"}
DONE_STATUSES = {"ANSWER"}
CALLER_GONE_STATUSES = {"CANCEL"}
WAITING_PHASES = {Phase.JOINING, Phase.ANNOUNCING, Phase.WAITING, Phase.CALLBACK, Phase.DIALING}

Result = tuple[State, list]


def join(state: State, line: str, priority: int = 0, repeat: bool = False) -> Result:
    state = with_path(state, f"queue:{line}", phase=Phase.JOINING, line=line, priority=priority,
                      invalid=0)
    return state, [JoinQueue(line, priority, repeat)]


def announce(state: State, position: int, wait: float, first: bool) -> Result:
    prompts = (("queue_joined",) if first else ()) + speech.position(position - 1)
    prompts += speech.wait_minutes(wait)
    if state.caller_known:
        prompts += ("callback_offer",)
    return with_path(state, phase=Phase.ANNOUNCING), [Collect(prompts, 1, 0.0)]


def step(s: MenuSettings, state: State, event) -> Result:
    handler = _HANDLERS.get(state.phase)
    if handler is None:
        raise UnexpectedEvent(f"{type(event).__name__} in phase {state.phase}")
    return handler(s, state, event)


def _joining(s: MenuSettings, state: State, event) -> Result:
    if isinstance(event, Offered):  # an agent was free on joining: no announcement, connect
        return _waiting(s, state, event)
    _expect(state, event, Joined)
    return announce(state, event.position, event.wait_seconds, first=True)


def _announcing(s: MenuSettings, state: State, event) -> Result:
    if isinstance(event, Offered):  # an agent became free mid-announcement: connect
        return _waiting(s, state, event)
    _expect(state, event, Digits)
    return _key_or_wait(s, state, event.text)


def _key_or_wait(s: MenuSettings, state: State, text: str) -> Result:
    if clean_keys(text, 1) == CALLBACK_KEY and state.caller_known:
        return with_path(state, phase=Phase.CALLBACK), [RequestCallback()]
    return with_path(state, phase=Phase.WAITING), [Wait(s.announce_every)]


def _waiting(s: MenuSettings, state: State, event) -> Result:
    if isinstance(event, Offered):
        state = with_path(state, phase=Phase.DIALING, agent=event.agent)
        return state, [Connect(event.agent, event.dial, event.timeout_seconds), Return(Next.DIAL)]
    if isinstance(event, WaitElapsed):
        return announce(state, event.position, event.wait_seconds, first=False)
    if isinstance(event, QueueGone):
        return join(with_path(state, "rejoin"), state.line, state.priority, bool(state.repeat_case))
    if isinstance(event, Handback):
        return with_path(state, "handback"), [Return(Next.RESUME)]
    if isinstance(event, QueueUnavailable):
        state = with_path(state, "queue:unavailable", phase=Phase.DONE)
        return state, [Finish("fallback"), Return(Next.FALLBACK)]
    _expect(state, event, Digits)
    return _key_or_wait(s, state, event.text)


def resumed(s: MenuSettings, state: State, event: Resumed) -> Result:
    """Another server's waiting caller, picked up where it was: hold music again, no new
    announcement (the position was not lost)."""
    if state.phase not in WAITING_PHASES:
        raise UnexpectedEvent(f"Resumed in phase {state.phase}")
    return with_path(state, "resume", phase=Phase.WAITING, agent=""), [Wait(s.announce_every)]


def _callback(s: MenuSettings, state: State, event) -> Result:
    _expect(state, event, CallbackResult)
    if event.ok:
        state = with_path(state, "callback", phase=Phase.DONE)
        return state, [Finish("callback"), Play(("callback_confirmed",)), Return(Next.HANGUP)]
    state = with_path(state, "callback:refused", phase=Phase.WAITING)
    return state, [Play(("callback_unavailable",)), Wait(s.announce_every)]


def _dialing(s: MenuSettings, state: State, event) -> Result:
    _expect(state, event, DialResult)
    status = clean_status(event.status)
    if status in DONE_STATUSES:
        state, actions = survey(with_path(state, "answered"), s)
        return state, [AgentDone(), *actions]
    if status in CALLER_GONE_STATUSES:
        return hung_up(state)
    reason = "rejected" if status in BUSY_STATUSES else "no_answer"
    state = with_path(state, f"miss:{status.lower() or 'none'}", phase=Phase.JOINING, agent="")
    return state, [Miss(reason)]


def survey(state: State, s: MenuSettings, retry: bool = False) -> Result:
    prompts = (("invalid_input",) if retry else ()) + ("survey",)
    state = with_path(state, phase=Phase.SURVEY, invalid=state.invalid if retry else 0)
    return state, [Collect(prompts, 1, s.survey_seconds)]


def _survey(s: MenuSettings, state: State, event) -> Result:
    _expect(state, event, Digits)
    key = clean_keys(event.text, 1)
    rating = RATINGS.get(key)
    if rating is not None:
        state = with_path(state, f"rated:{key}", phase=Phase.DONE)
        return state, [Finish("answered", rating), Play(("survey_thanks",)), Return(Next.HANGUP)]
    if key and state.invalid + 1 < MAX_INVALID:
        return survey(with_path(state, invalid=state.invalid + 1), s, retry=True)
    state = with_path(state, "unrated", phase=Phase.DONE)
    return state, [Finish("answered"), Play(("goodbye",)), Return(Next.HANGUP)]


def hung_up(state: State) -> Result:
    """What a hang-up leaves behind in each phase; the call is recorded exactly once."""
    if state.phase == Phase.DONE:
        return state, [Return(Next.HANGUP)]
    done = with_path(state, "hangup", phase=Phase.DONE)
    if state.phase == Phase.SURVEY:
        return done, [Finish("answered"), Return(Next.HANGUP)]
    if state.phase in WAITING_PHASES:
        return done, [Abandon(), Finish("abandoned"), Return(Next.HANGUP)]
    outcome = "self_service" if state.heard_status else "abandoned"
    return done, [Finish(outcome), Return(Next.HANGUP)]


def clean_status(text: str) -> str:
    """DIALSTATUS as Asterisk sets it: upper-case letters only, bounded."""
    return "".join(ch for ch in text.upper() if "A" <= ch <= "Z")[:16]


def _expect(state: State, event, kind: type) -> None:
    if not isinstance(event, kind):
        raise UnexpectedEvent(f"{type(event).__name__} in phase {state.phase}")


_HANDLERS = {
    Phase.JOINING: _joining,
    Phase.ANNOUNCING: _announcing,
    Phase.WAITING: _waiting,
    Phase.CALLBACK: _callback,
    Phase.DIALING: _dialing,
    Phase.SURVEY: _survey,
}
