"""The phone callback survey (回访) call: ring the citizen, then run the case_survey AGI script.

Originate's channel rings the citizen through the carrier trunk (the same dial string the
[hotline-callback] context builds for a callback's citizen leg); once answered it runs
``AGI(agi://<fastagi>/case_survey?case=<number>)``, so no dialplan context is involved.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from ami.errors import AmiUnsafeValue

log = logging.getLogger("hotline.ami.survey")

DEFAULT_SURVEY_DIAL = "PJSIP/{number}@trunk"  # config.settings HOTLINE_SURVEY_DIAL
SCRIPT = "case_survey"
APPLICATION = "AGI"
CALLER_ID = "12345 <12345>"    # what the citizen's phone shows
RING_S = 45                     # like the callback's Dial(...,45) of the citizen
CASE_NUMBER = re.compile(r"^12345-\d{8}-\d{6}$", re.ASCII)
_NUMBER = re.compile(r"^\+?[0-9]{3,20}$")
_HOST_PORT = re.compile(r"^[A-Za-z0-9.\-]{1,253}:[0-9]{1,5}$")
ANY_HOST = {"0.0.0.0", "::", "[::]", ""}
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class SurveyOriginate:
    """The Originate parameters of one survey call (AmiClient.originate's arguments)."""

    channel: str
    application: str
    data: str
    caller_id: str = CALLER_ID
    ring_s: int = RING_S

    def as_kwargs(self) -> dict:
        return {"application": self.application, "data": self.data,
                "caller_id": self.caller_id, "ring_s": self.ring_s}


def agi_address(fastagi_bind: str) -> str:
    """host:port Asterisk connects to: the FastAGI bind, loopback when it binds every address."""
    host, _, port = fastagi_bind.rpartition(":")
    address = f"{LOOPBACK if host in ANY_HOST else host}:{port}"
    if not _HOST_PORT.fullmatch(address):
        raise AmiUnsafeValue(f"refusing FastAGI address {fastagi_bind!r}")
    return address


def survey_originate(case_number: str, citizen_number: str, *, dial_template: str,
                     fastagi_bind: str) -> SurveyOriginate:
    """Check every value, then build the call; AmiUnsafeValue when one is not what it should be."""
    if not CASE_NUMBER.fullmatch(case_number):
        raise AmiUnsafeValue(f"refusing case number {case_number!r}")
    if not _NUMBER.fullmatch(citizen_number):
        raise AmiUnsafeValue(f"refusing citizen number {citizen_number!r}")
    if dial_template.count("{number}") != 1 or "{" in dial_template.replace("{number}", ""):
        raise AmiUnsafeValue(f"HOTLINE_SURVEY_DIAL needs one {{number}}: {dial_template!r}")
    channel = dial_template.replace("{number}", citizen_number)
    data = f"agi://{agi_address(fastagi_bind)}/{SCRIPT}?case={case_number}"
    return SurveyOriginate(channel=channel, application=APPLICATION, data=data)


def place_survey(client, call: SurveyOriginate) -> str:
    """Originate the call on a connected AmiClient; returns the ActionID."""
    action_id = client.originate(call.channel, **call.as_kwargs())
    log.info("survey call placed: %s (ActionID %s)", call.data.rsplit("=", 1)[-1], action_id)
    return action_id
