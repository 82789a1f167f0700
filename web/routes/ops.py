"""Operations: health, Prometheus metrics, reference data for forms, and the floor endpoint."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from web.deps import StateDep
from web.errors import error_response

router = APIRouter()


@router.get("/healthz", summary="Liveness and Redis reachability (no login)")
def healthz(state: StateDep):
    try:
        state.ctx.redis.ping()
    except Exception:  # noqa: BLE001 - any Redis failure means unhealthy
        return error_response("redis_unavailable", "Redis unreachable", status=503)
    return JSONResponse({"ok": True})


@router.get("/metrics", summary="Prometheus metrics (loopback, or supervisor/admin login)")
def metrics(state: StateDep):
    return Response(generate_latest(state.registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/api/floor", summary="A trivial authenticated endpoint (benchmark floor)")
async def floor() -> dict:
    return {"ok": True}


@router.get("/api/reference", summary="Form choices: lines, sites, categories, departments...")
def reference(state: StateDep) -> dict:
    cfg = state.operator
    pick = lambda table: [{"id": x.id, "name": x.name} for x in table.values()]  # noqa: E731
    return {"lines": pick(cfg.lines), "sites": pick(cfg.sites),
            "categories": pick(cfg.categories), "request_types": pick(cfg.request_types),
            "departments": pick(cfg.departments), "pause_reasons": pick(cfg.pause_reasons),
            "urgencies": [{"id": k, "name": v} for k, v in
                          {"normal": "一般", "urgent": "紧急", "very_urgent": "特急"}.items()]}
