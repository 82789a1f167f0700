"""The seat agent's JSON API: sign in with an extension, ready/pause/out, calls, transfers."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select

from callqueue.models import AgentInfo
from crm import audit
from crm.errors import InvalidInput
from crm.models import AgentProfile, Call
from web.deps import StateDep, UserDep, actor_of
from web.errors import NotAnAgent, QueueRefused
from web.offers import popup
from web.schemas import CallIn, ExtensionIn, PauseIn, TransferIn

router = APIRouter(prefix="/api/agent", tags=["agent"])
DIAL = "PJSIP/{}"
HEARTBEAT_SECONDS = 5.0
CALL_STATES = ("offered", "on_call")
# Audit actions of the workstation's call control; written to the database: never rename.
TRANSFER_ACTIONS = {"expert": "call_transfer", "three_way": "call_three_way",
                    "police": "emergency_transfer"}
TRANSFER_NAMES = {"expert": "已转专家座席", "three_way": "三方通话已发起", "police": "已转接110"}
RECONNECT_MS = 1000  # EventSource retry: a dropped stream comes back within the phone's grace


def agent_view(state, user) -> dict:
    """The agent's state as the workstation shows it, with the pop-up while offered/on call."""
    cfg, now = state.operator, time.time()
    st = state.queue.agent(user.agent_id) if user.agent_id else None
    if st is None or st.state == "logged_out":
        return {"agent_id": user.agent_id, "state": "logged_out", "since": None,
                "server_time": now, "offer": None}
    reason = cfg.pause_reasons.get(st.reason) if st.reason else None
    view = {"agent_id": st.agent_id, "state": st.state, "since": st.since, "site": st.site,
            "reason": st.reason or "", "reason_name": reason.name if reason else "",
            "call_id": st.call_id or "", "wrap_up_until": st.wrap_until,
            "server_time": now, "offer": None, "extension": st.dial.rpartition("/")[2]}
    if st.state in CALL_STATES and st.call_id:
        offer = state.offers.offer_for(st.agent_id, st.call_id)
        with state.ctx.sessions.begin() as db:  # the pop-up's case reads are audited
            view["offer"] = popup(db, offer, cfg, user.role, actor_of(user))
    return view


def _require_agent(user) -> str:
    if not user.agent_id:
        raise NotAnAgent("请先用分机签入 (sign in with your extension first)")
    return user.agent_id


@router.post("/login", summary="Sign in to the queue with an extension (paused until ready)")
def sign_in(body: ExtensionIn, user: UserDep, state: StateDep) -> dict:
    with state.ctx.sessions() as db:
        profile = db.scalar(select(AgentProfile).where(AgentProfile.user_id == user.user_id))
    if profile is None:
        raise InvalidInput("该账号没有坐席资料 (no agent profile: ask an admin)")
    if body.extension and body.extension != profile.extension:
        raise InvalidInput("分机号与坐席资料不符 (extension does not match your profile)",
                           extension=body.extension)
    state.queue.login(AgentInfo(agent_id=user.username, site=profile.site_id,
                                skills=dict(profile.skills), dial=DIAL.format(profile.extension)))
    state.sessions.set_agent(user, user.username)
    user = replace(user, agent_id=user.username)
    return agent_view(state, user)


@router.post("/ready", summary="Ready for calls (示闲)")
def ready(user: UserDep, state: StateDep) -> dict:
    state.queue.set_ready(_require_agent(user))
    return agent_view(state, user)


@router.post("/pause", summary="Pause with a reason (示忙)")
def pause(body: PauseIn, user: UserDep, state: StateDep) -> dict:
    if body.reason not in state.operator.pause_reasons:
        raise InvalidInput(f"未知的示忙原因 {body.reason!r}", reason=body.reason)
    state.queue.pause(_require_agent(user), body.reason)
    return agent_view(state, user)


@router.post("/logout", summary="Sign out of the queue (签出)")
def sign_out(user: UserDep, state: StateDep) -> dict:
    state.queue.logout(_require_agent(user))
    return agent_view(state, user)


