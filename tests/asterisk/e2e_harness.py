"""The hotline end to end on the real Asterisk: our FastAGI server in-process on the real Redis
and a SQLite CRM, simulated citizens and agents as Local channels (extensions_test.conf).

Imported by tests/asterisk/conftest.py (the ``hotline`` fixture) and the test_e2e_* modules.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import select

AGI_GLOBAL = "HOTLINE_AGI"               # extensions.conf [globals]: where FastAGI listens
CITIZEN = "Local/s@test-citizen"         # extensions_test.conf [test-citizen]
INBOUND_CONTEXT = "hotline-inbound"
HOTLINE_NUMBER = "12345"
FALLBACK_QUEUE = "hotline-fallback"
# Test timings: short wrap-up and offer timeout so agents cycle quickly (config copies only).
WRAP_UP_S = 1
OFFER_TIMEOUT_S = 6
ANNOUNCE_EVERY_S = 10
KEY_EVERY_S = 0.7         # a citizen pressing a key again and again


def e2e_operator(operator_config):
    """The operator configuration with the test timings above."""
    lines = {k: v.model_copy(update={"wrap_up_seconds": WRAP_UP_S})
             for k, v in operator_config.lines.items()}
    queue = operator_config.queue.model_copy(update={
        "offer_timeout_seconds": OFFER_TIMEOUT_S, "announce_every_seconds": ANNOUNCE_EVERY_S,
        "max_consecutive_misses": 1})
    return dataclasses.replace(operator_config, lines=lines, queue=queue)


def caller_site(operator) -> str:
    """The site the test callers' numbers (139 8501 ....) belong to."""
    from crm.numbers import normalize, site_for_location

    site = site_for_location(normalize("13985010000").location, operator.sites.values())
    return site or operator.province.id


@dataclass
class Transcript:
    """Every AGI command our server sent, with Asterisk's reply, per channel uniqueid."""

    lines: list[tuple[str, str, str]] = field(default_factory=list)  # (uniqueid, command, reply)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def wrap(self, routes: dict) -> dict:
        return {name: self._recording(script) for name, script in routes.items()}

    def _recording(self, script):
        def run(agi, deps):
            execute, uid = agi.execute, agi.env.get("agi_uniqueid", "")

            def recorded(command, *args, **options):
                text = " ".join([command, *map(str, args)])
                try:
                    result = execute(command, *args, **options)
                except Exception as exc:
                    self._add(uid, text, f"raised {type(exc).__name__}")
                    raise
                self._add(uid, text, _reply_text(result))
                return result
            agi.execute = recorded
            script(agi, deps)
        return run

    def _add(self, uid: str, command: str, reply: str) -> None:
        with self.lock:
            self.lines.append((uid, command, reply))

    def of(self, uid: str) -> list[tuple[str, str]]:
        with self.lock:
            return [(c, r) for u, c, r in self.lines if u == uid]


def _reply_text(result: dict) -> str:
    value, data = result.get("result", ("", ""))
    return f"result={value}" + (f" ({data})" if data else "")


