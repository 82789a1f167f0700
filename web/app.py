"""create_app(ctx): the FastAPI application, wired from one AppContext. Nothing runs at import."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from web import errors
from web.access import authorize, missing_routes
from web.bodylimit import BodyLimit
from web.hub import EventHub
from web.history import SAMPLE_SECONDS, QueueHistory
from web.live import BoardSource, TodayFigures
from web.metrics import make_registry
from web.offers import OfferBook
from web.pages import PHONE_DIST, STATIC_DIR
from web.phone_presence import PhonePresence
from web.ratelimit import LoginLimiter
from web.security_headers import SecurityHeaders
from web.citizen import routes as citizen_routes
from web.routes import admin, agent, auth, cases, ops, pages, supervisor
from web.routes import knowledge, kpi, oversight, workorders
from web.routes import seat as seat_routes
from web.routes import telephony as telephony_routes
from web.routes import testphone
from web.sessions import SessionStore
from web.staffing import Staffing
from web.state import WebState
from web.telephony import load_telephony
from web.twilio import routes as twilio_routes

log = logging.getLogger("hotline.web")
TICK_SECONDS = 1.0  # queue housekeeping (offer timeouts, wrap-up ends); safe from many processes


def build_state(ctx, *, queue=None, telephony=None) -> WebState:
    from callqueue.api import CallQueue

    queue = queue or CallQueue(ctx.redis, ctx.operator)
    history = QueueHistory(ctx.redis)
    # Today's figures on the board are the CRM's, counted as `hotline kpi` counts them.
    board = BoardSource(queue, ctx.operator, Staffing(ctx.operator, history),
                        today=TodayFigures(ctx.sessions, ctx.operator))
    state = WebState(
        ctx=ctx, queue=queue, board=board, history=history, hub=EventHub(queue),
        sessions=SessionStore(ctx.redis, ctx.settings.secret_key.get_secret_value()),
        limiter=LoginLimiter(ctx.redis), telephony=telephony or load_telephony(ctx),
        offers=OfferBook(queue),
    )
    state.hub.listeners.append(state.offers.note)
    state.phones = PhonePresence(ctx.redis, queue, state.telephony, ctx.operator)
    state.registry = make_registry(board, ctx.operator)
    return state


async def _every(seconds: float, fn, name: str) -> None:
    while True:
        try:
            await asyncio.to_thread(fn)
        except Exception:  # noqa: BLE001 - keep the loop alive; Redis may be restarting
            log.exception("%s failed", name)
        await asyncio.sleep(seconds)


def _start_fallback_members(state: WebState):
    """The thread keeping the fallback queue's members, or None when turned off."""
    settings = state.ctx.settings
    if not settings.fallback_sync_seconds:
        return None
    try:
        from ami.fallback_members import FallbackMemberSync
    except ImportError as exc:
        log.warning("no AMI adapter: the fallback queue's members are not kept (%s)", exc)
        return None
    return FallbackMemberSync.from_settings(settings, state.queue).start()


def _lifespan(state: WebState, background: bool):
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        state.hub.start(asyncio.get_running_loop())
        tasks = []
        twilio = getattr(app.state, "twilio", None)
        if background:
            tasks = [asyncio.create_task(_every(TICK_SECONDS, state.queue.tick, "queue tick")),
                     asyncio.create_task(_every(SAMPLE_SECONDS, lambda: state.history.sample(
                         state.board.get()), "queue sampling"))]
            if twilio is not None:
                twilio.start()  # places Twilio callers' callbacks (web/twilio/callbacks.py)
        # app_queue hotline-fallback's members follow our ready agents (ami/fallback_members.py)
        fallback = _start_fallback_members(state) if background else None
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            if fallback is not None:
                await asyncio.to_thread(fallback.stop)
            if background and twilio is not None:
                await asyncio.to_thread(twilio.stop)
            await asyncio.to_thread(state.hub.stop)
    return lifespan


def _openapi_route(app: FastAPI) -> None:
    @app.get("/openapi.json", include_in_schema=False)
    def openapi() -> dict:
        return app.openapi()


async def _login_redirect(request: Request, exc: errors.NotAuthenticated):
    wants_page = not request.url.path.startswith("/api/") and request.method == "GET" \
        and "text/html" in request.headers.get("accept", "")
    if wants_page:
        return RedirectResponse("/login", status_code=303)
    return errors.error_response(exc.code, exc.message)


def create_app(ctx, *, queue=None, telephony=None, background: bool = True,
               seat_sync=None) -> FastAPI:
    """The web application for ``ctx`` (settings, operator data, database, Redis).

    ``seat_sync`` (seats.sync.SeatSync) rewrites Asterisk's seats file when a seat changes.
    """
    state = build_state(ctx, queue=queue, telephony=telephony)
    app = FastAPI(title="12345 hotline", version="1", docs_url=None, redoc_url=None,
                  openapi_url=None, dependencies=[Depends(authorize)],
                  lifespan=_lifespan(state, background))
    app.state.web = state
    app.state.seat_sync = seat_sync
    errors.install(app)
    app.add_exception_handler(errors.NotAuthenticated, _login_redirect)
    for module in (ops, auth, pages, agent, cases, supervisor, admin, twilio_routes,
                   citizen_routes, workorders, oversight, kpi, knowledge, telephony_routes,
                   seat_routes, testphone):
        app.include_router(module.router)
    for module in (oversight, kpi, knowledge):
        app.include_router(module.pages)
    twilio_routes.install(app, ctx)
    citizen_routes.install(app, ctx)
    _openapi_route(app)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    if PHONE_DIST.is_dir():  # built by scripts/bootstrap (npm); without it the page says so
        app.mount("/vendor", StaticFiles(directory=str(PHONE_DIST)), name="vendor")
    app.add_middleware(BodyLimit, max_bytes=ctx.settings.web_max_body_bytes)
    # Outermost, so the 413 above gets these headers too. The browser phone's SIP WebSocket
    # (a setting, when present) is the one other place the pages may connect to.
    app.add_middleware(SecurityHeaders, connect_urls=(ctx.settings.sip_ws_url,))
    missing = missing_routes(app)
    if missing:
        raise RuntimeError(f"routes without a role decision in web.access: {missing}")
    return app
