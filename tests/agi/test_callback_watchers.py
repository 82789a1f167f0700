"""Several FastAGI servers follow the queue's events: each due callback is placed once."""

from __future__ import annotations

import threading

from agi_scripts.callbacks import CallbackWatcher
from callqueue.api import CallQueue
from callqueue.models import AgentInfo, WaitingEntry
from polling import wait_until


class RecordingDialer:
    def __init__(self):
        self.placed, self.lock = [], threading.Lock()

    def place_callback(self, agent_dial, citizen_number, variables):
        with self.lock:
            self.placed.append((agent_dial, citizen_number, dict(variables)))


def _callback_due(queue: CallQueue, call_id: str, agent: str) -> None:
    queue.enqueue(WaitingEntry(call_id, "general", "guiyang", caller="+8613985012345"))
    assert queue.request_callback(call_id, "+8613985012345")
    queue.login(AgentInfo(agent, "guiyang", {"general": 1}, dial=f"Local/{agent}@agents"))
    queue.set_ready(agent)


def test_two_servers_place_each_callback_once(redis_client, operator_config):
    queue = CallQueue(redis_client, operator_config)
    dialer = RecordingDialer()
    watchers = [CallbackWatcher(CallQueue(redis_client, operator_config), dialer) for _ in range(2)]
    for w in watchers:
        w.start()
    try:
        _callback_due(queue, "cb-1", "8001")
        _callback_due(queue, "cb-2", "8002")
        wait_until(lambda: len(dialer.placed) >= 2)
        for w in watchers:
            w.stop()
    finally:
        for w in watchers:
            w.stop()
    assert sorted(p[2]["HOTLINE_CALLBACK_FOR"] for p in dialer.placed) == ["cb-1", "cb-2"]
    assert {p[1] for p in dialer.placed} == {"+8613985012345"}


def test_a_restarted_server_resumes_after_the_last_event_it_handled(redis_client, operator_config):
    queue = CallQueue(redis_client, operator_config)
    first = RecordingDialer()
    watcher = CallbackWatcher(queue, first)
    watcher.start()
    _callback_due(queue, "cb-1", "8001")
    wait_until(lambda: first.placed)
    watcher.stop()
    _callback_due(queue, "cb-2", "8002")  # arrives while no server follows the stream
    second = RecordingDialer()
    restarted = CallbackWatcher(queue, second)
    restarted.start()
    try:
        wait_until(lambda: second.placed)
    finally:
        restarted.stop()
    assert [p[2]["HOTLINE_CALLBACK_FOR"] for p in second.placed] == ["cb-2"]


def test_a_twilio_callers_callback_is_left_to_the_twilio_watcher(redis_client, operator_config):
    queue = CallQueue(redis_client, operator_config)
    dialer = RecordingDialer()
    watcher = CallbackWatcher(queue, dialer)
    watcher.start()
    try:
        queue.enqueue(WaitingEntry("CA-twilio", "general", "guiyang", caller="+8613985012345",
                                   channel="twilio"))
        assert queue.request_callback("CA-twilio", "+8613985012345")
        queue.login(AgentInfo("8001", "guiyang", {"general": 1}, dial="client:8001"))
        queue.set_ready("8001")
        _callback_due(queue, "cb-asterisk", "8002")  # placed after the Twilio one was passed
        wait_until(lambda: dialer.placed)
    finally:
        watcher.stop()
    assert [p[2]["HOTLINE_CALLBACK_FOR"] for p in dialer.placed] == ["cb-asterisk"]
    (twilio_due,) = [(eid, e) for eid, e in queue.read_events(count=10_000)
                     if e["type"] == "callback_due" and e["call_id"] == "CA-twilio"]
    assert twilio_due[1]["channel"] == "twilio"
    assert queue.claim_event("callbacks", twilio_due[0])  # not claimed: the Twilio watcher may
