"""Wire the seats to the running Asterisk: the seats file in its root, reloads over AMI."""

from __future__ import annotations

import logging

from seats.render import SEATS_FILE
from seats.sync import SeatSync

log = logging.getLogger("hotline.seats")
SEATS_MODULE = "res_pjsip.so"  # reloaded with ModuleLoad (AMI write class "system")


def seat_files(ctx) -> dict[str, str]:
    """{"pjsip_seats.conf": text} for AsteriskEnv.extra_files; none before `hotline db upgrade`."""
    from redis.exceptions import RedisError
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return {SEATS_FILE: SeatSync(ctx.sessions, ctx.redis).text()}
    except (SQLAlchemyError, RedisError) as exc:
        log.warning("no seats: the CRM is not ready (%s); run `hotline db upgrade`",
                    type(exc).__name__)
        return {}


def _reload_over_ami(settings) -> None:
    from ami.client import AmiClient

    try:
        with AmiClient.from_settings(settings) as client:
            client.action("ModuleLoad", LoadType="reload", Module=SEATS_MODULE)
    except Exception as exc:  # noqa: BLE001 - Asterisk down: it reads the file when it starts
        log.warning("seats written; Asterisk not reloaded (%s)", type(exc).__name__)


def live_seat_sync(ctx) -> SeatSync | None:
    """A SeatSync writing into the Asterisk root when one exists on this machine, else None."""
    from hotline.asterisk_root import is_ready, root_path
    from hotline.asterisk_files import ETC, in_root

    root = root_path()
    if not is_ready(root):
        return None
    return SeatSync(ctx.sessions, ctx.redis, path=in_root(root, ETC) / SEATS_FILE,
                    reload=lambda: _reload_over_ami(ctx.settings))
