"""The machine's vocabulary: the call state, the events it reacts to and the actions it asks for.

An edge (FastAGI, TwiML) performs the actions in order. Actions marked "answers with" make
the edge feed exactly one event back; such an action is always the last of its batch.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum


class Phase(StrEnum):
    START = "start"
    LOOKUP = "lookup"          # waiting for the repeat-caller lookup
    GREETING = "greeting"      # repeat caller / legacy number: notice playing, 9 still works
    MENU = "menu"
    CASE_NUMBER = "case_number"
    CASE_LOOKUP = "case_lookup"
    CASE_HEARD = "case_heard"
    JOINING = "joining"
    ANNOUNCING = "announcing"
    WAITING = "waiting"
    CALLBACK = "callback"
    DIALING = "dialing"
    SURVEY = "survey"
    DONE = "done"


class Next(StrEnum):
    """What the dialplan does when the script returns (mirrors agi_scripts.channel_vars)."""

    DIAL = "dial"
    EMERGENCY = "emergency"
    HANGUP = "hangup"
    FALLBACK = "fallback"
    RESUME = "resume"        # hand the waiting caller back: the dialplan resumes it elsewhere


@dataclass(frozen=True)
class CaseInfo:
    number: str          # written form, 12345-20261127-000042
    status: str          # crm.enums.CaseStatus value
    line: str
    due: date | None = None


@dataclass(frozen=True)
class State:
    phase: Phase = Phase.START
    menu: str = ""
    path: tuple[str, ...] = ()
    line: str = ""
    priority: int = 0
    caller_known: bool = False
    repeat_case: str = ""
    invalid: int = 0
    agent: str = ""
    heard_status: bool = False


# ---- events -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Start:
    dnid: str = ""
    caller_known: bool = False


@dataclass(frozen=True)
class RepeatResult:
    case: CaseInfo | None


@dataclass(frozen=True)
class Digits:
    text: str
    timed_out: bool = True


@dataclass(frozen=True)
class CaseResult:
    case: CaseInfo | None


@dataclass(frozen=True)
class Joined:
    position: int
    wait_seconds: float


@dataclass(frozen=True)
class WaitElapsed:
    position: int
    wait_seconds: float


@dataclass(frozen=True)
class QueueGone:
    """The waiting entry vanished without an offer (e.g. its lease was swept)."""


@dataclass(frozen=True)
class Resumed:
    """A server picked up a waiting caller whose previous server was lost or stopped."""

    position: int
    wait_seconds: float


@dataclass(frozen=True)
class Handback:
    """The server is stopping: the waiting caller goes back to the dialplan to resume."""


@dataclass(frozen=True)
class QueueUnavailable:
    """The queue could not be reached for longer than the caller may wait blind."""


@dataclass(frozen=True)
class Offered:
    agent: str
    dial: str
    timeout_seconds: int


@dataclass(frozen=True)
class CallbackResult:
    ok: bool


@dataclass(frozen=True)
class DialResult:
    status: str  # Asterisk's DIALSTATUS: ANSWER, NOANSWER, BUSY, CANCEL, ...


@dataclass(frozen=True)
class SurveyStart:
    pass


@dataclass(frozen=True)
class HungUp:
    pass


Event = (Start | RepeatResult | Digits | CaseResult | Joined | WaitElapsed | QueueGone | Offered
         | CallbackResult | DialResult | SurveyStart | HungUp | Resumed | Handback
         | QueueUnavailable)


# ---- actions ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Play:
    """Play prompts; no key interrupts them."""

    prompts: tuple[str, ...]


@dataclass(frozen=True)
class Collect:
    """Play prompts (any key interrupts), then read up to max_digits keys. Answers with Digits."""

    prompts: tuple[str, ...]
    max_digits: int = 1
    timeout_seconds: float = 3.0
    terminator: str = "#"


@dataclass(frozen=True)
class LookupRepeat:
    """Find the caller's open case of the last N days. Answers with RepeatResult."""

    days: int


@dataclass(frozen=True)
class LookupCase:
    """Read a case's status by its 14 keypad digits. Answers with CaseResult."""

    keypad: str


@dataclass(frozen=True)
class JoinQueue:
    """Enqueue (idempotent). Answers with Joined."""

    line: str
    priority: int = 0
    repeat: bool = False


@dataclass(frozen=True)
class Wait:
    """Music on hold; keep the lease; watch for key 1 and an offer.

    Answers with Offered, Digits (a key pressed), WaitElapsed, QueueGone, Handback or
    QueueUnavailable.
    """

    seconds: float


@dataclass(frozen=True)
class RequestCallback:
    """Keep the place and leave a callback number. Answers with CallbackResult."""


@dataclass(frozen=True)
class Abandon:
    """The caller hung up while waiting or ringing: remove the entry, count the abandonment."""


@dataclass(frozen=True)
class Miss:
    """The agent did not answer: back to the head of the queue. Answers with Joined."""

    reason: str = "no_answer"


@dataclass(frozen=True)
class Connect:
    """Set the dial target for the dialplan."""

    agent: str
    dial: str
    timeout_seconds: int


@dataclass(frozen=True)
class AgentDone:
    """The conversation ended: the agent goes to wrap-up."""


@dataclass(frozen=True)
class Emergency:
    target: str


@dataclass(frozen=True)
class Finish:
    """Record the call's one CRM row (outcome, rating)."""

    outcome: str  # crm.enums.CallOutcome value
    rating: str | None = None


@dataclass(frozen=True)
class Return:
    """End the script; the dialplan continues with `next`."""

    next: Next


Action = (Play | Collect | LookupRepeat | LookupCase | JoinQueue | Wait | RequestCallback | Abandon
          | Miss | Connect | AgentDone | Emergency | Finish | Return)

ASKS = (Collect, LookupRepeat, LookupCase, JoinQueue, Wait, RequestCallback, Miss)


def with_path(state: State, *tokens: str, **changes) -> State:
    """A copy of state with tokens appended to the menu path and fields changed."""
    return replace(state, path=state.path + tokens, **changes)

