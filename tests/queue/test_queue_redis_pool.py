"""A burst of calls on one process waits for Redis connections instead of failing."""

from __future__ import annotations

import threading

from callqueue.api import CallQueue
from callqueue.models import AgentInfo, WaitingEntry
from hotline.context import redis_client as make_client
from hotline.context import warm_pool


def test_more_callers_at_once_than_connections_all_get_their_turn(redis_url, redis_client,
                                                                   operator_config):
    client = small_pool(redis_url, 3)
    queue = CallQueue(client, operator_config)
    failures: list[BaseException] = []
    start = threading.Barrier(40)

    def caller(i: int) -> None:
        start.wait()
        try:
            queue.enqueue(WaitingEntry(f"c{i}", "market", "guiyang"))
            assert queue.refresh_lease(f"c{i}")
        except BaseException as exc:  # collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(40)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert failures == []
    assert redis_client.zcard(queue.keys.wait("market", "guiyang")) == 40
    assert len(client.connection_pool._connections) <= 3
    client.close()


def small_pool(url: str, connections: int):
    return make_client(url, max_connections=connections, pool_timeout=30)


def test_a_warmed_pool_holds_its_connections_open(redis_url, redis_client):
    client = small_pool(redis_url, 8)
    warm_pool(client, 5)
    others = [c for c in redis_client.client_list() if c.get("cmd") != "client"]
    assert len(others) >= 5
    client.close()


class ClusterLike:
    """A client without a connection pool (as RedisCluster): scripts go through evalsha."""

    def __init__(self, real):
        self._real = real

    def evalsha(self, *args):
        return self._real.evalsha(*args)

    def script_load(self, source):
        return self._real.script_load(source)

    def __getattr__(self, name):
        if name == "connection_pool":
            raise AttributeError(name)
        return getattr(self._real, name)


def test_a_client_without_a_pool_runs_the_same_scripts(redis_client, operator_config):
    redis_client.script_flush()
    queue = CallQueue(ClusterLike(redis_client), operator_config)
    queue.login(AgentInfo("a1", "guiyang", {"market": 1}, dial="PJSIP/a1"))
    queue.enqueue(WaitingEntry("c1", "market", "guiyang"))
    assert queue.set_ready("a1").call_id == "c1"
    assert queue.accept("a1", "c1")
