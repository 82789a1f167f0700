"""Eight threads on one line at once: callers, agents and a sweeper; the invariants hold."""

from __future__ import annotations

import random
import threading
import time

import redis as redis_lib
from queue_helpers import with_wrap_up

from callqueue.api import CallQueue
from callqueue.models import AgentInfo, WaitingEntry

LINE, SITE = "market", "guiyang"
CALLERS, AGENTS, CALLS_EACH = 4, 3, 25


def test_eight_threads_on_one_line(redis_server, redis_client, operator_config):
    config = with_wrap_up(operator_config, 0)
    errors: list[BaseException] = []
    stop = threading.Event()

    def queue() -> CallQueue:
        client = redis_lib.Redis.from_url(redis_server.url, decode_responses=True)
        return CallQueue(client, config)

    def guarded(fn):
        def run(*args):
            try:
                fn(*args)
            except BaseException as exc:  # noqa: BLE001 - reported by the test below
                errors.append(exc)
        return run

    @guarded
    def caller(n: int) -> None:
        q, rnd = queue(), random.Random(n)
        for i in range(CALLS_EACH):
            cid = f"t{n}-c{i}"
            q.enqueue(WaitingEntry(cid, LINE, SITE, priority=rnd.choice([0, 0, 1])))
            if rnd.random() < 0.15:
                q.abandon(cid)
                continue
            if rnd.random() < 0.1:
                q.request_callback(cid, "+8613900000001")
                continue
            while q.wait_assignment(cid, timeout=0.2) is None:
                if not q.refresh_lease(cid):
                    break

    @guarded
    def agent(n: int) -> None:
        q, rnd, aid = queue(), random.Random(100 + n), f"a{n}"
        q.login(AgentInfo(aid, SITE, {LINE: 1}, dial=f"PJSIP/{aid}"))
        q.set_ready(aid)
        while not stop.is_set():
            offer = q.wait_offer(aid, timeout=0.1)
            if offer is None:
                if q.agent(aid).state in ("paused", "wrap_up"):  # ends a rest after a miss
                    q.set_ready(aid)
                continue
            if rnd.random() < 0.2:
                q.miss(aid, offer.call_id, reason="rejected")
                continue
            if q.accept(aid, offer.call_id):
                if offer.kind == "callback":
                    q.callback_result(offer.call_id, ok=True)
                q.hangup(aid, offer.call_id)

    @guarded
    def sweeper() -> None:
        q = queue()
        while not stop.is_set():
            q.tick()
            time.sleep(0.02)

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(CALLERS)]
    workers = [threading.Thread(target=agent, args=(n,)) for n in range(AGENTS)]
    workers.append(threading.Thread(target=sweeper))
    for t in threads + workers:
        t.start()
    for t in threads:
        t.join(120)
    q = queue()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # callbacks may still be pending
        snap = q.snapshot().queue(LINE, SITE)
        if snap.waiting == 0 and all(a.state in ("ready", "paused") for a in q.snapshot().agents):
            break
        time.sleep(0.05)
    stop.set()
    for t in workers:
        t.join(30)
    assert not errors, errors

    evs = [f for _id, f in q.read_events(count=1_000_000)]
    enqueued = {e["call_id"] for e in evs if e["type"] == "enqueued"}
    assert len(enqueued) == CALLERS * CALLS_EACH
    finished: dict[str, list[str]] = {}
    holder: dict[str, str] = {}   # call -> agent currently offered it
    holding: dict[str, str] = {}  # agent -> call it is offered
    for e in evs:
        kind, cid, aid = e["type"], e.get("call_id"), e.get("agent_id")
        if kind == "offered":
            assert cid not in holder, f"{cid} offered to {holder.get(cid)} and {aid}"
            assert aid not in holding, f"{aid} holds {holding.get(aid)} and {cid}"
            holder[cid], holding[aid] = aid, cid
        elif kind in ("accepted", "missed") or (kind == "finished" and cid in holder):
            holding.pop(holder.pop(cid, None), None)
        elif kind == "agent_state" and e["state"] == "ready":
            holding.pop(aid, None)
            holder = {c: a for c, a in holder.items() if a != aid}
        if kind == "finished":
            finished.setdefault(cid, []).append(e["outcome"])
    assert set(finished) == enqueued, "every call ends"
    assert all(len(v) == 1 for v in finished.values()), "each call ends exactly once"
    for pri in (0, 1):  # FIFO within a priority, for first offers of plain calls
        first = [e["call_id"] for e in evs if e["type"] == "offered" and e["priority"] == str(pri)]
        seen = list(dict.fromkeys(first))
        order = [e["call_id"] for e in evs if e["type"] == "enqueued" and e["priority"] == str(pri)
                 and e["call_id"] in seen]
        assert_fifo(seen, order, evs)


def assert_fifo(offered: list[str], enqueued: list[str], evs: list[dict]) -> None:
    """A caller is first offered only when every earlier caller of its priority was offered,
    or had left (abandoned / callback / lost)."""
    left = set()
    offered_so_far: set[str] = set()
    rank = {cid: i for i, cid in enumerate(enqueued)}
    for e in evs:
        cid = e.get("call_id")
        if e["type"] in ("abandoned", "callback", "lost_handler"):
            left.add(cid)
        elif e["type"] == "offered" and cid in rank and cid not in offered_so_far:
            earlier = [c for c in enqueued[:rank[cid]] if c not in offered_so_far | left]
            assert not earlier, f"{cid} offered before earlier callers {earlier}"
            offered_so_far.add(cid)
