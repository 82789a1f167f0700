"""`hotline simulate --asterisk`: the same load, through the real Asterisk instead of the
built-in peer. Citizens are Local channels originated over AMI into [hotline-inbound]
(extensions_test.conf [test-citizen] presses their keys); agents are Local channels
([test-agent]) logged in to the queue; our embedded FastAGI server runs the calls.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time

from sqlalchemy import select

from agi_scripts.simulator import CALLER_POOL, Tally

CITIZEN = "Local/s@test-citizen"
AGENT_EXT_BASE = 8700
AGENT_BEHAVIOUR = "1:3"       # answer after 1 s, talk 3 s (AstDB test-agent/<ext>)
MENU_SECONDS = 10             # the welcome and the menu, before a silent caller is queued
SETTLE_SECONDS = 180          # after the last call: time for the rest to end and be recorded
POLL_SECONDS = 0.5
ORIGINATE_TIMEOUT = 30.0


def citizen_script(rng: random.Random, mean_patience: float) -> str:
    """[test-citizen] steps: wait for a person, press 0 or 9, or hang up while waiting."""
    patience = int(MENU_SECONDS + rng.expovariate(1.0 / mean_patience)) + 1
    roll = rng.random()
    if roll < 0.1:
        return "w1:d9:w10:h"
    if roll < 0.2:
        return f"w1:d0:w{patience}:h"
    return f"w{patience}:h"


class AsteriskSimulation:
    """Places cfg.calls calls at most cfg.concurrency at a time; rows come from the CRM."""

    def __init__(self, env, ami, events, queue, sessions, operator, cfg):
        self.env, self.ami, self.events = env, ami, events
        self.queue, self.sessions, self.operator, self.cfg = queue, sessions, operator, cfg
        self.rng = random.Random(cfg.seed)
        self.legacy = sorted(operator.legacy_numbers)
        self.tally = Tally()
        self._pending: dict[str, float] = {}   # Originate ActionID -> placed at
        self._lock = threading.Lock()

    def start_agents(self, site: str) -> list[str]:
        from callqueue.models import AgentInfo

        ids = []
        skills = {line: 1 for line in self.operator.lines}
        for i in range(self.cfg.agents):
            ext = AGENT_EXT_BASE + i
            self.env.cli(f"database put test-agent {ext} {AGENT_BEHAVIOUR}")
            self.queue.login(AgentInfo(f"ast{ext}", site, skills, f"Local/{ext}@test-agent"))
            self.queue.set_ready(f"ast{ext}")
            ids.append(f"ast{ext}")
        return ids

    def _caller(self) -> str:
        return f"1398501{self.rng.randrange(CALLER_POOL):04d}"

    def _number(self) -> str:
        return self.rng.choice(self.legacy) if self.legacy and self.rng.random() < 0.1 else "12345"

    def _place(self) -> None:
        caller = self._caller()
        try:
            action = self.ami.originate(
                CITIZEN, context="hotline-inbound", exten=self._number(),
                caller_id=f"{caller} <{caller}>",
                variables={"__CITIZEN_SCRIPT": citizen_script(self.rng, self.cfg.mean_patience)})
        except Exception:
            self.tally.add(connect_failures=1, done=1)
            return
        with self._lock:
            self._pending[action] = time.monotonic()
        self.tally.add(placed=1)

    def _collect(self) -> None:
        """Originate results: the hotline side's Uniqueid is the call id."""
        with self._lock:
            pending = list(self._pending.items())
        for action, placed in pending:
            got = self.events.matching("OriginateResponse", ActionID=action)
            if not got and time.monotonic() - placed < ORIGINATE_TIMEOUT:
                continue
            with self._lock:
                self._pending.pop(action, None)
            if got and got[0].get("Response") == "Success":
                with self.tally.lock:
                    self.tally.call_ids.append(got[0]["Uniqueid"])
            else:
                self.tally.add(connect_failures=1, done=1)

    def _count_done(self) -> None:
        from crm.models import Call

        ids = list(self.tally.call_ids)
        with self.sessions() as s:
            rows = dict(s.execute(select(Call.call_id, Call.outcome)
                                  .where(Call.call_id.in_(ids))).all()) if ids else {}
        failed = self.tally.connect_failures
        with self.tally.lock:
            self.tally.done = len(rows) + failed
            self.tally.emergency = sum(1 for o in rows.values() if o == "emergency_transfer")
            self.tally.fallback = sum(1 for o in rows.values() if o == "fallback")

    def _active(self) -> int:
        return self.tally.placed - (self.tally.done - self.tally.connect_failures)

    def run(self, on_progress=None) -> Tally:
        cfg, gap = self.cfg, self.cfg.duration / max(self.cfg.calls, 1)
        for _ in range(cfg.calls):
            while self._active() >= cfg.concurrency:
                self._tick(on_progress)
            self._place()
            self._tick(on_progress, gap)
        deadline = time.monotonic() + SETTLE_SECONDS
        while self.tally.done < cfg.calls and time.monotonic() < deadline:
            self._tick(on_progress)
        self._collect()
        return self.tally

    def _tick(self, on_progress, pause: float = POLL_SECONDS) -> None:
        time.sleep(pause)
        self._collect()
        self._count_done()
        if on_progress:
            on_progress(self.tally)


def _site_of_callers(operator) -> str:
    from agi_scripts.simulator import _site_of_callers as site_of

    return site_of(operator)


@contextlib.contextmanager
def asterisk_simulation(ctx, cfg, log=print):
    """Yield (simulation, sessions, operator): Asterisk up with the test contexts, our
    embedded FastAGI server (own Redis and SQLite) behind it, agents logged in."""
    from agi_scripts.callbacks import CallbackWatcher
    from ami.callbacks import AmiDialer
    from ami.client import AmiClient
    from ami.events import EventLog
    from hotline.asterisk_env import AsteriskEnv, agi_url_from_bind
    from hotline.cmd_asterisk import build_prompts_with_progress
    from hotline.voice_sim import embedded_system

    settings = ctx.settings
    env = AsteriskEnv.from_settings(settings, include_test=True)
    started = env.running_pid() is None
    build_prompts_with_progress(settings)
    log(f"Asterisk {env.up(log=log)} in {env.root}")
    with contextlib.ExitStack() as stack:
        if started:
            stack.callback(env.down)
        address, queue, sessions, operator, running = stack.enter_context(
            embedded_system(ctx.operator))
        env.cli(f"dialplan set global HOTLINE_AGI agi://{address[0]}:{address[1]}")
        stack.callback(env.cli, "dialplan set global HOTLINE_AGI "
                       + agi_url_from_bind(settings.fastagi_bind))
        ami = stack.enter_context(AmiClient.from_settings(settings))
        events = EventLog().attach(ami)
        dialer = AmiDialer(lambda: AmiClient.from_settings(settings), queue.callback_result)
        stack.callback(dialer.close)
        watcher = CallbackWatcher(queue, dialer)
        watcher.start()
        running.helpers.append(watcher)
        sim = AsteriskSimulation(env, ami, events, queue, sessions, operator, cfg)
        agents = sim.start_agents(_site_of_callers(operator))
        stack.callback(_logout, queue, agents)
        yield sim, sessions, operator


def _logout(queue, agents) -> None:
    for agent_id in agents:
        try:
            queue.logout(agent_id)
        except Exception:
            pass