class Hotline:
    """One FastAGI server of ours wired to the session's Asterisk, a Redis and a CRM."""

    def __init__(self, env, ami, events, redis_client, sessions, operator, settings):
        from agi_scripts.deps import VoiceDeps
        from callqueue.api import CallQueue
        from crm.intake import Intake

        self.env, self.ami, self.events = env, ami, events
        self.sessions, self.operator, self.settings = sessions, operator, settings
        self.queue = CallQueue(redis_client, operator)
        self.redis = redis_client
        self.deps = VoiceDeps(operator=operator, queue=self.queue,
                              intake=Intake(sessions, operator))
        self.site = caller_site(operator)
        self.transcript = Transcript()
        self.running = None
        self.agents: list[str] = []

    # --- our server ------------------------------------------------------------------------
    def start_server(self) -> "Hotline":
        from agi_scripts.callbacks import CallbackWatcher
        from agi_scripts.scripts import ROUTES
        from agi_scripts.server import FastAgiServer, Running, Ticker
        from ami.callbacks import AmiDialer
        from ami.client import AmiClient

        server = FastAgiServer(("127.0.0.1", 0), self.deps, self.transcript.wrap(ROUTES))
        dialer = AmiDialer(lambda: AmiClient.from_settings(self.settings),
                           self.queue.callback_result)
        watcher = CallbackWatcher(self.queue, dialer)
        self._dialer = dialer
        self.running = Running(server, [Ticker(self.queue), watcher]).start()
        self.env.cli(f"dialplan set global {AGI_GLOBAL} agi://{self.running.address}")
        return self

    def stop_server(self) -> None:
        if self.running is not None:
            self.running.stop()
            self._dialer.close()
            self.running = None

    # --- people ----------------------------------------------------------------------------
    def agent(self, ext: str, behaviour: str = "1:3", ready: bool = True) -> str:
        """Log in agent a<ext>, rung at Local/<ext>@test-agent, which behaves as told
        (``<answer delay>:<talk seconds>`` or ``never``). Returns the agent id."""
        from callqueue.models import AgentInfo

        self.env.cli(f"database put test-agent {ext} {behaviour}")
        agent_id = f"a{ext}"
        skills = {line: 1 for line in self.operator.lines}
        self.queue.login(AgentInfo(agent_id, self.site, skills, f"Local/{ext}@test-agent"))
        self.agents.append(agent_id)
        if ready:
            self.queue.set_ready(agent_id)
        return agent_id

    def call(self, script: str, caller: str = "13985010000", number: str = HOTLINE_NUMBER,
             variables: dict | None = None) -> str:
        """A citizen calls ``number``; returns the Originate ActionID."""
        return self.ami.originate(CITIZEN, context=INBOUND_CONTEXT, exten=number,
                                  caller_id=f"{caller} <{caller}>",
                                  variables={"__CITIZEN_SCRIPT": script, **(variables or {})})

    def citizen_channel(self, action_id: str, timeout: float = 15.0) -> str:
        """The hotline side (;1) of the citizen's call: its Uniqueid is our call id."""
        return self.answered(action_id, timeout)["Channel"]

    def answered(self, action_id: str, timeout: float = 15.0) -> dict:
        return self.events.wait_for("OriginateResponse", timeout=timeout, ActionID=action_id,
                                    Response="Success")

    def press(self, channel: str, digit: str) -> None:
        """The citizen presses a key (DTMF written by the citizen's side of the call)."""
        citizen_side = channel.rsplit(";", 1)[0] + ";2"
        self.ami.action("PlayDTMF", Channel=citizen_side, Digit=digit, Duration="250")

    def press_until(self, channel: str, digit: str, done, timeout: float = 60.0):
        """Press ``digit`` every KEY_EVERY_S until ``done()`` is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = done()
            if value:
                return value
            try:
                self.press(channel, digit)
            except Exception:
                pass  # the call ended between two presses: done() tells
            time.sleep(KEY_EVERY_S)
        raise AssertionError(f"pressing {digit} on {channel}: nothing within {timeout}s")

    # --- what the CRM and the queue say ------------------------------------------------------
    def call_row(self, call_id: str):
        from crm.models import Call

        with self.sessions() as s:
            return s.scalar(select(Call).where(Call.call_id == call_id))

    def wait_row(self, call_id: str, timeout: float = 60.0):
        return wait_for(lambda: self.call_row(call_id), timeout, f"no Call row for {call_id}")

    def rows(self) -> list:
        from crm.models import Call

        with self.sessions() as s:
            return list(s.scalars(select(Call)))

    def import_fallback(self):
        """`hotline asterisk import-cdr` on the root's queue_log and CDR: the ImportReport."""
        from crm.cdr_import import import_fallback_calls

        return import_fallback_calls(self.sessions, self.operator,
                                     self.env.asterisk_log("queue_log"),
                                     self.env.asterisk_log("cdr-csv/Master.csv"))

    def wait_imported(self, call_id: str, timeout: float = 15.0):
        """The import report once it holds ``call_id`` (queue_log is written at the call's end)."""
        def imported():
            report = self.import_fallback()
            return report if call_id in report.call_ids else None
        return wait_for(imported, timeout, f"the fallback call {call_id} in queue_log")

    def queue_events(self, kind: str, **fields) -> list[dict]:
        return [f for _, f in self.queue.read_events("0-0", count=100_000)
                if f.get("type") == kind and all(f.get(k) == v for k, v in fields.items())]

    def dump(self) -> None:
        for uid, command, reply in self.transcript.lines:
            print(uid, command[:100], "->", reply[:60])
        for _, fields in self.queue.read_events("0-0", count=100_000):
            print(fields)

    def close(self) -> None:
        self.stop_server()
        for agent_id in self.agents:
            try:
                self.queue.logout(agent_id)
            except Exception:
                pass


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} within {timeout}s")
        time.sleep(0.1)
