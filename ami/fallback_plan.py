"""Which members the app_queue fallback queue should have, and the changes that get it there.

Pure: no I/O. ami/fallback_members.py reads our queue's agents and app_queue's members, asks
``plan`` for the difference and applies it over AMI.

The fallback queue's dynamic members belong to the sync: every ready agent of our queue is a
member (interface = the agent's dial string, member name = the agent id), every other dynamic
member is removed. Static members (``member =>`` in queues.conf) are never touched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

READY = "ready"  # callqueue agent state whose agents take fallback calls
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


def wanted(agent_id: str, state: str | None, dial: str | None) -> Member | None:
    """The member an agent should be, or None (not ready, or no usable dial string)."""
    if state != READY or not dial or not _INTERFACE.match(dial):
        return None
    if not _MEMBER_NAME.match(agent_id or ""):
        return None
    return Member(interface=dial, name=agent_id, state_interface=state_interface_of(dial))


def desired_members(agents: Mapping[str, tuple[str | None, str | None]]) -> dict[str, Member]:
    """agent id -> (state, dial) as our queue holds them  =>  interface -> wanted member.

    Two ready agents on one dial string cannot both be members: the smaller id wins, so every
    process computing this picks the same one."""
    desired: dict[str, Member] = {}
    for agent_id in sorted(agents):
        member = wanted(agent_id, *agents[agent_id])
        if member is not None and member.interface not in desired:
            desired[member.interface] = member
    return desired


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
