"""Queue entries of calls that are over, found and settled when Redis is back after an outage
(and when a server starts): checked against Asterisk's live channels and the CRM.

While Redis was unreachable, a caller may have hung up, or left for the fallback queue, with
no server able to tell the queue. Such an entry leaves matching once its lease lapses; this
settles it at once, so no agent is offered a call that no channel is waiting for.
"""

from __future__ import annotations

import logging
from typing import Callable

from sqlalchemy import select

log = logging.getLogger("hotline.agi.reconcile")
GONE_OUTCOME = "abandoned"  # the channel is gone and the CRM has no row: the caller hung up
ORPHANED = "orphaned"       # the queue's state of a call whose handler's lease lapsed


def settle_plan(held: dict[str, str], live: set[str] | None,
                recorded: dict[str, str]) -> dict[str, str]:
    """call id -> the outcome to finish it with, for each held call that is over.

    A call with its CRM row is over, with that outcome. An orphaned call (no handler has
    refreshed its lease) whose channel Asterisk does not know is over too: its caller hung
    up. A call whose handler is alive is never settled on Asterisk's word (with several
    Asterisk boxes, its channel may be on another). `live` is None when Asterisk could not
    be asked: then only the CRM decides."""
    plan = {}
    for call_id, state in held.items():
        if call_id in recorded:
            plan[call_id] = recorded[call_id]
        elif live is not None and state == ORPHANED and call_id not in live:
            plan[call_id] = GONE_OUTCOME
    return plan


class Reconciler:
    """Settles the queue's held resumable calls that are over (see settle_plan)."""

    def __init__(self, queue, live_channels: Callable[[], set[str] | None],
                 recorded: Callable[[list[str]], dict[str, str]]):
        self.queue, self.live_channels, self.recorded = queue, live_channels, recorded

    def run(self) -> int:
        held = self.queue.held_resumable()
        if not held:
            return 0
        plan = settle_plan(held, self.live_channels(), self.recorded(list(held)))
        for call_id, outcome in plan.items():
            self.queue.finish_caller(call_id, outcome)
            log.warning("call %s was over but still in the queue: settled as %s",
                        call_id, outcome)
        return len(plan)


def recorded_outcomes(sessions) -> Callable[[list[str]], dict[str, str]]:
    """The CRM's outcome of each of these calls that has its row."""
    from crm.models import Call

    def read(call_ids: list[str]) -> dict[str, str]:
        with sessions() as s:
            rows = s.execute(select(Call.call_id, Call.outcome)
                             .where(Call.call_id.in_(call_ids)))
            return {cid: str(getattr(outcome, "value", outcome)) for cid, outcome in rows}
    return read


def asterisk_channels(settings) -> Callable[[], set[str] | None]:
    """The uniqueids of Asterisk's live channels over AMI (CoreShowChannels); None when AMI
    cannot be reached, so that nothing is settled on a guess."""
    from ami.fallback_members import StatusClient

    def read() -> set[str] | None:
        try:
            with StatusClient.from_settings(settings) as client:
                events = client.status_list("CoreShowChannels")
        except Exception as exc:  # AMI down or refused: the CRM alone decides
            log.warning("could not list Asterisk's channels (%s)", type(exc).__name__)
            return None
        if not any(e.get("Event") == "CoreShowChannelsComplete" for e in events):
            return None
        return {e["Uniqueid"] for e in events if e.get("Event") == "CoreShowChannel"}
    return read
