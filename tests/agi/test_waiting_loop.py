"""The waiting loop: queue work runs late in each hold-music slice, and nothing is lost."""

from __future__ import annotations

import socket
import threading
import time
from types import SimpleNamespace

import pytest
import redis as redis_lib

from agi_scripts import queueing
from agi_scripts.pending import Pending
from agi_scripts.protocol import HotlineAGI
from callqueue.api import CallQueue
from callqueue.models import AgentInfo, WaitingEntry
from hotline.redis_server import EmbeddedRedis
from ivr import model as m


class Peer(threading.Thread):
    """Asterisk's side: WAIT FOR DIGIT answers after `slice_s` with `key` (once), the rest at once."""

    def __init__(self, sock: socket.socket, slice_s: float, key: str = "", key_after: float = 0):
        super().__init__(daemon=True)
        self.sock, self.slice_s, self.key, self.key_after = sock, slice_s, key, key_after
        self.commands: list[str] = []

    def run(self) -> None:
        rfile = self.sock.makefile("r", encoding="utf-8", newline="\n")
        for line in rfile:
            self.commands.append(line.rstrip("\n"))
            if line.startswith("WAIT FOR DIGIT"):
                if self.key:
                    time.sleep(self.key_after)
                    reply, self.key = f"200 result={ord(self.key)}", ""
                else:
                    time.sleep(self.slice_s)
                    reply = "200 result=0"
            else:
                reply = "200 result=0"
            self.sock.sendall((reply + "\n").encode())


@pytest.fixture
def waiting(redis_client, operator_config):
    queue = CallQueue(redis_client, operator_config)
    ours, theirs = socket.socketpair()
    made = []

    def make(**peer_args):
        peer = Peer(theirs, **{"slice_s": 0.5, **peer_args})
        peer.start()
        agi = HotlineAGI(ours.makefile("r", encoding="utf-8", newline="\n"),
                         ours.makefile("w", encoding="utf-8", newline="\n"), {})
        queue.enqueue(WaitingEntry("w1", "market", "guiyang", caller="+8613900000000",
                                   resumable=True))
        flow = SimpleNamespace(
            agi=agi, site="guiyang",
            deps=SimpleNamespace(queue=queue, dtmf_slice_ms=500, lease_every_seconds=3.0,
                                 clock=time.time, redis_outage_seconds=20.0,
                                 draining=threading.Event(), pending=Pending()),
            sheet=SimpleNamespace(call_id="w1", state=SimpleNamespace(line="market")))
        made.append(peer)
        return flow, peer, queue

    yield make
    ours.close()
    theirs.close()


def _offer_later(queue, after: float) -> threading.Thread:
    def go():
        time.sleep(after)
        queue.login(AgentInfo("a1", "guiyang", {"market": 1}, dial="PJSIP/a1"))
        queue.set_ready("a1")
    th = threading.Thread(target=go, daemon=True)
    th.start()
    return th


def test_an_offer_made_during_a_slice_is_taken_when_that_slice_ends(waiting):
    flow, peer, queue = waiting()
    _offer_later(queue, after=0.1)
    got = queueing.wait(flow, 30)
    assert isinstance(got, m.Offered) and got.agent == "a1" and got.dial == "PJSIP/a1"
    waits = [c for c in peer.commands if c.startswith("WAIT FOR DIGIT")]
    assert len(waits) == 1  # found late in the first slice, not one slice later
    assert peer.commands[0] == 'EXEC StartMusicOnHold "default"'
    assert peer.commands[-1] == 'EXEC StopMusicOnHold ""'


def test_a_key_and_an_offer_in_the_same_slice_connect_the_agent(waiting):
    flow, peer, queue = waiting(key="1", key_after=0.3)
    _offer_later(queue, after=0.05).join()
    got = queueing.wait(flow, 30)
    assert isinstance(got, m.Offered) and got.agent == "a1"
    assert queue.agent("a1").state == "offered"


def test_a_key_alone_ends_the_wait_and_the_caller_keeps_the_place(waiting):
    flow, peer, queue = waiting(key="1", key_after=0.05)
    got = queueing.wait(flow, 30)
    assert got == m.Digits("1", timed_out=False)
    assert queue.position("w1") == 1


