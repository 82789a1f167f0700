"""The SMS webhook (POST /twilio/sms): a text opens a case or rates one; the reply is TwiML."""

from __future__ import annotations

from fastapi import Request, Response
from twilio.twiml.messaging_response import MessagingResponse

from crm import sms
from web.twilio import keys
from web.twilio.signature import TwilioForm

REPLY_TTL_SECONDS = 24 * 3600   # Twilio retries a webhook within minutes; a day is plenty
LOCK_TIMEOUT_SECONDS = 20


def inbound_sms(request: Request, form: TwilioForm) -> Response:
    """Twilio's "A message comes in" webhook; the auto-reply is immediate (GB/T 33358: 3 min)."""
    ch = request.app.state.twilio
    message_sid = form.get("MessageSid", "") or form.get("SmsSid", "")
    with ch.redis.lock(keys.sms_lock(message_sid), timeout=LOCK_TIMEOUT_SECONDS,
                       blocking_timeout=LOCK_TIMEOUT_SECONDS):
        reply = ch.redis.get(keys.sms_reply(message_sid))
        if reply is None:  # the first delivery of this message: act on it once
            with ch.sessions.begin() as session:
                outcome = sms.handle_inbound(session, sender=form.get("From", ""),
                                             body=form.get("Body", ""),
                                             sites=ch.operator.sites.values(), now=ch.clock())
            reply = outcome.reply
            ch.redis.set(keys.sms_reply(message_sid), reply, ex=REPLY_TTL_SECONDS)
    resp = MessagingResponse()
    resp.message(reply)
    return Response(str(resp), media_type="application/xml")


def send_survey(ch, case_number: str) -> str:
    """Text a case's callback survey through this process's Twilio channel; the message SID."""
    return survey_by_sms(ch.sessions, ch.client, ch.settings.twilio_sms_from, case_number)


def survey_by_sms(sessions, client, from_number: str, case_number: str) -> str:
    """Text the callback survey (回访) of a case from ``from_number``; one transaction."""
    if client is None or not from_number:
        raise RuntimeError("Twilio SMS is not configured (HOTLINE_TWILIO_SMS_FROM and credentials)")

    def deliver(to: str, body: str) -> str:
        return client.messages.create(to=to, from_=from_number, body=body).sid

    with sessions.begin() as session:
        return sms.send_survey(session, case_number, deliver)
