"""What the call scripts need, built once per server: machine, queue, CRM intake, timings."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from agi_scripts.pending import Pending
from config.operator import OperatorConfig
from crm.numbers import CallerNumber, normalize, site_for_location
from ivr.machine import Machine
from ivr.settings import MenuSettings

PROMPT_DIR = "hotline"          # sounds/<lang>/hotline/<name>.wav
DTMF_SLICE_MS = 500             # WAIT FOR DIGIT slice while waiting (also the offer latency bound)
LEASE_EVERY_SECONDS = 3.0       # refresh the lease this often (fastagi_lease_seconds: 10)
# A waiting caller keeps its hold music this long while Redis cannot be reached, then goes to
# the fallback queue. Long enough for a Redis restart; short enough that nobody waits blind.
REDIS_OUTAGE_SECONDS = 20.0


@dataclass
class VoiceDeps:
    operator: OperatorConfig
    queue: object               # callqueue.api.CallQueue
    intake: object              # crm.intake.Intake
    clock: Callable[[], float] = time.time
    dtmf_slice_ms: int = DTMF_SLICE_MS
    lease_every_seconds: float = LEASE_EVERY_SECONDS
    redis_outage_seconds: float = REDIS_OUTAGE_SECONDS
    # Set when the server drains (SIGTERM): waiting callers are handed back to the dialplan.
    draining: threading.Event = field(default_factory=threading.Event)
    # Queue changes that failed while Redis was unreachable, retried by the ticker.
    pending: Pending = field(default_factory=Pending)
    prompt_dir: str = PROMPT_DIR
    menu: MenuSettings = field(init=False)
    machine: Machine = field(init=False)

    def __post_init__(self):
        self.menu = MenuSettings.from_config(self.operator)
        self.machine = Machine(self.menu)

    def prompt(self, name: str) -> str:
        return f"{self.prompt_dir}/{name}"

    def caller(self, raw: str) -> CallerNumber:
        return normalize(raw)

    def site_of(self, number: CallerNumber) -> str:
        site = site_for_location(number.location, self.operator.sites.values())
        return site or self.operator.province.id
