"""The caller's IVR menu path travels with the waiting entry into every offer and event."""

from __future__ import annotations

from queue_helpers import events

from callqueue.models import MAX_MENU_PATH, AgentInfo, WaitingEntry

PATH = "in>menu:main>key:2>queue:market"


def caller(cid, path=PATH):
    return WaitingEntry(cid, "market", "guiyang", caller="+8613985012345", menu_path=path)


def ready_agent(q, aid):
    q.login(AgentInfo(aid, "guiyang", {"market": 1}, dial=f"PJSIP/{aid}"))
    q.set_ready(aid)


def test_offer_made_when_an_agent_turns_ready_carries_the_path(queue):
    queue.enqueue(caller("c1"))
    ready_agent(queue, "a")
    offer = queue.wait_offer("a", timeout=1)
    assert (offer.call_id, offer.menu_path) == ("c1", PATH)
    assert queue.wait_assignment("c1", timeout=1).menu_path == PATH
    assert [e["menu_path"] for e in events(queue, "enqueued")] == [PATH]
    assert [e["menu_path"] for e in events(queue, "offered")] == [PATH]


def test_offer_made_on_joining_carries_the_path(queue):
    ready_agent(queue, "a")
    assert queue.enqueue(caller("c1")) == 1
    assert queue.wait_offer("a", timeout=1).menu_path == PATH


def test_caller_missed_by_one_agent_reaches_the_next_with_its_path(queue):
    queue.enqueue(caller("c1"))
    ready_agent(queue, "never")
    queue.miss("never", "c1", reason="no_answer")
    ready_agent(queue, "next")
    assert queue.wait_offer("next", timeout=1).menu_path == PATH


def test_callback_offer_keeps_the_path(queue):
    queue.enqueue(caller("cb"))
    assert queue.request_callback("cb", "+8613900000001")
    ready_agent(queue, "a")
    offer = queue.wait_offer("a", timeout=1)
    assert (offer.kind, offer.menu_path) == ("callback", PATH)


def test_over_long_path_is_truncated_and_control_characters_dropped(queue):
    long_path = "in>menu:main" + ">key:2\r\n\x1b" * 100
    queue.enqueue(caller("c1", long_path))
    ready_agent(queue, "a")
    expected = ("in>menu:main" + ">key:2" * 100)[:MAX_MENU_PATH]
    assert queue.wait_offer("a", timeout=1).menu_path == expected  # whole, no control chars
    assert queue.wait_assignment("c1", timeout=1).menu_path == expected
    assert events(queue, "enqueued")[0]["menu_path"] == expected


def test_a_non_ascii_path_is_cut_on_a_character_within_the_byte_bound(queue):
    queue.enqueue(caller("c1", "菜单" * 100))
    ready_agent(queue, "a")
    got = queue.wait_offer("a", timeout=1).menu_path
    assert got == "菜单" * 33 and len(got.encode()) <= MAX_MENU_PATH


def test_a_call_without_a_path_gets_an_empty_one(queue):
    queue.enqueue(WaitingEntry("c1", "market", "guiyang"))
    ready_agent(queue, "a")
    assert queue.wait_offer("a", timeout=1).menu_path == ""


def test_enqueue_again_keeps_the_first_path_and_place(queue):
    queue.enqueue(caller("c0"))
    queue.enqueue(caller("c1"))
    assert queue.enqueue(caller("c1", "in>silence>queue:market")) == 2
    assert len(events(queue, "enqueued")) == 2
    queue.abandon("c0")
    ready_agent(queue, "a")
    assert queue.wait_offer("a", timeout=1).menu_path == PATH
