"""Telephony over AMI with the ``ami`` package: transfers, three-way calls, ChanSpy, and the
phone callback survey's call (ami.survey: Originate into the case_survey AGI script).

The dialplan contexts named here are the contract with asterisk_conf/extensions.conf:
  hotline-transfer    exten = the target seat's extension: dial it (blind transfer)
  hotline-emergency   exten = 110: dial the emergency line (the ami package's own)
  hotline-conference  exten = a room number: ConfBridge(room) for three-way calls
"""

from __future__ import annotations

import logging
import re
import threading
import time

from asterisk.manager import ManagerSocketException

from ami.client import EMERGENCY_CONTEXT, AmiClient
from ami.errors import AmiError
from ami.survey import place_survey, survey_originate
from web.errors import TelephonyUnavailable
from web.telephony import TelephonyStatus

TRANSFER_CONTEXT = "hotline-transfer"
CONFERENCE_CONTEXT = "hotline-conference"
# 12345–110 linkage (三方通话): the emergency lines join a three-way call over their trunk.
EMERGENCY_NUMBERS = frozenset({"110", "119", "120", "122"})


def _third_party(target: str) -> str:
    """The dial string of a three-way call's third party: a full dial string is kept; an
    emergency number goes out through [hotline-emergency]; digits are a seat, dialled by
    [hotline-transfer] with the same seat settings as a blind transfer."""
    if "/" in target:
        return target
    context = EMERGENCY_CONTEXT if target in EMERGENCY_NUMBERS else TRANSFER_CONTEXT
    return f"Local/{target}@{context}"

# Runs when a channel hangs up, whatever context it is in then (Asterisk hangup handlers).
HANGUP_HANDLER_PUSH = "CHANNEL(hangup_handler_push)"
CALL_END_HANDLER = "hotline-inbound,h,1"  # the hotline call's end: its CRM row, the agent freed
_ROOM = re.compile(r"[^0-9]")
_SEAT_DIAL = re.compile(r"(PJSIP|SIP|IAX2)/([0-9]{2,16})", re.ASCII)
PENDING_LIMIT = 1000
STATUS_TTL_S = 3.0  # how long a Ping result answers /api/telephony
NOT_CONNECTED_LABEL = "话务系统未连接"
log = logging.getLogger("hotline.web.ami")


class AmiTelephony:
    """Opens one AMI connection on first use and reopens it after a failure."""

    def __init__(self, ctx):
        self.settings, self.operator = ctx.settings, ctx.operator
        self._client: AmiClient | None = None
        self._lock = threading.Lock()
        self._watched: AmiClient | None = None
        self._surveys: dict[str, str] = {}  # Originate ActionID -> case number
        self._surveys_lock = threading.Lock()
        self._status: TelephonyStatus | None = None
        self._status_at = 0.0

    def _run(self, fn):
        with self._lock:
            try:
                if self._client is None or not self._client.connected:
                    self._client = AmiClient.from_settings(self.settings).connect()
                return fn(self._client)
            except (AmiError, ManagerSocketException, OSError) as exc:
                if self._client is not None:
                    self._client.close()
                self._client = None
                code = getattr(exc, "code", "ami_connect_failed")
                log.warning("AMI action failed (%s): %s", code, exc)
                raise TelephonyUnavailable(f"{NOT_CONNECTED_LABEL} ({code})") from None

    def status(self) -> TelephonyStatus:
        """Whether AMI answers a Ping, checked at most every STATUS_TTL_S seconds."""
        now = time.monotonic()
        if self._status is None or now - self._status_at > STATUS_TTL_S:
            try:
                self._run(lambda client: client.ping())
                self._status = TelephonyStatus(True)
            except TelephonyUnavailable as exc:
                self._status = TelephonyStatus(False, str(exc))
            self._status_at = now
        return self._status

    @staticmethod
    def _channel_of(client: AmiClient, call_id: str) -> str:
        """The live channel name of a call, looked up by its Asterisk uniqueid."""
        return client.action("Getvar", Channel=call_id, Variable="CHANNEL").get("Value", "")

    def transfer(self, *, call_id: str, agent_dial: str, target: str) -> None:
        def go(client):
            channel = self._channel_of(client, call_id)
            if target == self.operator.menu.emergency_target:
                # [hotline-emergency] has no h extension of its own: when the citizen's call
                # with 110 ends, the hotline's h still writes the call's row and frees the agent.
                client.action("Setvar", Channel=channel, Variable=HANGUP_HANDLER_PUSH,
                              Value=CALL_END_HANDLER)
                client.transfer_to_emergency(channel, target)
            else:
                client.redirect(channel, TRANSFER_CONTEXT, target)
        self._run(go)

    def three_way(self, *, call_id: str, agent_dial: str, target: str) -> None:
        room = _ROOM.sub("", call_id)[-12:] or "1"

        def go(client):
            channel = self._channel_of(client, call_id)
            client.redirect(channel, CONFERENCE_CONTEXT, room)
            client.originate(agent_dial, context=CONFERENCE_CONTEXT, exten=room)
            client.originate(_third_party(target), context=CONFERENCE_CONTEXT, exten=room)
        self._run(go)

    def end_seat(self, dial: str) -> None:
        """Hang up every channel of a seat (``PJSIP/8001``): its phone is gone."""
        match = _SEAT_DIAL.fullmatch(dial)
        if not match:
            raise ValueError(f"not a seat's dial string: {dial!r}")
        tech, ext = match.groups()
        self._run(lambda client: client.action("Hangup", Channel=f"/^{tech}\\/{ext}-/"))

    def spy(self, *, supervisor_dial: str, agent_dial: str, whisper: bool) -> None:
        self._run(lambda client: client.listen(supervisor_dial, agent_dial, whisper=whisper))

    def place_survey(self, case_number: str, citizen_number: str) -> None:
        def go(client):
            call = survey_originate(case_number, citizen_number,
                                    dial_template=self.settings.survey_dial,
                                    fastagi_bind=self.settings.fastagi_bind)
            if self._watched is not client:
                client.on_event("OriginateResponse", self._on_originate_response)
                self._watched = client
            action_id = place_survey(client, call)
            with self._surveys_lock:
                self._surveys[action_id] = case_number
                while len(self._surveys) > PENDING_LIMIT:
                    self._surveys.pop(next(iter(self._surveys)))
        self._run(go)

    def _on_originate_response(self, event: dict) -> None:
        with self._surveys_lock:
            number = self._surveys.pop(event.get("ActionID", ""), None)
        if number and event.get("Response") != "Success":
            log.info("survey call for case %s not answered (reason %s): nothing recorded, "
                     "the case stays in callback_survey", number, event.get("Reason", "?"))
