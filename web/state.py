"""What the web app holds for its lifetime, built once by create_app and kept on app.state."""

from __future__ import annotations

from dataclasses import dataclass, field

from web.ratelimit import LoginLimiter
from web.sessions import SessionStore


@dataclass
class WebState:
    ctx: object  # hotline.context.AppContext
    queue: object  # callqueue.api.CallQueue
    sessions: SessionStore
    limiter: LoginLimiter
    telephony: object  # web.telephony.Telephony
    board: object  # web.live.BoardSource
    history: object  # web.history.QueueHistory
    hub: object  # web.hub.EventHub
    offers: object  # web.offers.OfferBook
    registry: object = None  # prometheus_client.CollectorRegistry
    phones: object = None  # web.phone_presence.PhonePresence
    background: list = field(default_factory=list)

    @property
    def operator(self):
        return self.ctx.operator
