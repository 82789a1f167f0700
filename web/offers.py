"""What the agent pop-up shows about an offered call: the offer, the caller's history.

Offers are learnt from the queue's ``offered`` events (kept per agent in this process);
the caller's earlier calls and cases come from the CRM, and every case shown is an audited
read by the agent.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict
from datetime import timedelta

from sqlalchemy import select

from crm import audit
from crm.audit import Actor
from crm.models import Call, Caller, Case, CaseEvent
from crm.numbers import normalize, site_for_location
from crm.types import utcnow
from web.privacy import show_number

HISTORY_ITEMS = 5
READ = "read"  # the audit action of a staff read (crm.cases.read_case)
POPUP = "popup"  # a read event's ``via``: the case was shown in the offered call's pop-up
POPUP_READ_HOURS = 24  # how far back a pop-up read of the same call counts as already written
RECENT_EVENTS_SECONDS = 600
RECENT_EVENTS_MAX = 20_000
OUTCOME_NAMES = {"answered": "已接通", "abandoned": "放弃", "callback": "回拨",
                 "emergency_transfer": "转110", "fallback": "备用队列",
                 "self_service": "自助服务", "lost_handler": "异常中断"}
STATUS_NAMES = {"registered": "已登记", "resolved_on_call": "直接办结", "dispatched": "已派单",
                "signed_for": "已签收", "in_progress": "办理中", "extension_requested": "申请延期",
                "returned": "已退单", "replied": "已回复", "reviewed": "已审核",
                "callback_survey": "待回访", "closed": "已办结", "reopened": "重新办理"}
OFFER_FIELDS = ("call_id", "agent_id", "line", "site", "dial", "deadline", "kind",
                "callback_number", "caller", "enqueued_at", "wait_seconds", "priority",
                "menu_path")


def event_kind(event: dict) -> str:
    return str(event.get("type") or event.get("event") or event.get("kind_of_event") or "")


class OfferBook:
    """agent_id -> the latest offer made to that agent (plain dict).

    The full Offer is taken from the agent's notification list (``wait_offer`` with no
    wait) when its ``offered`` event passes; the ``enqueued`` event supplies the caller
    when another process took the notification first.
    """

    def __init__(self, queue):
        self.queue = queue
        self._offers: dict[str, dict] = {}
        self._lock = threading.Lock()

    def note(self, event: dict) -> None:
        if event_kind(event) == "offered" and event.get("agent_id"):
            self._take(event["agent_id"], event)

    def _take(self, agent_id: str, event: dict) -> None:
        offer = self.queue.wait_offer(agent_id, 0)
        found = asdict(offer) if offer and offer.call_id == event.get("call_id") else \
            {k: event[k] for k in OFFER_FIELDS if k in event}
        with self._lock:
            self._offers[agent_id] = found

    def _known(self, agent_id: str, call_id: str) -> dict | None:
        with self._lock:
            known = self._offers.get(agent_id)
        return known if known and known.get("call_id") == call_id else None

    def offer_for(self, agent_id: str, call_id: str) -> dict:
        known = self._known(agent_id, call_id)
        if known and known.get("caller"):
            return known
        merged = dict(known or {"call_id": call_id})
        start = f"{int((time.time() - RECENT_EVENTS_SECONDS) * 1000)}-0"
        for _id, event in self.queue.read_events(start, RECENT_EVENTS_MAX) or ():
            if event.get("call_id") == call_id and event_kind(event) in ("enqueued", "offered"):
                merged.update({k: v for k, v in event.items() if k in OFFER_FIELDS})
                if event_kind(event) == "enqueued":
                    merged["enqueued_at"] = float(event.get("ts") or 0)
        with self._lock:
            self._offers[agent_id] = merged
        return merged


def _history(db, e164: str | None) -> tuple[list[Call], list[Case]]:
    """The caller's latest calls and cases (none for a withheld or unknown number)."""
    caller_id = db.scalar(select(Caller.id).where(Caller.number == e164)) if e164 else None
    if caller_id is None:
        return [], []
    calls = db.scalars(select(Call).where(Call.caller_id == caller_id)
                       .order_by(Call.arrived_at.desc()).limit(HISTORY_ITEMS)).all()
    cases = db.scalars(select(Case).where(Case.caller_id == caller_id)
                       .order_by(Case.created_at.desc()).limit(HISTORY_ITEMS)).all()
    return list(calls), list(cases)


def caller_history(calls: list[Call], cases: list[Case]) -> dict:
    return {
        "calls": [{"call_id": c.call_id, "arrived_at": c.arrived_at.isoformat(),
                   "line": c.line or "", "outcome": c.outcome,
                   "outcome_name": OUTCOME_NAMES.get(c.outcome, c.outcome)} for c in calls],
        "cases": [{"number": k.number, "status": k.status,
                   "status_name": STATUS_NAMES.get(k.status, k.status), "category": k.category,
                   "title": k.title, "created_at": k.created_at.isoformat()} for k in cases],
    }


def audit_shown(db, actor: Actor, call_id: str, case_ids: list[int]) -> None:
    """A read event per case the pop-up shows, once per agent and call, in the caller's
    transaction (the workstation re-reads the pop-up on every state change)."""
    if not case_ids:
        return
    since = utcnow() - timedelta(hours=POPUP_READ_HOURS)
    earlier = db.execute(select(CaseEvent.case_id, CaseEvent.detail).where(
        CaseEvent.case_id.in_(case_ids), CaseEvent.actor == actor.name,
        CaseEvent.action == READ, CaseEvent.at >= since)).all()
    seen = {cid for cid, detail in earlier if (detail or {}).get("call_id") == call_id}
    for case_id in case_ids:
        if case_id not in seen:
            audit.record(db, actor, READ, case_id, via=POPUP, call_id=call_id)


def popup(db, offer: dict, cfg, role: str, actor: Actor) -> dict:
    """The pop-up: masked number, location, line, menu path, wait, earlier calls and cases.

    Each case shown is a read by ``actor``, audited in ``db``'s transaction."""
    number = normalize(offer.get("caller") or offer.get("callback_number") or "")
    line = cfg.lines.get(offer.get("line", ""))
    calls, cases = _history(db, number.e164)
    audit_shown(db, actor, offer["call_id"], [k.id for k in cases])
    history = caller_history(calls, cases)
    for c in history["calls"]:
        c["line_name"] = cfg.lines[c["line"]].name if c["line"] in cfg.lines else c["line"]
    for k in history["cases"]:
        k["category_name"] = cfg.categories[k["category"]].name \
            if k["category"] in cfg.categories else k["category"]
    menu_path = offer.get("menu_path") or db.scalar(
        select(Call.menu_path).where(Call.call_id == offer["call_id"])) or ""
    return {
        "call_id": offer["call_id"], "kind": offer.get("kind", "call"),
        "caller_masked": show_number(number.e164, role), "location": number.location or "",
        "line": offer.get("line", ""), "line_name": line.name if line else offer.get("line", ""),
        "site": offer.get("site", ""), "menu_path": menu_path,
        "enqueued_at": float(offer.get("enqueued_at") or 0) or None,
        "deadline": float(offer.get("deadline") or 0) or None,
        "suggested_site": site_for_location(number.location, cfg.sites.values())
        or offer.get("site") or None,
        "history": history,
    }