def test_a_lost_entry_ends_the_wait_as_queue_gone(waiting):
    flow, peer, queue = waiting()
    queue.finish_caller("w1", "lost_handler")
    assert isinstance(queueing.wait(flow, 30), m.QueueGone)


def test_the_wait_ends_after_its_time_with_position_and_estimate(waiting):
    flow, peer, queue = waiting(slice_s=0.05)
    got = queueing.wait(flow, 0.3)
    assert isinstance(got, m.WaitElapsed) and got.position == 1
    assert queue.position("w1") == 1


def test_a_draining_server_hands_the_caller_back_with_the_music_on_and_the_place_kept(waiting):
    flow, peer, queue = waiting(slice_s=0.05)
    threading.Timer(0.2, flow.deps.draining.set).start()
    assert isinstance(queueing.wait(flow, 30), m.Handback)
    assert queue.position("w1") == 1
    assert 'EXEC StopMusicOnHold ""' not in peer.commands


@pytest.fixture
def private_redis(tmp_path):
    server = EmbeddedRedis(tmp_path / "redis").start()
    yield server
    server.stop()


def _waiting_on(redis_url, operator_config, peer_sock, ours, call_id="w1"):
    client = redis_lib.Redis.from_url(redis_url, decode_responses=True,
                                      socket_timeout=1.0, socket_connect_timeout=0.5)
    queue = CallQueue(client, operator_config)
    queue.enqueue(WaitingEntry(call_id, "market", "guiyang", caller="+8613900000000",
                               resumable=True))
    agi = HotlineAGI(ours.makefile("r", encoding="utf-8", newline="\n"),
                     ours.makefile("w", encoding="utf-8", newline="\n"), {})
    deps = SimpleNamespace(queue=queue, dtmf_slice_ms=200, lease_every_seconds=3.0,
                           clock=time.time, redis_outage_seconds=20.0,
                           draining=threading.Event(), pending=Pending())
    flow = SimpleNamespace(agi=agi, site="guiyang", deps=deps,
                           sheet=SimpleNamespace(call_id=call_id,
                                                 state=SimpleNamespace(line="market")))
    return flow, queue


def test_a_caller_keeps_waiting_through_a_redis_restart_and_is_offered_after(
        private_redis, operator_config):
    ours, theirs = socket.socketpair()
    Peer(theirs, slice_s=0.2).start()
    flow, queue = _waiting_on(private_redis.url, operator_config, theirs, ours)
    got: list = []
    waiter = threading.Thread(target=lambda: got.append(queueing.wait(flow, 60)), daemon=True)
    waiter.start()
    time.sleep(0.5)
    private_redis.kill()
    time.sleep(2.0)                       # the caller's handler meets a dead Redis here
    private_redis.start()                 # the append-only file brings the entry back
    queue.login(AgentInfo("a1", "guiyang", {"market": 1}, dial="PJSIP/a1"))
    queue.set_ready("a1")
    waiter.join(10)
    assert got and isinstance(got[0], m.Offered) and got[0].agent == "a1"
    ours.close()
    theirs.close()


def test_a_hang_up_during_a_redis_outage_leaves_no_ghost_for_an_agent(
        private_redis, operator_config):
    ours, theirs = socket.socketpair()
    flow, queue = _waiting_on(private_redis.url, operator_config, theirs, ours, "gone")
    private_redis.kill()
    queueing.abandon(flow)                # the caller hung up while Redis was down
    assert len(flow.deps.pending) == 1
    private_redis.start()
    assert flow.deps.pending.retry(queue) == 1
    queue.login(AgentInfo("a1", "guiyang", {"market": 1}, dial="PJSIP/a1"))
    queue.set_ready("a1")
    assert queue.agent("a1").state == "ready"      # offered nothing: the entry is gone
    assert [e["outcome"] for _i, e in queue.read_events() if e["type"] == "finished"] == [
        "abandoned"]
    ours.close()
    theirs.close()
