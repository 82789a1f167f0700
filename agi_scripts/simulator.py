"""`hotline simulate`: concurrent citizens through the FastAGI server, agents through CallQueue.

Each citizen is a fake Asterisk channel (agi_scripts.fake_asterisk) that runs the same
dialplan loop as asterisk_conf/extensions.conf: menu -> Dial -> after_dial -> ... .
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from agi_scripts import channel_vars as cv
from agi_scripts.citizen import Citizen, Plan
from agi_scripts.fake_asterisk import SimChannel
from agi_scripts.sim_agents import SimAgents

LEGACY_SHARE = 0.1
WITHHELD_SHARE = 0.1
CALLER_POOL = 400      # distinct numbers, so some callers call again (repeat callers)


@dataclass
class SimConfig:
    calls: int = 300
    concurrency: int = 100
    agents: int = 25
    duration: float = 40.0          # seconds over which calls arrive
    mean_patience: float = 20.0
    seed: int = 12345


@dataclass
class Tally:
    placed: int = 0
    done: int = 0
    fallback: int = 0
    connect_failures: int = 0
    emergency: int = 0
    call_ids: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts) -> None:
        with self.lock:
            for key, n in counts.items():
                setattr(self, key, getattr(self, key) + n)


def _caller(rng: random.Random) -> str:
    if rng.random() < WITHHELD_SHARE:
        return "unknown"
    return f"1398501{rng.randrange(CALLER_POOL):04d}"


def _site_of_callers(operator) -> str:
    """The site our simulated mobile numbers (139 8501 ....) geocode to."""
    from crm.numbers import normalize, site_for_location

    site = site_for_location(normalize("13985010000").location, operator.sites.values())
    return site or operator.province.id


def _dnid(rng: random.Random, legacy: list[str]) -> str:
    return rng.choice(legacy) if legacy and rng.random() < LEGACY_SHARE else "12345"


def run_call(address, call_id: str, caller: str, dnid: str, citizen: Citizen,
             agents: SimAgents, tally: Tally) -> None:
    """The dialplan of [hotline-inbound], as a loop over AGI results."""
    ch = SimChannel(address, call_id, caller, dnid, citizen)
    status = ch.agi("menu")
    while True:
        if status != "SUCCESS" or ch.vars.get(cv.DONE) != cv.DONE_VALUE:
            tally.add(fallback=1, connect_failures=int(status != "SUCCESS"))
            return
        nxt = ch.vars.get(cv.NEXT, "")
        ch.vars[cv.DONE] = ""
        if nxt == cv.NEXT_EMERGENCY:
            tally.add(emergency=1)
            return
        if nxt == cv.NEXT_FALLBACK:
            tally.add(fallback=1)
        if nxt != cv.NEXT_DIAL:
            return
        if not ch.dead:  # a channel that hung up goes straight to h, never to Dial
            agents.dial(ch, citizen)
        if ch.dead:  # the h extension: settle the call unless a script already recorded it
            if ch.vars.get(cv.RECORDED) != cv.RECORDED_VALUE:
                ch.agi("after_dial", extension="h")
            return
        status = ch.agi("after_dial")


class Simulation:
    def __init__(self, address: tuple[str, int], queue, operator, cfg: SimConfig,
                 known_cases: list[str] | None = None):
        self.address, self.queue, self.cfg = address, queue, cfg
        self.rng = random.Random(cfg.seed)
        self.legacy = sorted(operator.legacy_numbers)
        self.agents = SimAgents(address, queue, operator, cfg.agents, random.Random(cfg.seed + 1))
        self.agents.home_site = _site_of_callers(operator)
        self.known_cases = known_cases or []
        self.tally = Tally()
        self.run_tag = f"sim{int(time.time() * 1000) % 10**9}"

    def _one(self, i: int, plan: Plan, caller: str, dnid: str) -> None:
        call_id = f"{self.run_tag}.{i}"
        with self.tally.lock:
            self.tally.call_ids.append(call_id)
        try:
            run_call(self.address, call_id, caller, dnid, Citizen(plan), self.agents, self.tally)
        finally:
            self.tally.add(done=1)

    def run(self, on_progress=None) -> Tally:
        cfg = self.cfg
        self.agents.start()
        gap = cfg.duration / max(cfg.calls, 1)
        try:
            with ThreadPoolExecutor(max_workers=cfg.concurrency) as pool:
                for i in range(cfg.calls):
                    plan = Plan.random(self.rng, cfg.mean_patience, self.known_cases)
                    pool.submit(self._one, i, plan, _caller(self.rng), _dnid(self.rng, self.legacy))
                    self.tally.add(placed=1)
                    if on_progress:
                        on_progress(self.tally)
                    time.sleep(gap)
                while self.tally.done < cfg.calls:
                    if on_progress:
                        on_progress(self.tally)
                    time.sleep(0.2)
        finally:
            self.agents.stop()
        return self.tally
