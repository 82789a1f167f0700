"""Callbacks over AMI: call the agent first, then the citizen; report each outcome.

``make_dialer(deps)`` is what agi_scripts.callbacks looks for. A callback counts as placed
when the agent answered (OriginateResponse Success): the dialplan then dials the citizen.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from asterisk.manager import ManagerSocketException

from ami.client import CALLBACK_CONTEXT, DEFAULT_RING_S, AmiClient
from ami.errors import AmiError

log = logging.getLogger("hotline.ami.callbacks")
CALLBACK_FOR = "HOTLINE_CALLBACK_FOR"  # agi_scripts.channel_vars.CALLBACK_FOR (same contract)
EARLY_LIMIT = 1000


class AmiDialer:
    """Places callbacks over one lazily (re)connected AMI client."""

    def __init__(self, connect: Callable[[], AmiClient], report: Callable[[str, bool], object],
                 context: str = CALLBACK_CONTEXT, ring_s: int = DEFAULT_RING_S):
        self._connect, self._report = connect, report
        self.context, self.ring_s = context, ring_s
        self._client: AmiClient | None = None
        self._lock = threading.Lock()
        self._pending: dict[str, str] = {}   # Originate ActionID -> call id
        self._early: dict[str, bool] = {}    # results that beat the registration

    def place_callback(self, agent_dial: str, citizen_number: str, variables: dict) -> None:
        call_id = str(variables.get(CALLBACK_FOR, ""))
        try:
            action_id = self._ensure_client().place_callback(
                agent_dial, citizen_number, variables, context=self.context, ring_s=self.ring_s)
        except (AmiError, ManagerSocketException) as exc:
            log.warning("callback %s via %s not placed: %s", call_id, agent_dial, exc)
            self._drop_client()
            self._finish(call_id, False)
            return
        with self._lock:
            early = self._early.pop(action_id, None)
            if early is None:
                self._pending[action_id] = call_id
        if early is not None:
            self._finish(call_id, early)

    def _on_originate_response(self, event: dict) -> None:
        action_id, ok = event.get("ActionID", ""), event.get("Response") == "Success"
        with self._lock:
            call_id = self._pending.pop(action_id, None)
            if call_id is None:
                self._early[action_id] = ok
                while len(self._early) > EARLY_LIMIT:
                    self._early.pop(next(iter(self._early)))
                return
        self._finish(call_id, ok)

    def _finish(self, call_id: str, ok: bool) -> None:
        if call_id:
            try:
                self._report(call_id, ok)
            except Exception:
                log.exception("reporting callback %s failed", call_id)

    def _ensure_client(self) -> AmiClient:
        with self._lock:
            if self._client is None or not self._client.connected:
                self._client = self._connect().connect()
                self._client.on_event("OriginateResponse", self._on_originate_response)
            return self._client

    def _drop_client(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    def close(self) -> None:
        self._drop_client()


def make_dialer(deps) -> AmiDialer:
    """The dialer for the FastAGI server: AMI settings from HOTLINE_AMI_*."""
    from config.settings import load_settings

    settings = load_settings()
    return AmiDialer(lambda: AmiClient.from_settings(settings), deps.queue.callback_result)
