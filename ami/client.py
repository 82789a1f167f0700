"""The hotline's AMI operations: originate, transfer, listen in, hang up, place callbacks.

Every value that reaches Asterisk is checked first: caller-controlled text must not add AMI
headers (line breaks) or channel variables (``,`` splits an Originate ``Variable`` header).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from asterisk.manager import ManagerSocketException

from ami.errors import AmiActionFailed, AmiConnectError, AmiUnsafeValue
from ami.manager import SafeManager

# Dialplan contexts the production extensions.conf provides for AMI-driven calls.
CALLBACK_CONTEXT = "hotline-callback"    # exten = the citizen's number: dial it via the trunk
EMERGENCY_CONTEXT = "hotline-emergency"  # exten = the emergency number (110)
DEFAULT_RING_S = 30

_VAR_NAME = re.compile(r"^_{0,2}[A-Za-z][A-Za-z0-9_]{0,63}$")
_VAR_VALUE = re.compile(r'^[^,"\\\r\n\0|]{0,256}$')
_DIAL = re.compile(r"^[A-Za-z]+/[A-Za-z0-9_.@+/\-]{1,120}$")          # PJSIP/8001, Local/8001@x
_CHANNEL = re.compile(r"^[A-Za-z]+/[A-Za-z0-9_.@+/;:\-]{1,160}$")     # PJSIP/8001-0000001a
_EXTEN = re.compile(r"^[A-Za-z0-9_+*#\-]{1,40}$")
_NUMBER = re.compile(r"^\+?[0-9]{3,20}$")
_CONTEXT = re.compile(r"^[A-Za-z0-9_\-]{1,79}$")


def _need(pattern: re.Pattern, value, what: str) -> str:
    value = str(value)
    if not pattern.match(value):
        raise AmiUnsafeValue(f"refusing {what} {value!r}")
    return value


def variable_headers(variables: Mapping[str, object] | None) -> list[str]:
    """Originate ``Variable`` headers, one per variable, after checking names and values."""
    return [f"{_need(_VAR_NAME, k, 'variable name')}={_need(_VAR_VALUE, v, 'variable value')}"
            for k, v in (variables or {}).items()]


def event_dict(event) -> dict:
    """A pyst2 Event as a plain dict of its headers (``Event`` included)."""
    return dict(event.headers)


class AmiClient:
    """One AMI connection; safe to share between threads."""

    def __init__(self, host: str, port: int, user: str, secret: str,
                 response_timeout: float = 10.0):
        self.host, self.port, self.user, self._secret = host, int(port), user, secret
        self.response_timeout = response_timeout
        self._manager: SafeManager | None = None

    @classmethod
    def from_settings(cls, settings) -> "AmiClient":
        return cls(settings.ami_host, settings.ami_port, settings.ami_user,
                   settings.ami_secret.get_secret_value())

    # --- connection ---------------------------------------------------------------
    def connect(self) -> "AmiClient":
        manager = SafeManager(self.response_timeout)
        try:
            manager.connect(self.host, self.port)
            reply = manager.send_action({"Action": "Login", "Username": self.user,
                                         "Secret": self._secret})
        except ManagerSocketException as exc:
            manager.close()
            raise AmiConnectError(f"AMI at {self.host}:{self.port}: {exc}") from None
        if reply.get_header("Response") != "Success":
            manager.close()
            raise AmiConnectError(f"AMI login as {self.user!r} refused: "
                                  f"{reply.get_header('Message')}")
        self._manager = manager
        return self

    def close(self) -> None:
        if self._manager is not None:
            self._manager.close()
            self._manager = None

    def __enter__(self) -> "AmiClient":
        return self.connect() if self._manager is None else self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def connected(self) -> bool:
        return self._manager is not None and self._manager.connected()

    def on_event(self, name: str, callback: Callable[[dict], None]) -> None:
        """Call ``callback(headers)`` for every event ``name`` ("*" for all), in one thread."""
        self._require().register_event(name, lambda ev, _mgr: callback(event_dict(ev)))

    # --- actions --------------------------------------------------------------------
    def action(self, name: str, **headers) -> dict:
        """Send one action; return the response headers or raise AmiActionFailed."""
        reply = self._require().send_action({"Action": name, **headers})
        if reply.get_header("Response") == "Error":
            raise AmiActionFailed(f"{name}: {reply.get_header('Message')}")
        return dict(reply.headers)

    def ping(self) -> bool:
        return self.action("Ping").get("Response") == "Success"

    def originate(self, channel: str, *, context: str | None = None, exten: str | None = None,
                  priority: int = 1, application: str | None = None, data: str = "",
                  variables: Mapping[str, object] | None = None, caller_id: str | None = None,
                  ring_s: int = DEFAULT_RING_S, account: str | None = None) -> str:
        """Place a call asynchronously; return the ActionID its OriginateResponse event carries.

        ``channel`` rings first; once it answers it runs ``context,exten,priority`` or
        ``application(data)``.
        """
        headers = {"Channel": _need(_DIAL, channel, "channel"), "Async": "true",
                   "Timeout": str(int(ring_s) * 1000)}
        if application:
            headers.update(Application=_need(_CONTEXT, application, "application"), Data=data)
        else:
            headers.update(Context=_need(_CONTEXT, context, "context"),
                           Exten=_need(_EXTEN, exten, "extension"), Priority=str(int(priority)))
        if caller_id:
            headers["CallerID"] = caller_id
        if account:
            headers["Account"] = _need(_CONTEXT, account, "account code")
        if variables:
            headers["Variable"] = variable_headers(variables)
        reply = self._require().send_action({"Action": "Originate", **headers})
        if reply.get_header("Response") == "Error":
            raise AmiActionFailed(f"Originate {channel}: {reply.get_header('Message')}")
        return reply.get_header("ActionID")

    def redirect(self, channel: str, context: str, exten: str, priority: int = 1,
                 extra_channel: str | None = None) -> None:
        """Send a live channel (and optionally its peer) elsewhere in the dialplan."""
        headers = {"Channel": _need(_CHANNEL, channel, "channel"),
                   "Context": _need(_CONTEXT, context, "context"),
                   "Exten": _need(_EXTEN, exten, "extension"), "Priority": str(int(priority))}
        if extra_channel:
            headers["ExtraChannel"] = _need(_CHANNEL, extra_channel, "channel")
        self.action("Redirect", **headers)

    def transfer_to_emergency(self, channel: str, number: str = "110",
                              context: str = EMERGENCY_CONTEXT) -> None:
        """One-key transfer of a citizen's channel to the emergency line (110 by default)."""
        self.redirect(channel, context, _need(_EXTEN, number, "emergency number"))

    def listen(self, supervisor_dial: str, target_channel: str, *, whisper: bool = False,
               ring_s: int = DEFAULT_RING_S) -> str:
        """Ring a supervisor, then ChanSpy on ``target_channel`` (whisper: the agent hears)."""
        options = "qES" + ("w" if whisper else "")
        target = _need(_CHANNEL, target_channel, "channel")
        return self.originate(supervisor_dial, application="ChanSpy",
                              data=f"{target},{options}", ring_s=ring_s)

    def hangup(self, channel: str) -> None:
        self.action("Hangup", Channel=_need(_CHANNEL, channel, "channel"))

    def place_callback(self, agent_dial: str, citizen_number: str,
                       variables: Mapping[str, object] | None = None, *,
                       context: str = CALLBACK_CONTEXT, ring_s: int = DEFAULT_RING_S) -> str:
        """Call the agent first; once they answer, the dialplan dials the citizen.

        The agent's phone shows the citizen's number. Returns the Originate ActionID.
        """
        number = _need(_NUMBER, citizen_number, "citizen number")
        return self.originate(agent_dial, context=context, exten=number, variables=variables,
                              caller_id=f"12345 <{number}>", ring_s=ring_s)

    def _require(self) -> SafeManager:
        if self._manager is None:
            raise AmiConnectError("AMI client is not connected")
        return self._manager
