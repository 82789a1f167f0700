"""Every Redis key the Twilio webhooks write, in one place. Queue state is callqueue's."""

from __future__ import annotations

PREFIX = "hotline:twilio"


def call(call_sid: str) -> str:
    """JSON of one call's TwilioCall (menu state and timestamps)."""
    return f"{PREFIX}:call:{call_sid}"


def call_lock(call_sid: str) -> str:
    """Held while one webhook or the agent bridge steps the call's menu state."""
    return f"{PREFIX}:call:{call_sid}:lock"


def sms_reply(message_sid: str) -> str:
    """The auto-reply already given to one inbound SMS: a Twilio retry gets the same."""
    return f"{PREFIX}:sms:{message_sid}"


def sms_lock(message_sid: str) -> str:
    return f"{PREFIX}:sms:{message_sid}:lock"


def callback_leg(call_sid: str) -> str:
    """Set once the result of one Twilio-placed callback leg was reported (replays ignored)."""
    return f"{PREFIX}:callback:{call_sid}"
