"""The supervisor's JSON API: live snapshot, history, SSE, agents, force pause/out, ChanSpy."""

from __future__ import annotations

import asyncio
import time
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response, StreamingResponse

from crm.errors import InvalidInput, NotFound
from web.deps import StateDep, UserDep
from web.schemas import PauseIn, SpyIn

router = APIRouter(prefix="/api", tags=["supervisor"])
PUSH_CHECK_SECONDS = 0.2  # a new board reaches the wallboard within this (target: 1 s)
AGENT_ID = r"^[A-Za-z0-9_.-]{1,64}$"
AgentId = Annotated[str, Path(pattern=AGENT_ID)]
DIAL = "PJSIP/{}"


@router.get("/wallboard/snapshot", summary="Live figures per line x site, agents, alerts")
async def snapshot(state: StateDep) -> Response:
    body = state.board.ready_json() or await asyncio.to_thread(state.board.get_json)
    return Response(body, media_type="application/json")


@router.get("/wallboard/history", summary="Queue length samples over the last hours")
def history(state: StateDep) -> dict:
    return {"samples": [{"t": s["t"], "waiting": s["waiting"]}
                        for s in state.history.samples(since=time.time() - 24 * 3600)]}


@router.get("/wallboard/events", summary="Server-sent events: each new snapshot (at least every 0.4 s)")
async def events(request: Request, state: StateDep) -> StreamingResponse:
    async def stream():
        sent = None
        while not await request.is_disconnected():
            body = await asyncio.to_thread(state.board.get_json)
            if body is not sent:  # push each new board once
                sent = body
                yield b"event: snapshot\ndata: " + body + b"\n\n"
            await asyncio.sleep(PUSH_CHECK_SECONDS)
    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


@router.get("/agents", summary="Agents signed in, with state and time in state")
def agents(state: StateDep) -> dict:
    return {"at": time.time(), "agents": state.board.get()["agents"]}


def _known(state, agent_id: str):
    st = state.queue.agent(agent_id)
    if st is None or st.state == "logged_out":
        raise NotFound(f"坐席 {agent_id} 未签入 (agent not signed in)", agent_id=agent_id)
    return st


@router.post("/agents/{agent_id}/pause", summary="Force an agent into pause")
def force_pause(agent_id: AgentId, body: PauseIn, state: StateDep) -> dict:
    if body.reason not in state.operator.pause_reasons:
        raise InvalidInput(f"未知的示忙原因 {body.reason!r}", reason=body.reason)
    _known(state, agent_id)
    return state.queue.pause(agent_id, body.reason).to_dict()


@router.post("/agents/{agent_id}/logout", summary="Force an agent out of the queue")
def force_logout(agent_id: AgentId, state: StateDep) -> dict:
    _known(state, agent_id)
    return state.queue.logout(agent_id).to_dict()


@router.post("/agents/{agent_id}/spy", summary="Listen to or whisper on an agent's call (ChanSpy)")
def spy(agent_id: AgentId, body: SpyIn, user: UserDep, state: StateDep) -> dict:
    st = _known(state, agent_id)
    if st.state != "on_call":
        raise InvalidInput("该坐席不在通话中 (the agent is not on a call)", agent_id=agent_id)
    state.telephony.spy(supervisor_dial=DIAL.format(body.extension), agent_dial=st.dial,
                        whisper=body.mode == "whisper")
    return {"ok": True, "message": "正在呼叫您的分机" + body.extension}
