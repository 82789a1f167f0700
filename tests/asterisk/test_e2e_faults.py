"""Our own faults on the real Asterisk: a FastAGI server killed (kill -9) or stopped (SIGTERM)
while callers wait, and Redis killed for a few seconds. Every caller still reaches a person,
keeps its queue entry and place, and ends in exactly one Call row; no agent is offered a
caller nobody dials, and none is paused for it.

The servers that fail are real `hotline serve agi` processes on the test Redis and CRM.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from e2e_harness import AGI_GLOBAL, wait_for

pytestmark = pytest.mark.asterisk
REPO = Path(__file__).resolve().parents[2]
AUTO_PAUSE = "missed_offers"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AgiProcess:
    """`hotline serve agi` in a process of its own, on the test Redis and CRM."""

    def __init__(self, tmp: Path, redis_url: str, database_url: str, settings, port: int = 0):
        self.port = port or free_port()
        self.tmp, self.redis_url, self.database_url = tmp, redis_url, database_url
        self.settings = settings
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"agi://127.0.0.1:{self.port}"

    def start(self) -> "AgiProcess":
        env = {**os.environ, "HOTLINE_ENV": "test", "HOTLINE_VAR_DIR": str(self.tmp),
               "HOTLINE_REDIS_URL": self.redis_url, "HOTLINE_DATABASE_URL": self.database_url,
               "HOTLINE_FASTAGI_BIND": f"127.0.0.1:{self.port}",
               "HOTLINE_AMI_PORT": str(self.settings.ami_port),
               "HOTLINE_AMI_SECRET": self.settings.ami_secret.get_secret_value(),
               "HOTLINE_FASTAGI_DRAIN_SECONDS": "10"}
        self.log = open(self.tmp / f"agi-{self.port}.out", "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "hotline", "serve", "agi"], env=env,
                                     cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(self._listening, 30, f"FastAGI listening on {self.port}")
        return self

    def _listening(self) -> bool:
        assert self.proc.poll() is None, f"FastAGI exited: see {self.log.name}"
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)

    def terminate(self, timeout: float = 30) -> float:
        start = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout)
        return time.monotonic() - start

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.log.close()


def database_url(hotline) -> str:
    return hotline.sessions.kw["bind"].url.render_as_string(hide_password=False)


@pytest.fixture
def servers(hotline, redis_server, tmp_path):
    """Factory of FastAGI processes; the in-process server of `hotline` is stopped."""
    hotline.stop_server()
    made: list[AgiProcess] = []

    def make(port: int = 0, redis_url: str = "") -> AgiProcess:
        server = AgiProcess(tmp_path, redis_url or redis_server.url, database_url(hotline),
                            hotline.settings, port).start()
        made.append(server)
        return server

    yield make
    for server in made:
        server.close()


def point_at(hotline, *urls: str) -> None:
    hotline.env.cli(f"dialplan set global {AGI_GLOBAL} {','.join(urls)}")


def waiting_caller(hotline, caller: str) -> str:
    """A citizen who stays on the line in silence (the menu sends them to the queue)."""
    call_id = hotline.answered(hotline.call("w120", caller=caller))["Uniqueid"]
    wait_for(lambda: hotline.queue.position(call_id), 30, f"{call_id} waiting in the queue")
    return call_id


def answered_by(hotline, ext: str, timeout: float = 40) -> float:
    hotline.events.wait_for("UserEvent", UserEvent="HotlineTestAgentAnswered", Agent=ext,
                            timeout=timeout)
    return time.monotonic()


def one_row(hotline, call_id: str, outcome: str = "answered"):
    row = hotline.wait_row(call_id, timeout=60)
    assert row.outcome == outcome, (row.outcome, row.menu_path)
    assert [r.call_id for r in hotline.rows()].count(call_id) == 1
    return row


def no_agent_paused_or_missed(hotline) -> None:
    assert hotline.queue_events("missed") == []
    assert [e for e in hotline.queue_events("agent_state") if e.get("reason") == AUTO_PAUSE] == []


def test_kill_9_while_a_caller_waits_the_next_listed_server_resumes_it(hotline, servers):
    first, second = servers(), servers()
    point_at(hotline, first.url, second.url)
    call_id = waiting_caller(hotline, "13985010401")
    later = waiting_caller(hotline, "13985010402")
    assert (hotline.queue.position(call_id), hotline.queue.position(later)) == (1, 2)
    killed = time.monotonic()
    first.kill()
    wait_for(lambda: len(hotline.queue_events("resumed", call_id=call_id)) == 1, 20,
             "the first caller resumed on the second server")
    assert (hotline.queue.position(call_id), hotline.queue.position(later)) == (1, 2)
    hotline.agent("8001", behaviour="1:2")
    reached = answered_by(hotline, "8001")
    row = one_row(hotline, call_id)
    assert row.agent == "a8001"
    assert len(hotline.queue_events("enqueued", call_id=call_id)) == 1   # the same entry
    assert "resume" in row.menu_path
    no_agent_paused_or_missed(hotline)
    print(f"kill -9 with a second server: the caller reached the agent "
          f"{reached - killed:.1f} s after the kill (agent went ready at once; answers in 1 s)")


def test_kill_9_and_a_restart_within_seconds_resumes_the_caller_in_its_place(hotline, servers):
    only = servers()
    point_at(hotline, only.url)
    call_id = waiting_caller(hotline, "13985010403")
    hotline.agent("8002", behaviour="never", ready=False)  # logged in, not yet ready
    killed = time.monotonic()
    only.kill()
    restarted = servers(port=only.port)
    wait_for(lambda: hotline.queue_events("resumed", call_id=call_id), 40,
             "the caller resumed on the restarted server")
    hotline.env.cli("database put test-agent 8002 1:2")
    hotline.queue.set_ready("a8002")
    reached = answered_by(hotline, "8002")
    row = one_row(hotline, call_id)
    assert row.agent == "a8002"
    assert len(hotline.queue_events("enqueued", call_id=call_id)) == 1
    no_agent_paused_or_missed(hotline)
    assert restarted.proc.poll() is None
    print(f"kill -9 and restart: the caller reached the agent {reached - killed:.1f} s "
          f"after the kill (restart included)")


def test_an_offer_made_while_the_handler_is_dead_is_taken_back_without_a_miss(hotline,
                                                                              servers):
    only = servers()
    point_at(hotline, only.url)
    call_id = waiting_caller(hotline, "13985010404")
    only.kill()
    hotline.agent("8003", behaviour="1:2")   # ready while nobody can dial: offered at once
    restarted = servers(port=only.port)
    wait_for(lambda: hotline.queue_events("resumed", call_id=call_id), 40, "resumed")
    answered_by(hotline, "8003")
    one_row(hotline, call_id)
    returned = hotline.queue_events("offer_returned", call_id=call_id)
    assert returned and {e["reason"] for e in returned} == {"handler_lost"}
    no_agent_paused_or_missed(hotline)
    assert restarted.proc.poll() is None


def test_sigterm_hands_waiting_callers_back_and_all_reach_agents_after_the_restart(
        hotline, servers):
    only = servers()
    point_at(hotline, only.url)
    calls = [waiting_caller(hotline, f"139850105{i:02d}") for i in range(3)]
    took = only.terminate()
    assert took < 10, "waiting callers are handed back at once, not after the drain limit"
    for cid in calls:
        assert hotline.queue.position(cid), "still in the queue while the server restarts"
    stopped = time.monotonic()
    servers(port=only.port)
    for cid in calls:
        wait_for(lambda cid=cid: hotline.queue_events("resumed", call_id=cid), 40,
                 f"{cid} resumed after the restart")
    for ext in ("8011", "8012", "8013"):
        hotline.agent(ext, behaviour="1:2")
    rows = [one_row(hotline, cid) for cid in calls]
    assert sorted(r.agent for r in rows) == ["a8011", "a8012", "a8013"]
    no_agent_paused_or_missed(hotline)
    waits = [(r.answered_at - r.queued_at).total_seconds() for r in rows]
    print(f"SIGTERM: the server stopped in {took:.1f} s; after the restart "
          f"({time.monotonic() - stopped:.1f} s to the last answer) callers waited "
          f"{', '.join(f'{w:.1f}' for w in waits)} s in all")


@pytest.fixture
def own_redis(tmp_path):
    from hotline.redis_server import EmbeddedRedis

    server = EmbeddedRedis(tmp_path / "own-redis").start()
    yield server
    server.stop()


def test_redis_killed_for_5_s_leaves_no_ghost_and_one_row_per_call(hotline, servers,
                                                                   own_redis):
    """One caller stays, one hangs up while Redis is down; when Redis is back (its
    append-only file restores the entries) the agent is offered the caller who is there."""
    import redis as redis_lib

    from callqueue.api import CallQueue
    from callqueue.models import AgentInfo

    server = servers(redis_url=own_redis.url)
    point_at(hotline, server.url)
    queue = CallQueue(redis_lib.Redis.from_url(own_redis.url, decode_responses=True),
                      hotline.operator)
    stays = waiting_on(hotline, queue, "13985010601")
    leaves = waiting_on(hotline, queue, "13985010602")
    leaving_channel = channel_of(hotline, leaves)
    own_redis.kill()
    down = time.monotonic()
    hotline.ami.hangup(leaving_channel)               # hangs up while Redis is down
    hotline.wait_row(leaves, timeout=20)
    time.sleep(max(0.0, 5.0 - (time.monotonic() - down)))
    own_redis.start()
    back = time.monotonic()
    hotline.env.cli("database put test-agent 8021 1:2")
    wait_for(lambda: queue.position(stays) is not None and queue.position(leaves) is None, 20,
             "the queue settled: the caller who left is gone")
    queue.login(AgentInfo("a8021", hotline.site, {ln: 1 for ln in hotline.operator.lines},
                          "Local/8021@test-agent"))
    queue.set_ready("a8021")
    reached = answered_by(hotline, "8021")
    offered = [f["call_id"] for _i, f in queue.read_events("0-0", count=100_000)
               if f.get("type") == "offered"]
    assert offered == [stays], "offered only the caller who is on the line"
    assert one_row(hotline, stays).agent == "a8021"
    assert one_row(hotline, leaves, "abandoned")
    print(f"Redis down 5 s: the staying caller reached the agent {reached - back:.1f} s after "
          f"Redis was back ({reached - down:.1f} s after it went down)")
    queue.logout("a8021") if queue.agent("a8021").state != "on_call" else None


def waiting_on(hotline, queue, caller: str) -> str:
    call_id = hotline.answered(hotline.call("w120", caller=caller))["Uniqueid"]
    wait_for(lambda: queue.position(call_id), 30, f"{call_id} waiting in the queue")
    return call_id


def channel_of(hotline, call_id: str) -> str:
    event = hotline.events.wait_for("Newchannel", Uniqueid=call_id, timeout=5)
    return event["Channel"]
