"""Real voice, call control: the agent talks to a citizen on the /agent page's browser phone
(JsSIP in headless Chromium, a PJSIP WebRTC seat on the real Asterisk) and uses the page's
buttons: 一键转110, 转专家座席 and 三方通话. Each goes through the web's AMI bridge and the
production dialplan; the expert seat and the 110 line are the test contexts'
(extensions_test.conf: seats are Local/<ext>@test-agent, 110 is [test-110])."""

from __future__ import annotations

import re

from sqlalchemy import select

from e2e_harness import wait_for
from pbx_harness import active_channels
from voice_helpers import (EXT, SPEAKING, VOICE_MARKS, agent_id, agent_page,  # noqa: F401
                           browsers, phone_call, ringing, sign_in_and_register, web, web_app)

pytestmark = VOICE_MARKS
EXPERT_DIAL = "Local/{}@test-agent"
SEAT = f"PJSIP/{EXT}-"


def _talking(hotline, page, base, caller: str) -> dict:
    """The page's agent answers a citizen's call with F4; the citizen's OriginateResponse."""
    sign_in_and_register(page, base)
    answered = hotline.answered(hotline.call(SPEAKING, caller=caller))
    wait_for(lambda: ringing(page), 60, "the page did not ring")
    page.keyboard.press("F4")
    wait_for(lambda: phone_call(page) == "talking", 10, "the page did not answer")
    wait_for(lambda: hotline.queue_events("accepted", call_id=answered["Uniqueid"]), 10,
             "the offer was not accepted")
    wait_for(lambda: page.locator("#call-card").is_visible(), 10, "no call card")
    wait_for(lambda: page.locator("#telephony-state").get_attribute("data-connected") == "yes",
             15, "the page says 话务系统未连接")
    return answered


def _seat_channels(hotline) -> list[str]:
    return [c for c in active_channels(hotline.env) if c.startswith(SEAT)]


def _audit(hotline, action: str, call_id: str) -> list:
    from crm.models import CaseEvent

    with hotline.sessions() as s:
        events = s.scalars(select(CaseEvent).where(CaseEvent.action == action)).all()
    return [e for e in events if e.detail.get("call_id") == call_id]


def _call_msg(page) -> str:
    return page.locator("#call-msg").text_content() or ""


def test_one_key_110_from_the_page_puts_the_citizen_through_to_110(hotline, web, agent_page):
    page = agent_page
    answered = _talking(hotline, page, web, caller="13985010831")
    call_id = answered["Uniqueid"]

    page.keyboard.press("F8")

    # this citizen's (the session's event log also holds earlier tests' 110 calls)
    reached = hotline.events.wait_for("UserEvent", UserEvent="HotlineTest110",
                                      CallerID="13985010831", timeout=20)
    assert reached["Number"] == "110"
    wait_for(lambda: "已转接110" in _call_msg(page), 10, "the page did not confirm")
    wait_for(lambda: phone_call(page) == "", 10, "the agent's phone call did not end")
    wait_for(lambda: not _seat_channels(hotline), 10, "the agent's leg is still up")
    # 110 hangs up after 5 s: one row, answered by the agent, and the transfer on record
    row = hotline.wait_row(call_id, timeout=30)
    assert row.outcome == "answered" and row.agent == agent_id(EXT)
    [event] = _audit(hotline, "emergency_transfer", call_id)
    assert event.detail["target"] == "110" and event.actor == f"voice.{EXT}"
    wait_for(lambda: hotline.queue.agent(agent_id(EXT)).state != "on_call", 10,
             "the agent is still on the call in the queue")


def test_transfer_to_an_expert_seat_from_the_page_bridges_the_citizen_to_the_expert(
        hotline, web, agent_page):
    page = agent_page
    expert = "8721"
    hotline.env.cli(f"database put test-agent {expert} 1:60")
    answered = _talking(hotline, page, web, caller="13985010832")
    call_id = answered["Uniqueid"]

    page.fill("#transfer-target", expert)
    page.click("#btn-expert")

    hotline.events.wait_for("UserEvent", UserEvent="HotlineTestAgentAnswered", Agent=expert,
                            timeout=20)
    bridged = hotline.events.wait_for(
        "DialEnd", Channel=answered["Channel"], DialStatus="ANSWER", timeout=10,
        where=lambda e: e.get("DestChannel", "").startswith(EXPERT_DIAL.format(expert)))
    assert bridged
    wait_for(lambda: "已转专家座席" in _call_msg(page), 10, "the page did not confirm")
    wait_for(lambda: phone_call(page) == "", 10, "the agent's phone call did not end")
    wait_for(lambda: not _seat_channels(hotline), 10, "the agent's leg is still up")
    assert [e.detail["target"] for e in _audit(hotline, "call_transfer", call_id)] == [expert]
    assert hotline.queue.agent(agent_id(EXT)).state != "on_call"  # free while the expert talks
    hotline.ami.hangup(answered["Channel"])
    row = hotline.wait_row(call_id, timeout=30)
    assert row.outcome == "answered" and row.agent == agent_id(EXT)


def _room_members(asterisk, room: str) -> list[str]:
    out = asterisk.cli(f"confbridge list {room}")
    return [line.split()[0] for line in out.splitlines() if re.match(r"^\S+/\S+", line)]


def test_three_way_call_from_the_page_puts_citizen_agent_and_expert_in_one_conference(
        hotline, web, agent_page):
    page = agent_page
    expert = "8731"
    hotline.env.cli(f"database put test-agent {expert} 1:60")
    answered = _talking(hotline, page, web, caller="13985010833")
    call_id = answered["Uniqueid"]
    room = re.sub(r"[^0-9]", "", call_id)[-12:]

    page.fill("#transfer-target", expert)
    page.click("#btn-threeway")

    members = wait_for(lambda: (m := _room_members(hotline.env, room)) and len(m) == 3 and m,
                       30, f"three people in conference {room}")
    assert answered["Channel"] in members
    assert sum(m.startswith(SEAT) for m in members) == 1        # the page's phone, re-joined
    # the expert joins through [hotline-transfer], which rings their seat: it answered
    assert sum(m.startswith(f"Local/{expert}@hotline-transfer") for m in members) == 1
    assert hotline.events.matching("UserEvent", UserEvent="HotlineTestAgentAnswered",
                                   Agent=expert)
    assert phone_call(page) == "talking"
    assert "三方通话已发起" in _call_msg(page)
    assert [e.detail["target"] for e in _audit(hotline, "call_three_way", call_id)] == [expert]
    # the agent leaves with F6: the citizen and the expert stay together
    page.keyboard.press("F6")
    wait_for(lambda: len(_room_members(hotline.env, room)) == 2, 10, "the agent did not leave")
    hotline.ami.hangup(answered["Channel"])
    row = hotline.wait_row(call_id, timeout=30)
    assert row.outcome == "answered" and row.agent == agent_id(EXT)
