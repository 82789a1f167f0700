"""Whether call control reaches Asterisk: the pages grey out their telephony buttons when not."""

from __future__ import annotations

from fastapi import APIRouter

from web.deps import StateDep

router = APIRouter()


@router.get("/api/telephony", summary="Call control status (话务系统已连接 / 未连接)")
def telephony_status(state: StateDep) -> dict:
    return state.telephony.status().as_dict()
