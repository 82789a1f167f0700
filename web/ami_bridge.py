"""Telephony over AMI with the ``ami`` package: transfers, three-way calls, ChanSpy.

The dialplan contexts named here are the contract with asterisk_conf/extensions.conf:
  hotline-transfer    exten = the target seat's extension: dial it (blind transfer)
  hotline-emergency   exten = 110: dial the emergency line (the ami package's own)
  hotline-conference  exten = a room number: ConfBridge(room) for three-way calls
"""

from __future__ import annotations

import re
import threading

from ami.client import AmiClient
from ami.errors import AmiError
from web.errors import TelephonyUnavailable

TRANSFER_CONTEXT = "hotline-transfer"
CONFERENCE_CONTEXT = "hotline-conference"
PJSIP = "PJSIP/{}"
_ROOM = re.compile(r"[^0-9]")


class AmiTelephony:
    """Opens one AMI connection on first use and reopens it after a failure."""

    def __init__(self, ctx):
        self.settings, self.operator = ctx.settings, ctx.operator
        self._client: AmiClient | None = None
        self._lock = threading.Lock()

    def _run(self, fn):
        with self._lock:
            try:
                if self._client is None or not self._client.connected:
                    self._client = AmiClient.from_settings(self.settings).connect()
                return fn(self._client)
            except AmiError as exc:
                if self._client is not None:
                    self._client.close()
                self._client = None
                raise TelephonyUnavailable(f"话务控制失败 ({exc.code}: {exc.message})") from None

    @staticmethod
    def _channel_of(client: AmiClient, call_id: str) -> str:
        """The live channel name of a call, looked up by its Asterisk uniqueid."""
        return client.action("Getvar", Channel=call_id, Variable="CHANNEL").get("Value", "")

    def transfer(self, *, call_id: str, agent_dial: str, target: str) -> None:
        def go(client):
            channel = self._channel_of(client, call_id)
            if target == self.operator.menu.emergency_target:
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
            target_dial = target if "/" in target else PJSIP.format(target)
            client.originate(target_dial, context=CONFERENCE_CONTEXT, exten=room)
        self._run(go)

    def spy(self, *, supervisor_dial: str, agent_dial: str, whisper: bool) -> None:
        self._run(lambda client: client.listen(supervisor_dial, agent_dial, whisper=whisper))
