"""Turn a finished call's sheet into its one CRM row (through crm.intake) and tell the queue."""

from __future__ import annotations

import logging

from agi_scripts.sheet import to_datetime
from crm.calls import CallRecord
from crm.enums import CallOutcome, Channel, Rating

log = logging.getLogger("hotline.agi.recording")
# abandon() and request_callback() count their own outcomes; an answer is reported here.
REPORTED_TO_QUEUE = {CallOutcome.ANSWERED}


def build_record(flow, outcome: str, rating: str | None) -> CallRecord:
    sheet, deps = flow.sheet, flow.deps
    now = deps.clock()
    queued = to_datetime(sheet.queued)
    answered = to_datetime(sheet.answered) if outcome == CallOutcome.ANSWERED else None
    return CallRecord(
        call_id=sheet.call_id,
        channel=Channel.ASTERISK,
        caller_raw=flow.caller_raw[:64],
        arrived_at=to_datetime(sheet.arrived or now),
        outcome=CallOutcome(outcome),
        dnid=flow.dnid[:32],
        line=sheet.state.line or None,
        site_id=flow.site,
        menu_path=sheet.path_text(),
        queued_at=queued,
        offered_at=to_datetime(sheet.offered),
        answered_at=answered,
        ended_at=to_datetime(now),
        agent=flow.last_agent or None,
        rating=Rating(rating) if rating else None,
        callback_number=sheet.callback_number or None,
    )


def finish(flow, outcome: str, rating: str | None) -> None:
    rec = build_record(flow, outcome, rating)
    flow.deps.intake.finish_call(rec, repeat_days=max(flow.deps.menu.repeat_caller_days, 1))
    if rec.outcome not in REPORTED_TO_QUEUE or rec.queued_at is None:
        return
    try:
        flow.deps.queue.finish_caller(rec.call_id, str(rec.outcome))
    except Exception:
        log.exception("queue finish_caller failed for %s", rec.call_id)
