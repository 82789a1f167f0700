"""Call control the web asks for (transfers, three-way calls, listening in, survey calls)
behind one interface.

The production implementation goes over AMI through the ``ami`` package. When that package
or Asterisk is not available the routes answer 503 with a clear message instead of failing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from web.errors import TelephonyUnavailable

log = logging.getLogger("hotline.web.telephony")


class Telephony(Protocol):
    def transfer(self, *, call_id: str, agent_dial: str, target: str) -> None:
        """Blind-transfer the caller of ``call_id`` to ``target`` (expert seat, 110)."""

    def three_way(self, *, call_id: str, agent_dial: str, target: str) -> None:
        """Bring ``target`` into the call: caller, agent and target together."""

    def end_seat(self, dial: str) -> None:
        """Hang up every channel of the seat ``dial`` (e.g. ``PJSIP/8001``)."""

    def spy(self, *, supervisor_dial: str, agent_dial: str, whisper: bool) -> None:
        """Ring the supervisor's phone and ChanSpy on the agent (whisper: agent hears too)."""

    def place_survey(self, case_number: str, citizen_number: str) -> None:
        """Ring the citizen; once answered, run the case_survey AGI script for the case."""

    def status(self) -> "TelephonyStatus":
        """Whether call control reaches Asterisk now, and if not, why."""


@dataclass(frozen=True)
class TelephonyStatus:
    connected: bool
    reason: str = ""

    def as_dict(self) -> dict:
        return {"connected": self.connected, "reason": self.reason,
                "label": "话务系统已连接" if self.connected else "话务系统未连接"}


class NoTelephony:
    """Used when AMI cannot be reached: every action is refused with 503."""

    def __init__(self, why: str):
        self.why = why

    def _refuse(self, *_, **__):
        raise TelephonyUnavailable(f"话务控制不可用 (call control unavailable: {self.why})")

    transfer = three_way = spy = place_survey = end_seat = _refuse

    def status(self) -> TelephonyStatus:
        return TelephonyStatus(False, self.why)


def load_telephony(ctx) -> Telephony:
    """The AMI adapter if the ``ami`` package provides one, else NoTelephony."""
    try:
        from web.ami_bridge import AmiTelephony
    except ImportError as exc:
        log.warning("no AMI adapter: transfers and listening are disabled (%s)", exc)
        return NoTelephony("the ami package is not installed")
    return AmiTelephony(ctx)
