"""Keep the app_queue fallback queue's members in step with our queue's ready agents.

When every FastAGI server is down the dialplan sends callers to app_queue ``hotline-fallback``
(asterisk_conf/queues.conf), which must then ring the agents who are ready in our Redis queue.
This runs in the web process, never in a FastAGI server, so it keeps working while they are
all down:

- our queue's event stream: every ``agent_state`` event re-reads that agent and adds or
  removes its member at once (QueueAdd / QueueRemove);
- a full resync every ``resync_seconds`` and on every AMI (re)connect: all agents from Redis,
  all members from QueueStatus, so a missed event, a hand-made change or an Asterisk restart
  heals;
- the calls app_queue puts through: the agent who answers one is paused as on a fallback call
  until it ends (ami/fallback_calls.py), so our queue never offers them a second caller.

The queue object is duck-typed (callqueue.api.CallQueue): ``read_events``, ``redis``, ``keys``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from asterisk.manager import ManagerSocketException

from ami.client import AmiClient
from ami.errors import AmiActionFailed, AmiError, AmiTimeout
from ami.fallback_calls import EVENTS as CALL_EVENTS
from ami.fallback_calls import FallbackCalls
from ami.fallback_plan import Member, Plan, after, desired_members, plan

log = logging.getLogger("hotline.ami.fallback")

FALLBACK_QUEUE = "hotline-fallback"  # queues.conf / extensions.conf label fallback
AGENT_STATE_EVENT = "agent_state"    # callqueue/lua/_lib.lua set_state
MEMBER_EVENT = "QueueMember"
STATUS_DONE_EVENT = "QueueStatusComplete"
DYNAMIC = "dynamic"                  # QueueMember Membership: dynamic | static | realtime
READ_BLOCK_MS = 1000
READ_COUNT = 500
RETRY_SECONDS = 2.0
STOP_JOIN_S = 12.0  # an AMI action may take its 10 s response timeout


class StatusClient(AmiClient):
    """An AmiClient that also reads "... status will follow" lists (QueueStatus).

    pyst2 0.5.1's reader gathers such a response and every list event up to the line holding
    "StatusComplete" into ONE message: the response headers, then the events as its body. The
    events never reach the event callbacks, so they are read from that body here."""

    def status_list(self, name: str, **headers) -> list[dict]:
        reply = self._require().send_action({"Action": name, **headers})
        if reply.get_header("Response") == "Error":
            raise AmiActionFailed(f"{name}: {reply.get_header('Message')}")
        return list_events(reply.data or "")


def list_events(body: str) -> list[dict]:
    """The events in a gathered list body: blocks of "Key: Value" lines between blank lines."""
    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        fields = {}
        for line in block.split("\n"):
            key, sep, value = line.partition(":")
            if sep:
                fields[key.strip()] = value.strip()
        if "Event" in fields:
            events.append(fields)
    return events


class QueueMembers:
    """The members of one app_queue queue over one AMI client (QueueStatus/Add/Remove)."""

    def __init__(self, client: StatusClient, queue_name: str = FALLBACK_QUEUE,
                 stray: Callable[[dict], None] | None = None):
        self.client, self.queue_name, self.stray = client, queue_name, stray

    def read(self) -> dict[str, Member]:
        """interface -> Member, as app_queue holds them now. Other events that pyst2 gathered
        into the list (one that happened meanwhile) go to ``stray``."""
        events = self.client.status_list("QueueStatus", Queue=self.queue_name)
        if not any(e.get("Event") == STATUS_DONE_EVENT for e in events):
            raise AmiTimeout(f"QueueStatus {self.queue_name}: the list did not end")
        for event in events:
            if self.stray is not None and event.get("Event") in CALL_EVENTS:
                self.stray(event)
        members = (member_of(e) for e in events
                   if e.get("Event") == MEMBER_EVENT and e.get("Queue") == self.queue_name)
        return {m.interface: m for m in members if m.interface}

    def add(self, member: Member) -> None:
        headers = {"Queue": self.queue_name, "Interface": member.interface, "Penalty": "0",
                   "Paused": "false", "MemberName": member.name}
        if member.state_interface:
            headers["StateInterface"] = member.state_interface
        self.client.action("QueueAdd", **headers)

    def remove(self, interface: str) -> None:
        self.client.action("QueueRemove", Queue=self.queue_name, Interface=interface)


def member_of(event: dict) -> Member:
    """A QueueMember event (Asterisk 22 headers) as a Member."""
    interface = event.get("Interface") or event.get("Location") or ""
    return Member(interface=interface, name=event.get("MemberName") or event.get("Name") or "",
                  state_interface=event.get("StateInterface", ""),
                  paused=_flag(event, "Paused"),
                  dynamic=event.get("Membership", DYNAMIC) == DYNAMIC,
                  in_call=_flag(event, "InCall"))


def _flag(event: dict, header: str) -> bool:
    """A QueueMember yes/no header ("1"/"0"; "true"/"false" in some versions)."""
    return event.get(header, "0") not in ("0", "", "false")


def read_agents(queue, agent_ids=None) -> dict[str, tuple[str | None, str | None, str | None]]:
    """agent id -> (state, dial, reason) from our queue; every logged-in agent when ids are
    None."""
    if agent_ids is None:
        agent_ids = queue.redis.smembers(queue.keys.agents())
    agent_ids = sorted(agent_ids)
    pipe = queue.redis.pipeline(transaction=False)
    for agent_id in agent_ids:
        pipe.hmget(queue.keys.agent(agent_id), "state", "dial", "reason")
    return {agent_id: tuple(fields) for agent_id, fields in zip(agent_ids, pipe.execute())}


def latest_event_id(queue) -> str:
    """The id of the newest event in our queue's stream ("0-0" when it is empty)."""
    newest = queue.redis.xrevrange(queue.keys.events(), count=1)
    return newest[0][0] if newest else "0-0"


