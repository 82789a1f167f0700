"""Which members the app_queue fallback queue should have, and the changes that get it there.

Pure: no I/O. ami/fallback_members.py reads our queue's agents and app_queue's members, asks
``plan`` for the difference and applies it over AMI.

The fallback queue's dynamic members belong to the sync: every ready agent of our queue is a
member (interface = the agent's dial string, member name = the agent id), every other dynamic
member is removed. Static members (``member =>`` in queues.conf) are never touched.

An agent talking on a call that app_queue put through is paused in our queue with the system
reason ``fallback_call`` (so our queue never offers them a second caller) and stays a member
(app_queue, ``ringinuse = no``, does not ring a member in a call); when that call ends they go
ready again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

READY = "ready"  # callqueue agent state whose agents take fallback calls
PAUSED = "paused"
FALLBACK_CALL = "fallback_call"  # config/pause_reasons.toml: on a call app_queue put through
# Our queue's states from which an agent app_queue connected is paused as on a fallback call;
# an agent who chose a pause keeps it, an agent in one of our calls is left to that call.
_FREE = frozenset({READY, "wrap_up"})
# What a member's interface may look like (PJSIP/8001, Local/8001@test-agent): the same shape
# ami.client accepts as a dial string; anything else is never sent to Asterisk.
_INTERFACE = re.compile(r"^[A-Za-z]+/[A-Za-z0-9_.@+/\-]{1,120}$")
_MEMBER_NAME = re.compile(r"^[A-Za-z0-9_.@+\-]{1,80}$")
# Local channels have no device of their own to watch: app_queue follows the channel itself.
_NO_STATE_TECH = "local"


@dataclass(frozen=True)
class Member:
    """One member of the fallback queue as app_queue reports it (or as we want it)."""

    interface: str
    name: str
    state_interface: str = ""
    paused: bool = False
    dynamic: bool = True
    in_call: bool = field(default=False, compare=False)  # QueueMember InCall: talking now

    @property
    def watched(self) -> str:
        """The device app_queue watches: the interface itself unless told otherwise."""
        return self.state_interface or self.interface


@dataclass(frozen=True)
class Plan:
    """Removals (interfaces) first, then additions; empty when the queue is in step."""

    remove: tuple[str, ...] = ()
    add: tuple[Member, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.remove or self.add)


def state_interface_of(dial: str) -> str:
    """The device whose state tells app_queue the seat is busy: the seat itself (PJSIP/8001);
    none for a Local channel, which app_queue then follows as a channel."""
    tech = dial.split("/", 1)[0].lower()
    return "" if tech == _NO_STATE_TECH else dial


def on_fallback_call(state: str | None, reason: str | None) -> bool:
    """Paused by us for a call app_queue put through, which has not been seen to end."""
    return state == PAUSED and reason == FALLBACK_CALL


def pauses_for_fallback_call(state: str | None) -> bool:
    """Whether an agent app_queue has just connected is paused as on a fallback call."""
    return state in _FREE


def wanted(agent_id: str, state: str | None, dial: str | None,
           reason: str | None = None) -> Member | None:
    """The member an agent should be, or None (neither ready nor on a fallback call, or no
    usable dial string)."""
    takes = state == READY or on_fallback_call(state, reason)
    if not takes or not dial or not _INTERFACE.match(dial):
        return None
    if not _MEMBER_NAME.match(agent_id or ""):
        return None
    return Member(interface=dial, name=agent_id, state_interface=state_interface_of(dial))


def desired_members(agents: Mapping[str, tuple[str | None, ...]]) -> dict[str, Member]:
    """agent id -> (state, dial[, reason]) as our queue holds them  =>  interface -> member.

    Two ready agents on one dial string cannot both be members: the smaller id wins, so every
    process computing this picks the same one."""
    desired: dict[str, Member] = {}
    for agent_id in sorted(agents):
        member = wanted(agent_id, *agents[agent_id])
        if member is not None and member.interface not in desired:
            desired[member.interface] = member
    return desired


def calls_ended(agents: Mapping[str, tuple[str | None, ...]],
                current: Mapping[str, Member]) -> set[str]:
    """Agents paused as on a fallback call whose member app_queue shows in no call (or who
    is no member at all): the call's end was missed."""
    talking = {m.name for m in current.values() if m.in_call}
    return {agent_id for agent_id, (state, _dial, *rest) in agents.items()
            if on_fallback_call(state, rest[0] if rest else None) and agent_id not in talking}


def _in_step(have: Member, want: Member) -> bool:
    return have.name == want.name and have.watched == want.watched and not have.paused


def plan(desired: Mapping[str, Member], current: Mapping[str, Member]) -> Plan:
    """What to remove and add so that the dynamic members equal ``desired`` (by interface).

    A dynamic member with the wrong name, watched device or a pause is removed and added
    again. A static member is left as it is, and counts as present."""
    remove = tuple(sorted(
        iface for iface, have in current.items()
        if have.dynamic and (iface not in desired or not _in_step(have, desired[iface]))))
    add = tuple(desired[iface] for iface in sorted(desired)
                if iface not in current or iface in remove)
    return Plan(remove=remove, add=add)


def after(current: Mapping[str, Member], removed: Iterable[str],
          added: Iterable[Member]) -> dict[str, Member]:
    """The members once ``removed`` and ``added`` have been applied to ``current``."""
    result = dict(current)
    for iface in removed:
        result.pop(iface, None)
    for member in added:
        result[member.interface] = member
    return result
