"""Data shapes of the queue API: what callers, agents, offers and snapshots look like."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from enum import StrEnum

MAX_PRIORITY = 9  # priorities run 0..MAX_PRIORITY; higher is served first
MAX_MENU_PATH = 200  # characters (and UTF-8 bytes) of the IVR menu path an entry keeps
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_menu_path(text: str | None) -> str:
    """The menu path as the queue keeps it: no control characters, at most MAX_MENU_PATH
    characters and UTF-8 bytes (a cut never splits a character)."""
    kept = _CONTROL.sub("", str(text or ""))[:MAX_MENU_PATH]
    return kept.encode()[:MAX_MENU_PATH].decode("utf-8", "ignore")


class State(StrEnum):
    """Agent states; every change is timestamped and published as an `agent_state` event."""

    LOGGED_OUT = "logged_out"
    READY = "ready"
    OFFERED = "offered"
    ON_CALL = "on_call"
    WRAP_UP = "wrap_up"
    PAUSED = "paused"


class Outcome(StrEnum):
    """How a queued call ended; exactly one per call id (values match crm CallOutcome)."""

    ANSWERED = "answered"
    ABANDONED = "abandoned"
    CALLBACK = "callback"
    LOST_HANDLER = "lost_handler"


class CallbackStatus(StrEnum):
    CONNECTED = "connected"
    RETRY = "retry"
    GIVEN_UP = "given_up"


AUTO_PAUSE_REASON = "missed_offers"


@dataclass(frozen=True)
class WaitingEntry:
    """A caller who wants a person. call_id is the Asterisk uniqueid or the Twilio CallSid."""

    call_id: str
    line: str
    site: str
    priority: int = 0
    caller: str = ""
    repeat: bool = False
    channel: str = "asterisk"
    menu_path: str = ""  # the IVR path that led here ("in>menu:main>key:2>queue:market")
    # The handler acknowledges each offer it dials (CallQueue.dialing) and may resume the call
    # on another server (CallQueue.resume): a FastAGI call. See lua/_match.lua resumable().
    resumable: bool = False

    def __post_init__(self):
        object.__setattr__(self, "menu_path", clean_menu_path(self.menu_path))


@dataclass(frozen=True)
class AgentInfo:
    """An agent as they log in: their site, lines with levels (1 = best) and dial target."""

    agent_id: str
    site: str
    skills: dict[str, int] = field(default_factory=lambda: {"general": 1})
    dial: str = ""


@dataclass(frozen=True)
class Offer:
    """One caller offered to one agent until `deadline` (epoch seconds)."""

    call_id: str
    agent_id: str
    line: str
    site: str
    dial: str
    deadline: float
    kind: str = "call"  # "call" | "callback"
    callback_number: str = ""
    caller: str = ""
    enqueued_at: float = 0.0
    wait_seconds: float = 0.0
    priority: int = 0
    menu_path: str = ""

    def __post_init__(self):
        object.__setattr__(self, "menu_path", clean_menu_path(self.menu_path))

    @classmethod
    def from_dict(cls, d: dict) -> "Offer":
        casts = {"deadline": float, "enqueued_at": float, "wait_seconds": float,
                 "priority": int}
        return cls(**{k: casts.get(k, str)(d[k]) for k in cls.__dataclass_fields__ if k in d})


@dataclass(frozen=True)
class Abandonment:
    """A caller who hung up while waiting: how long they waited and where they stood."""

    call_id: str
    line: str
    site: str
    wait_seconds: float
    position: int


@dataclass(frozen=True)
class AgentState:
    """An agent's live state; `since` is when the state began (epoch seconds)."""

    agent_id: str
    site: str
    skills: dict[str, int]
    dial: str
    state: str
    since: float
    reason: str | None = None
    call_id: str | None = None
    misses: int = 0
    wrap_until: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class WaitEstimate:
    """An estimated wait and how it was reached: erlang_c | recent_waits | backlog."""

    seconds: float
    method: str
    agents: int = 0
    arrivals_per_hour: float = 0.0
    handle_seconds: float = 0.0


@dataclass(frozen=True)
class QueueStats:
    """Live figures of one (line, site); site or line is "*" in aggregates.

    offered: calls that joined today; offers: times an agent was rung today.
    """

    line: str
    site: str
    waiting: int = 0
    longest_wait: float = 0.0
    agents: dict[str, int] = field(default_factory=dict)
    offered: int = 0
    offers: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_in_target: int = 0
    lost_handler: int = 0
    callbacks_requested: int = 0
    callbacks_connected: int = 0
    callbacks_given_up: int = 0
    wait_sum: float = 0.0
    est_wait: float = 0.0

    @property
    def answered_15s(self) -> int:
        """Answered within the service-level target (answer_target_seconds, 15 s by default)."""
        return self.answered_in_target

    @property
    def avg_wait(self) -> float:
        return self.wait_sum / self.answered if self.answered else 0.0

    def to_dict(self) -> dict:
        return asdict(self) | {"avg_wait": self.avg_wait, "answered_15s": self.answered_15s}


@dataclass(frozen=True)
class Snapshot:
    """Everything a wallboard shows, read atomically at `at` (epoch seconds)."""

    at: float
    day: str
    queues: list[QueueStats]
    agents: list[AgentState]

    def queue(self, line: str, site: str) -> QueueStats | None:
        return next((q for q in self.queues if q.line == line and q.site == site), None)

    def by_line(self) -> list[QueueStats]:
        """One aggregate row per line (site "*")."""
        from callqueue.stats import aggregate

        return aggregate(self.queues, by="line", agents=self.agents)

    def by_site(self) -> list[QueueStats]:
        """One aggregate row per site (line "*")."""
        from callqueue.stats import aggregate

        return aggregate(self.queues, by="site", agents=self.agents)

    def to_dict(self) -> dict:
        return {"at": self.at, "day": self.day,
                "queues": [q.to_dict() for q in self.queues],
                "agents": [a.to_dict() for a in self.agents]}