class FallbackMemberSync:
    """A thread keeping ``queue_name``'s dynamic members equal to our queue's ready agents.

    Members are left in place when it stops (or when Redis cannot be read): the agents last
    known ready keep answering fallback calls.
    """

    def __init__(self, queue, connect: Callable[[], StatusClient], *,
                 resync_seconds: float = 10.0, queue_name: str = FALLBACK_QUEUE):
        self.queue, self._connect, self.queue_name = queue, connect, queue_name
        self.resync_seconds = resync_seconds
        self._client: StatusClient | None = None
        self._members: QueueMembers | None = None
        self._agents: dict[str, tuple[str | None, ...]] = {}
        self.calls = FallbackCalls(queue, queue_name)
        self._current: dict[str, Member] = {}
        self._cursor = "0-0"
        self._next_resync = 0.0
        self._ami_up = True
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def from_settings(cls, settings, queue) -> "FallbackMemberSync":
        return cls(queue, lambda: StatusClient.from_settings(settings),
                   resync_seconds=settings.fallback_sync_seconds)

    # --- thread ----------------------------------------------------------------------
    def start(self) -> "FallbackMemberSync":
        self._thread = threading.Thread(target=self._run, name="fallback-members", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(STOP_JOIN_S)
        self._drop_client()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.step()
            except (AmiError, ManagerSocketException, OSError) as exc:
                if self._ami_up:  # once per outage, not every retry
                    log.warning("fallback queue members: AMI unavailable (%s): %s; retrying "
                                "every %ss", getattr(exc, "code", type(exc).__name__), exc,
                                RETRY_SECONDS)
                self._ami_up = False
                self._drop_client()
                self._stop.wait(RETRY_SECONDS)
            except Exception:  # noqa: BLE001 - Redis down or restarting: retry, never die
                log.exception("fallback queue members: sync failed; retrying")
                self._stop.wait(RETRY_SECONDS)

    # --- one round ---------------------------------------------------------------------
    def step(self) -> None:
        """Resync when due (or just connected), else follow the event stream for a while."""
        if self._members is None or not self._client.connected:
            self._drop_client()
            self._client = self._connect().connect()
            self._members = QueueMembers(self._client, self.queue_name, self.calls.handle)
            for name in CALL_EVENTS:
                self._client.on_event(name, self.calls.handle)
            self._next_resync = 0.0
            if not self._ami_up:
                log.info("fallback queue members: AMI connected, resyncing %s", self.queue_name)
            self._ami_up = True
        if time.monotonic() >= self._next_resync:
            self.resync()
        wait_ms = int(max(0.0, self._next_resync - time.monotonic()) * 1000)
        events = self.queue.read_events(self._cursor, READ_COUNT,
                                        max(1, min(READ_BLOCK_MS, wait_ms)))
        if events:
            self._cursor = events[-1][0]
            self.follow(events)

    def resync(self) -> None:
        """Everything afresh: our agents from Redis, the members from QueueStatus."""
        self._cursor = latest_event_id(self.queue)
        self._agents = read_agents(self.queue)
        self._current = self._members.read()
        self._next_resync = time.monotonic() + self.resync_seconds
        self.calls.heal(self._agents, self._current)
        self._converge()

    def follow(self, events: list[tuple[str, dict]]) -> None:
        """Re-read the agents whose state changed, then add or remove their members."""
        changed = {f.get("agent_id") for _, f in events
                   if f.get("type") == AGENT_STATE_EVENT and f.get("agent_id")}
        if changed:
            self._agents.update(read_agents(self.queue, changed))
            self._converge()

    def _converge(self) -> None:
        todo = plan(desired_members(self._agents), self._current)
        if todo:
            self._apply(todo)

    def _apply(self, todo: Plan) -> None:
        removed, added = [], []
        try:
            for interface in todo.remove:
                self._try(self._members.remove, interface, "removed", interface)
                removed.append(interface)
            for member in todo.add:
                self._try(self._members.add, member, f"{member.name} added", member.interface)
                added.append(member)
        finally:
            self._current = after(self._current, removed, added)

    def _try(self, action, arg, done: str, interface: str) -> None:
        """One QueueAdd/QueueRemove. A refusal ("Already there", "Not there", no such queue)
        means our view was stale: a resync from QueueStatus follows soon."""
        try:
            action(arg)
        except AmiActionFailed as exc:
            log.info("fallback queue %s: %s refused (%s); resyncing in %ss", self.queue_name,
                     interface, exc, RETRY_SECONDS)
            self._next_resync = min(self._next_resync, time.monotonic() + RETRY_SECONDS)
        else:
            log.info("fallback queue %s: member %s: %s", self.queue_name, interface, done)

    def _drop_client(self) -> None:
        if self._client is not None:
            try:
                self._client.close()
            except Exception:  # noqa: BLE001 - a dead connection may fail to close
                pass
        self._client, self._members = None, None
