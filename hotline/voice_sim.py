"""Wiring for `hotline simulate`: an embedded system (Redis, SQLite, FastAGI) or a running one."""

from __future__ import annotations

import contextlib
import dataclasses
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

SIM_WRAP_UP_SECONDS = 1   # the simulation's agents wrap up quickly


@dataclass
class Summary:
    offered: int
    answered: int
    answered_15s: int
    abandoned: int
    callbacks: int
    emergency_transfers: int
    self_service: int
    fallback: int
    lost: int
    connect_failures: int
    calls: int

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def fast_wrap_up(operator):
    """The operator configuration with short wrap-ups, so simulated agents cycle quickly."""
    lines = {k: v.model_copy(update={"wrap_up_seconds": SIM_WRAP_UP_SECONDS})
             for k, v in operator.lines.items()}
    return dataclasses.replace(operator, lines=lines)


@contextlib.contextmanager
def embedded_system(operator, redis_url: str | None = None, database_url: str | None = None):
    """Yield (address, queue, sessions, operator): a FastAGI server on its own Redis and SQLite."""
    from hotline.context import redis_client

    from agi_scripts.deps import VoiceDeps
    from agi_scripts.server import start
    from callqueue.api import CallQueue
    from crm.db import make_engine, make_sessionmaker
    from crm.intake import Intake
    from crm.migrate import upgrade
    from crm.reference import sync_reference
    from hotline.redis_server import EmbeddedRedis

    operator = fast_wrap_up(operator)
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hotline-sim-")))
        if redis_url is None:
            server = EmbeddedRedis(tmp / "redis", appendonly=False).start()
            stack.callback(server.stop)
            redis_url = server.url
        if database_url is None:
            database_url = f"sqlite:///{tmp / 'sim.sqlite3'}"
            upgrade(database_url)
        engine = make_engine(database_url)
        stack.callback(engine.dispose)
        sessions = make_sessionmaker(engine)
        with sessions.begin() as s:
            sync_reference(s, operator)
        client = redis_client(redis_url)
        stack.callback(client.close)
        queue = CallQueue(client, operator)
        deps = VoiceDeps(operator=operator, queue=queue, intake=Intake(sessions, operator))
        running = start(deps, callbacks=False)
        stack.callback(running.stop)
        yield running.server.server_address[:2], queue, sessions, operator, running


def attach_watcher(running, queue, agents) -> None:
    """Callbacks of the embedded system are placed by the simulated dialer (no AMI here)."""
    from agi_scripts.callbacks import CallbackWatcher
    from agi_scripts.sim_agents import SimDialer

    watcher = CallbackWatcher(queue, SimDialer(queue, agents))
    watcher.start()
    running.helpers.append(watcher)


def summarize(tally, sessions, operator) -> Summary:
    """Count outcomes from the CRM: the record of truth. lost = calls without their one row."""
    from crm.models import Call

    rows = {}
    ids = list(tally.call_ids)
    with sessions() as s:
        for chunk in range(0, len(ids), 500):
            part = ids[chunk:chunk + 500]
            for call_id, outcome, wait in s.execute(
                    select(Call.call_id, Call.outcome, Call.wait_seconds)
                    .where(Call.call_id.in_(part))):
                rows[call_id] = (outcome, wait)
    outcomes = [o for o, _ in rows.values()]
    target = operator.queue.answer_target_seconds
    return Summary(
        offered=len(ids),
        answered=outcomes.count("answered"),
        answered_15s=sum(1 for o, w in rows.values() if o == "answered" and (w or 0) <= target),
        abandoned=outcomes.count("abandoned"),
        callbacks=outcomes.count("callback"),
        emergency_transfers=outcomes.count("emergency_transfer"),
        self_service=outcomes.count("self_service"),
        fallback=tally.fallback,
        lost=len(ids) - len(rows),
        connect_failures=tally.connect_failures,
        calls=tally.done,
    )
