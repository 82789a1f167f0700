"""Record the calls the app_queue fallback carried while our FastAGI server was down.

Such calls never reached our scripts, so they have no Call row. Asterisk still wrote them
down: queue_log (ENTERQUEUE, CONNECT, COMPLETE*/ABANDON/EXIT* by call uniqueid) and the CDR
CSV (caller, dialled number, start). Each fallback call becomes exactly one Call row with
outcome ``fallback``; importing again changes nothing (record_call is idempotent on call_id).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from crm.calls import CallRecord, record_call
from crm.enums import CallOutcome, Channel
from crm.numbers import site_for_location

FALLBACK_QUEUE = "hotline-fallback"   # asterisk_conf/queues.conf
FALLBACK_PATH = "fallback"            # the Call row's menu_path: no menu was heard
# cdr_csv column order with loguniqueid=yes and loguserfield=yes (asterisk_conf/cdr.conf).
CDR_COLUMNS = ("accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel",
               "lastapp", "lastdata", "start", "answer", "end", "duration", "billsec",
               "disposition", "amaflags", "uniqueid", "userfield")
CDR_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # usegmtime=yes: UTC
ENDING_EVENTS = {"COMPLETEAGENT", "COMPLETECALLER", "ABANDON", "EXITWITHTIMEOUT",
                 "EXITEMPTY", "EXITWITHKEY"}
MAX_FIELD = 64
ASCII_DIGITS = frozenset("0123456789")  # not str.isdigit(): that accepts ٣ and ²


@dataclass
class QueuedCall:
    """One caller's stay in the fallback queue, from queue_log."""

    call_id: str
    entered: datetime | None = None
    caller: str = ""
    connected: datetime | None = None
    agent: str = ""
    ended: datetime | None = None
    end_event: str = ""


@dataclass
class ImportReport:
    seen: int = 0
    created: int = 0
    existing: int = 0
    call_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"seen": self.seen, "created": self.created, "existing": self.existing}


def _epoch(text: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(text), timezone.utc)
    except (ValueError, OverflowError, OSError):
        return None


def read_queue_log(path: Path, queue: str = FALLBACK_QUEUE) -> dict[str, QueuedCall]:
    """Calls of ``queue`` by uniqueid: time|callid|queue|agent|event|data1|data2|..."""
    calls: dict[str, QueuedCall] = {}
    if not path.exists():
        return calls
    for line in path.read_text(errors="replace").splitlines():
        parts = line.split("|")
        if len(parts) < 5 or parts[2] != queue or not parts[1] or parts[1] == "NONE":
            continue
        at, call_id, _, agent, event = parts[:5]
        call = calls.setdefault(call_id[:MAX_FIELD], QueuedCall(call_id[:MAX_FIELD]))
        when = _epoch(at)
        if event == "ENTERQUEUE":
            call.entered = when
            call.caller = (parts[6] if len(parts) > 6 else "")[:MAX_FIELD]
        elif event == "CONNECT":
            call.connected, call.agent = when, agent[:MAX_FIELD]
        elif event in ENDING_EVENTS:
            call.ended, call.end_event = when, event
    return calls


def read_cdrs(path: Path) -> dict[str, dict[str, str]]:
    """The first CDR row of each uniqueid (the caller's leg), keyed by uniqueid."""
    rows: dict[str, dict[str, str]] = {}
    if path is None or not path.exists():
        return rows
    with open(path, newline="", errors="replace") as handle:
        for values in csv.reader(handle):
            row = dict(zip(CDR_COLUMNS, values))
            if row.get("uniqueid"):
                rows.setdefault(row["uniqueid"], row)
    return rows


def _cdr_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, CDR_TIME_FORMAT).replace(tzinfo=timezone.utc)
    except (ValueError, TypeError):
        return None


def to_record(call: QueuedCall, cdr: dict[str, str] | None) -> CallRecord:
    cdr = cdr or {}
    arrived = _cdr_time(cdr.get("start", "")) or call.entered or call.ended
    dnid = "".join(ch for ch in cdr.get("dst", "") if ch in ASCII_DIGITS)[:32]
    return CallRecord(
        call_id=call.call_id, channel=Channel.ASTERISK,
        caller_raw=(cdr.get("src") or call.caller)[:MAX_FIELD],
        arrived_at=arrived, outcome=CallOutcome.FALLBACK, dnid=dnid, menu_path=FALLBACK_PATH,
        queued_at=call.entered, offered_at=call.connected, answered_at=call.connected,
        ended_at=call.ended or _cdr_time(cdr.get("end", "")), agent=call.agent or None,
        extra={"queue_end": call.end_event},
    )


def import_fallback_calls(sessions, operator, queue_log: Path, cdr_csv: Path | None = None,
                          queue: str = FALLBACK_QUEUE) -> ImportReport:
    """One Call row (outcome fallback) per finished call of the fallback queue; idempotent."""
    cdrs = read_cdrs(cdr_csv) if cdr_csv is not None else {}
    report = ImportReport()

    def site_of(location):
        return site_for_location(location, operator.sites.values())

    for call in read_queue_log(queue_log, queue).values():
        if call.ended is None:
            continue  # still in the queue or talking: imported once it has ended
        rec = to_record(call, cdrs.get(call.call_id))
        if rec.arrived_at is None:
            continue
        report.seen += 1
        with sessions.begin() as session:
            _, created = record_call(session, rec, site_of=site_of)
        report.created += int(created)
        report.existing += int(not created)
        report.call_ids.append(call.call_id)
    return report
