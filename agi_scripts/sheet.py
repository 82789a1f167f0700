"""A call's running record (ivr state and times), kept in one channel variable between scripts.

Only our own tokens go in; everything is filtered again when read back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ivr.model import Phase, State

VERSION = "v1"
SEP = "|"
PATH_SEP = ">"
MAX_PATH_TOKENS = 40
_SAFE = re.compile(r"[^A-Za-z0-9_:.\-]")


def safe(text: str, limit: int = 64) -> str:
    return _SAFE.sub("", str(text))[:limit]


@dataclass
class CallSheet:
    call_id: str
    state: State = field(default_factory=State)
    arrived: float = 0.0
    queued: float = 0.0
    offered: float = 0.0
    answered: float = 0.0
    callback_number: str = ""

    def dump(self) -> str:
        s = self.state
        path = PATH_SEP.join(safe(t, 40) for t in s.path[-MAX_PATH_TOKENS:])
        parts = [VERSION, safe(self.call_id), s.phase.value, safe(s.menu), path, safe(s.line),
                 str(int(s.priority)), "1" if s.caller_known else "0", safe(s.repeat_case),
                 str(int(s.invalid)), safe(s.agent), "1" if s.heard_status else "0",
                 *(f"{t:.3f}" for t in (self.arrived, self.queued, self.offered, self.answered))]
        return SEP.join(parts)

    @classmethod
    def load(cls, text: str) -> "CallSheet | None":
        """The sheet written by dump(), or None when absent or not ours."""
        parts = text.split(SEP)
        if len(parts) != 16 or parts[0] != VERSION:
            return None
        try:
            state = State(
                phase=Phase(parts[2]), menu=safe(parts[3]),
                path=tuple(safe(t, 40) for t in parts[4].split(PATH_SEP) if t)[:MAX_PATH_TOKENS],
                line=safe(parts[5]), priority=int(parts[6]), caller_known=parts[7] == "1",
                repeat_case=safe(parts[8]), invalid=int(parts[9]), agent=safe(parts[10]),
                heard_status=parts[11] == "1",
            )
            times = [float(p) for p in parts[12:16]]
        except ValueError:
            return None
        return cls(safe(parts[1]), state, *times)

    def path_text(self) -> str:
        return PATH_SEP.join(self.state.path)[:200]


def to_datetime(epoch: float) -> datetime | None:
    return datetime.fromtimestamp(epoch, timezone.utc) if epoch > 0 else None
