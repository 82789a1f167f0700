"""One Twilio call's state between webhooks, kept in Redis as JSON and changed under a lock."""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime

from redis.exceptions import LockError

from ivr.model import Phase, State
from web.twilio import keys

CALL_TTL_SECONDS = 24 * 3600      # a finished call's state outlives any webhook replay
LOCK_TIMEOUT_SECONDS = 20         # longer than one REST request to Twilio
LOCK_WAIT_SECONDS = 10
_TIMES = ("arrived_at", "queued_at", "offered_at", "answered_at", "ended_at")
PATH_SEP = ">"  # as agi_scripts writes menu paths: the Call rows and offers look the same


@dataclass
class TwilioCall:
    """What the menu state machine does not hold: who called, when each step happened."""

    sid: str
    caller: str
    dnid: str
    site: str
    arrived_at: datetime
    ivr: State = field(default_factory=State)
    queued_at: datetime | None = None
    offered_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    agent: str = ""
    dial: str = ""
    accepted: bool = False
    emergency: str = ""
    outcome: str = ""
    rating: str | None = None
    callback_number: str | None = None
    recorded: bool = False
    gone_turns: int = 0

    @property
    def phase(self) -> Phase:
        return self.ivr.phase

    @property
    def menu_path(self) -> str:
        return PATH_SEP.join(self.ivr.path)

    def to_json(self) -> str:
        data = asdict(self)
        for name in _TIMES:
            value = getattr(self, name)
            data[name] = value.isoformat() if value else None
        data["ivr"] = {**asdict(self.ivr), "phase": str(self.ivr.phase), "path": list(self.ivr.path)}
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> "TwilioCall":
        data = json.loads(text)
        for name in _TIMES:
            data[name] = datetime.fromisoformat(data[name]) if data[name] else None
        ivr = data.pop("ivr")
        ivr["phase"], ivr["path"] = Phase(ivr["phase"]), tuple(ivr["path"])
        return cls(ivr=State(**ivr), **data)


class CallStore:
    """Load, save and lock TwilioCall records in Redis."""

    def __init__(self, redis):
        self.redis = redis

    def load(self, sid: str) -> TwilioCall | None:
        text = self.redis.get(keys.call(sid))
        return TwilioCall.from_json(text) if text else None

    def save(self, call: TwilioCall) -> None:
        self.redis.set(keys.call(call.sid), call.to_json(), ex=CALL_TTL_SECONDS)

    def create(self, call: TwilioCall) -> bool:
        """Store a new call; False when Twilio retried the first webhook and it exists."""
        return bool(self.redis.set(keys.call(call.sid), call.to_json(), nx=True,
                                   ex=CALL_TTL_SECONDS))

    @contextmanager
    def locked(self, sid: str):
        """Serialise webhooks and the agent bridge on one call (redis-py's Lock)."""
        lock = self.redis.lock(keys.call_lock(sid), timeout=LOCK_TIMEOUT_SECONDS,
                               blocking_timeout=LOCK_WAIT_SECONDS)
        if not lock.acquire():
            raise TimeoutError(f"call {sid} is locked")
        try:
            yield
        finally:
            try:
                lock.release()
            except LockError:  # expired while we held it: nothing left to release
                pass
