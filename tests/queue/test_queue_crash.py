"""Redis kill -9 in the middle of a run: acknowledged entries and agent states survive."""

from __future__ import annotations

import threading
import time

import redis as redis_lib

from callqueue.api import CallQueue
from callqueue.models import AgentInfo, WaitingEntry
from hotline.redis_server import EmbeddedRedis

FSYNC_WAIT = 1.5  # AOF everysec: give the last fsync time to happen


def test_kill_minus_nine_keeps_queue_and_agents(tmp_path, operator_config):
    server = EmbeddedRedis(tmp_path / "redis").start()
    client = redis_lib.Redis.from_url(server.url, decode_responses=True)
    q = CallQueue(client, operator_config)
    q.login(AgentInfo("talking", "guiyang", {"market": 1}, dial="PJSIP/8001"))
    q.login(AgentInfo("resting", "guiyang", {"social_security": 1}, dial="PJSIP/8002"))
    q.enqueue(WaitingEntry("first", "market", "guiyang", caller="+8613900000001"))
    q.set_ready("talking")
    q.accept("talking", "first")
    q.pause("resting", "meal")

    acked: list[str] = []
    stop = threading.Event()

    def writer() -> None:  # keeps enqueueing until Redis dies under it
        w = CallQueue(redis_lib.Redis.from_url(server.url, decode_responses=True),
                      operator_config)
        i = 0
        while not stop.is_set():
            cid = f"w{i}"
            try:
                w.enqueue(WaitingEntry(cid, "market", "guiyang", priority=i % 3))
            except (redis_lib.ConnectionError, OSError):
                return
            acked.append(cid)
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    time.sleep(0.3)
    settled = list(acked)  # acknowledged at least FSYNC_WAIT before the crash
    time.sleep(FSYNC_WAIT)
    server.kill()
    stop.set()
    t.join(10)
    assert len(settled) > 50

    server.start()  # same directory: replays appendonly.aof
    client = redis_lib.Redis.from_url(server.url, decode_responses=True)
    q = CallQueue(client, operator_config)
    waiting = client.zrange(q.keys.wait("market", "guiyang"), 0, -1)
    assert set(settled) <= set(waiting)
    for cid in waiting:  # each survivor is whole: an entry, a lease and a place
        assert q.position(cid) and client.zscore(q.keys.leases(), cid) is not None
    in_flight = {f"w{len(acked)}"}  # sent, applied, but the reply died with the server
    assert set(waiting) - set(acked) <= in_flight
    talking, resting = q.agent("talking"), q.agent("resting")
    assert (talking.state, talking.call_id, talking.dial) == ("on_call", "first", "PJSIP/8001")
    assert (resting.state, resting.reason) == ("paused", "meal")

    q.hangup("talking", "first")  # and it keeps working: scripts reload after NOSCRIPT
    q.set_ready("talking")
    assert q.agent("talking").call_id == "w2"  # the earliest caller of the top priority
    server.stop()
