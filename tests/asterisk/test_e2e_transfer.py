"""The agent workstation's call control on the real Asterisk: a blind transfer to an expert
seat and a three-way call, both through AmiTelephony (web/ami_bridge.py) and the dialplan's
[hotline-transfer] / [hotline-conference] contexts.

A citizen calls 12345 and is put through to an agent by our FastAGI server; seats are Local
channels into [test-agent] (extensions_test.conf sets HOTLINE_SEAT_TECH/SUFFIX).
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from e2e_harness import wait_for

pytestmark = pytest.mark.asterisk
SILENT = "w120"           # a citizen who presses nothing and stays on the line
SEAT_DIAL = "Local/{}@test-agent"


def _telephony(hotline):
    from web.ami_bridge import AmiTelephony

    return AmiTelephony(SimpleNamespace(settings=hotline.settings, operator=hotline.operator))


def _talking_to_agent(hotline, ext: str, caller: str) -> dict:
    """A citizen put through to agent ``ext`` (who talks for a minute); its OriginateResponse."""
    hotline.agent(ext, "1:60")
    answered = hotline.answered(hotline.call(SILENT, caller=caller))
    hotline.events.wait_for("UserEvent", UserEvent="HotlineTestAgentAnswered", Agent=ext,
                            timeout=60)
    return answered


def _agent_legs_gone(hotline, ext: str) -> bool:
    from pbx_harness import active_channels

    return not [c for c in active_channels(hotline.env) if c.startswith(SEAT_DIAL.format(ext))]


def test_blind_transfer_puts_the_citizen_through_to_the_expert_seat(hotline):
    agent = "8701"
    expert = "8702"
    answered = _talking_to_agent(hotline, agent, caller="13985010601")
    call_id = answered["Uniqueid"]
    hotline.env.cli(f"database put test-agent {expert} 1:3")

    _telephony(hotline).transfer(call_id=call_id, agent_dial=SEAT_DIAL.format(agent),
                                 target=expert)

    hotline.events.wait_for("UserEvent", UserEvent="HotlineTestAgentAnswered", Agent=expert,
                            timeout=20)
    # the citizen (not the agent) is in the expert's bridge, and the agent's phone is free
    bridged = hotline.events.wait_for(
        "DialEnd", Channel=answered["Channel"], DialStatus="ANSWER",
        where=lambda e: e.get("DestChannel", "").startswith(SEAT_DIAL.format(expert)))
    assert bridged["DestChannel"].startswith(SEAT_DIAL.format(expert))
    wait_for(lambda: _agent_legs_gone(hotline, agent), 10, "the agent's leg still up")
    # the expert hangs up after 3 s: the call is recorded once, as answered by our agent
    row = hotline.wait_row(call_id, timeout=30)
    assert row.outcome == "answered"
    assert row.agent == f"a{agent}"


def test_transfer_to_a_target_that_is_not_all_digits_dials_nothing(asterisk, ami, ami_events):
    # "87x03" matches `_X.`; without the FILTER check it would still ring seat 8703,
    # which would answer at once.
    asterisk.cli("database put test-agent 8703 0:2")
    answered = ami_events.wait_for(
        "OriginateResponse", Response="Success", timeout=15,
        ActionID=ami.originate("Local/s@test-supervisor", context="hotline-transfer",
                               exten="87x03"))
    ami_events.wait_for("Hangup", Channel=answered["Channel"], timeout=20)
    assert ami_events.matching("UserEvent", UserEvent="HotlineTestAgentAnswered",
                               Agent="8703") == []
    assert ami_events.matching("Newchannel", Exten="8703") == []


def _room_members(asterisk, room: str) -> list[str]:
    out = asterisk.cli(f"confbridge list {room}")
    return [line.split()[0] for line in out.splitlines() if re.match(r"^\S+/\S+", line)]


def test_three_way_call_puts_citizen_agent_and_expert_in_one_room(hotline):
    agent = "8711"
    expert = "8712"
    answered = _talking_to_agent(hotline, agent, caller="13985010611")
    call_id = answered["Uniqueid"]
    room = re.sub(r"[^0-9]", "", call_id)[-12:]
    hotline.env.cli(f"database put test-agent {expert} 1:60")

    _telephony(hotline).three_way(call_id=call_id, agent_dial=SEAT_DIAL.format(agent),
                                  target=SEAT_DIAL.format(expert))

    members = wait_for(lambda: (m := _room_members(hotline.env, room)) and len(m) == 3 and m,
                       30, f"three people in conference {room}")
    assert answered["Channel"] in members
    assert sum(m.startswith(SEAT_DIAL.format(agent)) for m in members) == 1
    assert sum(m.startswith(SEAT_DIAL.format(expert)) for m in members) == 1
    rooms = hotline.env.cli("confbridge list")
    assert re.search(rf"^{room}\s+3\s", rooms, flags=re.M), rooms
