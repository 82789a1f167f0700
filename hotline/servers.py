"""Run one server in the foreground: the web (uvicorn) or the FastAGI server."""

from __future__ import annotations

import logging

from config.settings import split_bind
from hotline.context import AppContext
from hotline.logs import setup_logging

log = logging.getLogger("hotline.servers")


def serve_web() -> None:
    import uvicorn

    from web.app import create_app

    ctx = AppContext.from_env()
    setup_logging(ctx.settings.log_level, ctx.settings.log_dir, "web")
    host, port = split_bind(ctx.settings.web_bind)
    log.info("web listening on http://%s:%d", host, port)
    from hotline.seat_wiring import live_seat_sync

    uvicorn.run(create_app(ctx, seat_sync=live_seat_sync(ctx)), host=host, port=port, log_level=ctx.settings.log_level.lower(),
                access_log=False, backlog=1024)


def serve_agi() -> None:
    from agi_scripts.server import serve

    ctx = AppContext.from_env()
    setup_logging(ctx.settings.log_level, ctx.settings.log_dir, "fastagi")
    serve(ctx)
