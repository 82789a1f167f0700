"""The Twilio webhooks: POST /twilio/voice (+ steps under it) and POST /twilio/sms."""

from __future__ import annotations

from fastapi import APIRouter

from web.twilio import callbacks, sms_routes, voice_routes
from web.twilio.channel import build_channel, make_client

# The webhook URLs Twilio is configured with (all POST, all signature-checked). One flat
# router: nested routers would hide the full path from web.access's route table.
WEBHOOKS = (
    ("/voice", voice_routes.entry),              # the number's "A call comes in"
    ("/voice/digits", voice_routes.digits),      # Gather results
    ("/voice/wait", voice_routes.wait),          # one turn of the wait loop
    ("/voice/agent-answered", voice_routes.agent_answered),  # runs on the agent's leg
    ("/voice/dialed", voice_routes.dialed),      # the Dial to the agent ended
    ("/voice/status", voice_routes.status),      # the number's "Call status changes"
    ("/voice/callback-status", callbacks.callback_status),  # a placed callback's leg
    ("/sms", sms_routes.inbound_sms),            # the number's "A message comes in"
)

router = APIRouter(prefix="/twilio", tags=["twilio"])
for _path, _endpoint in WEBHOOKS:
    router.add_api_route(_path, _endpoint, methods=["POST"])


def install(app, ctx, client=None, queue=None) -> None:
    """Build the channel once per process and keep it in ``app.state.twilio``.

    ``client`` is Twilio's REST client (tests pass one over a recording HTTP client);
    ``queue`` is callqueue's CallQueue, built on ``ctx.redis`` when not given.
    """
    web_state = getattr(app.state, "web", None)
    if queue is None and web_state is not None:  # share web.app's CallQueue when present
        queue = web_state.queue
    if queue is None:
        from callqueue.api import CallQueue

        queue = CallQueue(ctx.redis, ctx.operator)
    if client is None:
        client = make_client(ctx.settings)
    app.state.twilio = build_channel(ctx, queue, client)


def public_routes() -> list[str]:
    """"METHOD /path" of every webhook, for web.access's table.

    All are public: Twilio's signature is checked instead of a login.
    """
    from web.access import router_routes

    return router_routes(router)