@router.get("/state", summary="The agent's state, with the offered call's pop-up")
def get_state(user: UserDep, state: StateDep) -> dict:
    return agent_view(state, user)


@router.post("/accept", summary="Accept the offered call")
def accept(body: CallIn, user: UserDep, state: StateDep) -> dict:
    if not state.queue.accept(_require_agent(user), body.call_id):
        raise QueueRefused("该来电已不再振铃 (the call is no longer offered to you)",
                           call_id=body.call_id)
    return agent_view(state, user)


@router.post("/hangup", summary="End the conversation; wrap-up follows")
def hangup(body: CallIn, user: UserDep, state: StateDep) -> dict:
    st = state.queue.agent(_require_agent(user))
    if st is None or st.call_id != body.call_id or st.state != "on_call":
        raise QueueRefused("当前没有该通话 (you are not on this call)", call_id=body.call_id)
    state.queue.hangup(user.agent_id, body.call_id)
    return agent_view(state, user)


@router.post("/transfer", summary="Transfer to an expert seat, three-way call, or one-key 110")
def transfer(body: TransferIn, user: UserDep, state: StateDep) -> dict:
    st = state.queue.agent(_require_agent(user))
    if st is None or st.call_id != body.call_id or st.state != "on_call":
        raise QueueRefused("当前没有该通话 (you are not on this call)", call_id=body.call_id)
    target = state.operator.menu.emergency_target if body.kind == "police" else body.target
    if not target:
        raise InvalidInput("请填写目标分机 (a target extension is needed)")
    if body.kind == "three_way":
        state.telephony.three_way(call_id=body.call_id, agent_dial=st.dial, target=target)
    else:
        state.telephony.transfer(call_id=body.call_id, agent_dial=st.dial, target=target)
        # The citizen has left the agent (to the expert or 110): the agent's part of the
        # call is over, wrap-up starts now, not when the citizen's call ends.
        state.queue.hangup(user.agent_id, body.call_id)
    _record_transfer(state, user, body.kind, body.call_id, target)
    return {"ok": True, "message": f"{TRANSFER_NAMES[body.kind]} ({target})"}


def _record_transfer(state, user, kind: str, call_id: str, target: str) -> None:
    """The transfer goes to the audit trail, on the call's case when one is linked already."""
    with state.ctx.sessions.begin() as db:
        case_id = db.scalar(select(Call.case_id).where(Call.call_id == call_id))
        audit.record(db, actor_of(user), TRANSFER_ACTIONS[kind], case_id, call_id=call_id,
                     target=target)


@router.get("/events", summary="Server-sent events: the agent's state whenever it changes")
async def events(request: Request, user: UserDep, state: StateDep,
                 phone: bool = False) -> StreamingResponse:
    """``phone=true``: this page holds the agent's browser phone, so the stream ending (the
    page closed or lost its connection) means the phone is gone (web.phone_presence)."""
    phones = state.phones if phone and state.phones is not None else None

    async def stream():
        sub = state.hub.subscribe()
        if phones:
            await asyncio.to_thread(phones.opened, user.username)
        try:
            yield f"retry: {RECONNECT_MS}\n\n"
            while not await request.is_disconnected():
                agent_id = state.sessions.agent_of(user) or user.agent_id
                me = replace(user, agent_id=agent_id)
                view = await asyncio.to_thread(agent_view, state, me)
                yield f"event: state\ndata: {json.dumps(view, ensure_ascii=False)}\n\n"
                await _next_event_for(sub, agent_id)
                if phones:
                    await asyncio.to_thread(phones.alive, user.username)
        finally:
            state.hub.unsubscribe(sub)
            if phones:
                phones.closed(user.username)
    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


async def _next_event_for(sub: asyncio.Queue, agent_id: str) -> None:
    """Return when an event about this agent arrives, or after the heartbeat interval."""
    deadline = asyncio.get_running_loop().time() + HEARTBEAT_SECONDS
    while (left := deadline - asyncio.get_running_loop().time()) > 0:
        try:
            event = await asyncio.wait_for(sub.get(), left)
        except asyncio.TimeoutError:
            return
        if not agent_id or event.get("agent_id") == agent_id:
            return
