"""Which agents the app_queue fallback queue should ring, and the AMI changes that get it
there (ami/fallback_plan.py, pure), plus reading Asterisk's QueueStatus list text."""

from __future__ import annotations

import pytest

from ami.fallback_members import list_events, member_of
from ami.fallback_plan import Member, Plan, after, desired_members, plan, wanted
from config.errors import ConfigError
from config.settings import load_settings

SEAT = "PJSIP/8001"
LOCAL = "Local/8002@test-agent"


def _member(interface=SEAT, name="li.na", **kw) -> Member:
    state = kw.pop("state_interface", interface if interface.startswith("PJSIP") else "")
    return Member(interface=interface, name=name, state_interface=state, **kw)


def test_a_ready_agent_is_a_member_named_by_id_watching_the_seat():
    assert wanted("li.na", "ready", SEAT) == Member(SEAT, "li.na", state_interface=SEAT)


def test_a_local_channel_agent_has_no_device_to_watch():
    assert wanted("a8002", "ready", LOCAL) == Member(LOCAL, "a8002", state_interface="")


@pytest.mark.parametrize("state", ["paused", "logged_out", "offered", "on_call", "wrap_up",
                                   None])
def test_an_agent_who_is_not_ready_is_no_member(state):
    assert wanted("li.na", state, SEAT) is None


@pytest.mark.parametrize("dial", ["", None, "PJSIP/8001\r\nAction: Originate", "8001",
                                  "PJSIP/80 01", "PJSIP/8001,0"])
def test_a_missing_or_unsafe_dial_string_is_never_sent(dial):
    assert wanted("li.na", "ready", dial) is None


def test_an_agent_id_that_could_break_the_queue_log_is_no_member():
    assert wanted("li|na", "ready", SEAT) is None


def test_ready_agents_are_desired_by_interface_and_the_smaller_id_wins_a_shared_seat():
    agents = {"b.agent": ("ready", SEAT), "a.agent": ("ready", SEAT),
              "c.agent": ("paused", "PJSIP/8003"), "d.agent": ("ready", LOCAL)}
    desired = desired_members(agents)
    assert {i: m.name for i, m in desired.items()} == {SEAT: "a.agent", LOCAL: "d.agent"}


def test_a_ready_agent_missing_from_the_queue_is_added():
    desired = {SEAT: _member()}
    assert plan(desired, {}) == Plan(remove=(), add=(_member(),))


def test_a_member_no_longer_ready_is_removed():
    assert plan({}, {SEAT: _member()}) == Plan(remove=(SEAT,), add=())


def test_a_queue_in_step_needs_nothing():
    desired = {SEAT: _member(), LOCAL: _member(LOCAL, "a8002")}
    todo = plan(desired, dict(desired))
    assert not todo and todo == Plan()


def test_app_queue_reporting_the_interface_as_state_interface_is_in_step():
    """QueueStatus names the interface itself as StateInterface when none was given."""
    have = {LOCAL: _member(LOCAL, "a8002", state_interface=LOCAL)}
    assert not plan({LOCAL: _member(LOCAL, "a8002")}, have)


@pytest.mark.parametrize("stale", [
    _member(name="someone.else"),             # the seat now belongs to another agent
    _member(state_interface="PJSIP/9999"),    # watching the wrong device
    _member(paused=True),                     # paused in app_queue: would never ring
])
def test_a_member_out_of_step_is_removed_and_added_again(stale):
    assert plan({SEAT: _member()}, {SEAT: stale}) == Plan(remove=(SEAT,), add=(_member(),))


def test_static_members_from_queues_conf_are_never_touched():
    static = _member(name="8001", dynamic=False)
    assert plan({}, {SEAT: static}) == Plan()
    assert plan({SEAT: _member()}, {SEAT: static}) == Plan()


def test_members_added_by_hand_are_removed():
    by_hand = {"PJSIP/8009": _member("PJSIP/8009", "8009")}
    assert plan({}, by_hand).remove == ("PJSIP/8009",)


def test_after_applies_removals_then_additions():
    current = {SEAT: _member(name="old"), LOCAL: _member(LOCAL, "a8002")}
    result = after(current, [SEAT, LOCAL], [_member()])
    assert result == {SEAT: _member()}


# A QueueStatus reply as pyst2 0.5.1 gathers it: the response headers, then every list event
# up to QueueStatusComplete as the body (Asterisk 22 field names).
STATUS_BODY = (
    "\r\n"
    "Event: QueueParams\r\nQueue: hotline-fallback\r\nMax: 0\r\nStrategy: rrmemory\r\n"
    "Calls: 0\r\nActionID: hotline-1\r\n\r\n"
    "Event: QueueMember\r\nQueue: hotline-fallback\r\nMemberName: a8601\r\n"
    "Interface: Local/8601@test-agent\r\nStateInterface: Local/8601@test-agent\r\n"
    "Membership: dynamic\r\nPenalty: 0\r\nCallsTaken: 0\r\nStatus: 1\r\nPaused: 0\r\n"
    "PausedReason: \r\nActionID: hotline-1\r\n\r\n"
    "Event: QueueMember\r\nQueue: hotline-fallback\r\nMemberName: 8001\r\n"
    "Interface: PJSIP/8001\r\nStateInterface: PJSIP/8001\r\nMembership: static\r\n"
    "Paused: 1\r\nActionID: hotline-1\r\n\r\n"
    "Event: QueueStatusComplete\r\nActionID: hotline-1\r\nEventList: Complete\r\n"
    "ListItems: 3\r\n"
)


def test_the_gathered_queue_status_body_yields_its_members():
    events = list_events(STATUS_BODY)
    assert [e["Event"] for e in events] == ["QueueParams", "QueueMember", "QueueMember",
                                            "QueueStatusComplete"]
    members = [member_of(e) for e in events if e["Event"] == "QueueMember"]
    assert members == [
        Member("Local/8601@test-agent", "a8601", "Local/8601@test-agent"),
        Member("PJSIP/8001", "8001", "PJSIP/8001", paused=True, dynamic=False)]


def test_the_sync_interval_is_off_or_at_least_a_second():
    assert load_settings(fallback_sync_seconds=0).fallback_sync_seconds == 0
    assert load_settings().fallback_sync_seconds == 10
    with pytest.raises(ConfigError, match="HOTLINE_FALLBACK_SYNC_SECONDS"):
        load_settings(fallback_sync_seconds=0.5)
