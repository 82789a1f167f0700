"""Everything the Twilio webhooks share in one process, built once by routes.install."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from crm.calls import CallRecord
from crm.enums import CallOutcome, Channel, Rating
from crm.intake import Intake
from crm.numbers import normalize, site_for_location
from ivr.machine import Machine
from ivr.settings import MenuSettings
from web.twilio.bridge import AgentBridge
from web.twilio.callbacks import TwilioCallbackWatcher
from web.twilio.callstate import CallStore, TwilioCall
from web.twilio.flow import VoiceFlow, utcnow
from web.twilio.twiml import Renderer, Urls

log = logging.getLogger("hotline.twilio")

MAX_PATH = 200
# Outcomes the queue counts itself (abandon(), request_callback()); the rest are reported.
QUEUE_COUNTS_ITSELF = {CallOutcome.ABANDONED, CallOutcome.CALLBACK}
TURNS_PER_LEASE = 3
MIN_HOLD_SLICE = 2.0


@dataclass
class TwilioChannel:
    settings: object
    operator: object
    sessions: object
    redis: object
    queue: object
    client: object
    store: CallStore
    flow: VoiceFlow
    bridge: AgentBridge
    intake: Intake
    callback_watcher: TwilioCallbackWatcher | None = None

    @property
    def auth_token(self) -> str:
        return self.settings.twilio_auth_token.get_secret_value()

    @property
    def public_base_url(self) -> str:
        return self.settings.public_base_url

    def site_for(self, to: str, caller: str) -> str:
        """The number's configured site, else the caller's geocoded city, else the province."""
        configured = self.settings.twilio_number_sites.get(to.strip())
        if configured in self.operator.sites:
            return configured
        location = normalize(caller).location
        return site_for_location(location, self.operator.sites.values()) or self.operator.province.id

    def record(self, call: TwilioCall) -> None:
        """The call's one CRM row through crm.intake (idempotent on the CallSid)."""
        rec = build_record(call, self.clock())
        self.intake.finish_call(rec, repeat_days=max(self.operator.menu.repeat_caller_days, 1))
        if rec.outcome not in QUEUE_COUNTS_ITSELF and rec.queued_at is not None:
            self.queue.finish_caller(rec.call_id, str(rec.outcome))

    def clock(self):
        return self.flow.clock()

    def start(self) -> None:
        """Background work of a running web process: place Twilio callers' callbacks."""
        if self.client is None:
            log.warning("Twilio credentials are not set: Twilio callers' callbacks not placed")
            return
        if self.callback_watcher is None:
            self.callback_watcher = TwilioCallbackWatcher(self)
            self.callback_watcher.start()

    def stop(self) -> None:
        """Shutdown: stop placing callbacks and watching waiting callers."""
        if self.callback_watcher is not None:
            self.callback_watcher.stop()
            self.callback_watcher = None
        self.bridge.stop()


def build_record(call: TwilioCall, now) -> CallRecord:
    outcome = CallOutcome(call.outcome or CallOutcome.ABANDONED)
    return CallRecord(
        call_id=call.sid,
        channel=Channel.TWILIO,
        caller_raw=call.caller[:64],
        arrived_at=call.arrived_at,
        outcome=outcome,
        dnid=call.dnid[:32],
        line=call.ivr.line or None,
        site_id=call.site,
        menu_path=call.menu_path[:MAX_PATH],
        queued_at=call.queued_at,
        offered_at=call.offered_at,
        answered_at=call.answered_at if outcome == CallOutcome.ANSWERED else None,
        ended_at=call.ended_at or now,
        agent=call.agent or None,
        rating=Rating(call.rating) if call.rating else None,
        callback_number=call.callback_number,
    )


def hold_slice(lease_seconds: int) -> float:
    """Seconds of one hold turn: three turns per lease, so one late webhook loses nothing."""
    return max(MIN_HOLD_SLICE, lease_seconds / TURNS_PER_LEASE)


def make_client(settings):
    """Twilio's REST client from the settings; None when no credentials are configured."""
    token = settings.twilio_auth_token.get_secret_value()
    if not settings.twilio_account_sid or not token:
        log.warning("Twilio credentials are not set: calls cannot be moved to agents")
        return None
    from twilio.rest import Client

    return Client(settings.twilio_account_sid, token)


def build_channel(ctx, queue, client=None, clock=utcnow) -> TwilioChannel:
    settings, operator = ctx.settings, ctx.operator
    urls = Urls(settings.public_base_url)
    renderer = Renderer(
        operator.prompts, urls, voice=settings.twilio_say_voice,
        language=settings.twilio_say_language,
        prompt_base_url=settings.twilio_prompt_base_url,
        hold_audio_url=settings.twilio_hold_audio_url,
        agent_sip_domain=settings.twilio_agent_sip_domain,
    )
    intake = Intake(ctx.sessions, operator)
    store = CallStore(ctx.redis)
    flow = VoiceFlow(Machine(MenuSettings.from_config(operator)), queue, intake, renderer, urls,
                     clock=clock, hold_slice=hold_slice(operator.queue.lease_seconds))
    bridge = AgentBridge(store, flow, queue, client, operator.queue.offer_timeout_seconds)
    flow.on_enqueued = bridge.watch
    return TwilioChannel(settings, operator, ctx.sessions, ctx.redis, queue, client, store, flow,
                         bridge, intake)
