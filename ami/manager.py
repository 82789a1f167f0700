"""pyst2's ``asterisk.manager.Manager`` with its Python 3.11 defects fixed.

Fixed here (see shared/asterisk.md):
- a ``ChanVariable`` header hit ``dict.has_key`` and silently killed the reader thread,
  after which every action blocked forever: our message parser handles it;
- ``send_action(cdict={})`` reused one dict, hence one ActionID: every action gets a fresh
  dict and a fresh ActionID;
- responses were matched in FIFO order and socket writes were unlocked: one lock serialises
  write-and-wait, responses are matched by ActionID, stale ones are dropped, and waiting
  is bounded by a timeout;
- ``setDaemon``/``isSet``/``currentThread`` deprecation warnings;
- an exception in an event callback killed event dispatch: it is logged instead;
- close() could hang on a dead peer: the socket is shut down before joining threads.
"""

from __future__ import annotations

import logging
import queue
import socket
import threading
import time
import uuid
import warnings

from asterisk.manager import Event, Manager, ManagerMsg, ManagerSocketException

from ami.errors import AmiTimeout, AmiUnsafeValue

log = logging.getLogger(__name__)
EOL = "\r\n"
CLOSE_JOIN_S = 5.0


class _Flag(threading.Event):
    """threading.Event that also answers pyst2's deprecated ``isSet`` without a warning."""

    def isSet(self) -> bool:  # noqa: N802 - the name pyst2 calls
        return self.is_set()


class _Message(ManagerMsg):
    """ManagerMsg whose parser handles repeated ``ChanVariable`` headers on Python 3."""

    def parse(self, response):
        data = []
        for n, line in enumerate(response):
            key, sep, value = line.partition(":")
            if not line.endswith("\r\n") or not sep:
                data.extend(response[n:])  # start of a multi-line body
                break
            key, value = key.strip(), value.strip()
            base = key.split("(", 1)[0]  # "ChanVariable(<channel>)" names the channel
            if base.endswith("ChanVariable"):  # also DestChanVariable: several per event
                name, _, var_value = value.partition("=")
                self.headers.setdefault(base, {})[name.strip()] = var_value.strip()
            else:
                self.headers[key] = value
        self.data = "".join(data)


def check_header_value(key: str, value: str) -> None:
    """A CR or LF in an AMI header would let the value inject whole actions."""
    if any(ch in f"{key}{value}" for ch in "\r\n\0"):
        raise AmiUnsafeValue(f"line break in AMI header {key!r}")


class SafeManager(Manager):
    """pyst2's Manager, fixed. Safe to share between threads (actions are serialised)."""

    def __init__(self, response_timeout: float = 10.0):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            super().__init__()
        self._connected, self._running = _Flag(), _Flag()
        self.message_thread = threading.Thread(target=self.message_loop, daemon=True,
                                               name="ami-messages")
        self.event_dispatch_thread = threading.Thread(target=self.event_dispatch, daemon=True,
                                                      name="ami-events")
        self.response_timeout = response_timeout
        self._action_lock = threading.Lock()
        self._raw: socket.socket | None = None
        self._writer = None

    def connect(self, host: str, port: int = 5038, timeout: float = 5.0):
        if self._connected.is_set():
            raise ManagerSocketException(0, "already connected")
        try:
            raw = socket.create_connection((host, int(port)), timeout=timeout)
        except OSError as exc:
            raise ManagerSocketException(exc.errno or 0, str(exc)) from exc
        raw.settimeout(None)
        self._raw, self._sock, self._writer = raw, raw.makefile("rb"), raw.makefile("wb")
        self._connected.set()
        self._running.set()
        self.message_thread.start()
        self.event_dispatch_thread.start()
        return self._await(None, timeout)  # the greeting line

    def send_action(self, cdict=None, **kwargs):
        action = dict(cdict or {})
        action.update(kwargs)
        action_id = action["ActionID"] = f"hotline-{uuid.uuid4().hex}"
        lines = []
        for key, value in action.items():
            for item in value if isinstance(value, list) else [value]:
                check_header_value(str(key), str(item))
                lines.append(f"{key}: {item}")
        payload = (EOL.join(lines) + EOL + EOL).encode("utf-8")
        with self._action_lock:
            if not self._connected.is_set():
                raise ManagerSocketException(0, "not connected")
            try:
                self._writer.write(payload)
                self._writer.flush()
            except OSError as exc:
                raise ManagerSocketException(exc.errno or 0, str(exc)) from exc
            self._reswaiting.insert(0, 1)
            try:
                return self._await(action_id, self.response_timeout)
            finally:
                self._reswaiting.pop(0)

    def _await(self, action_id: str | None, timeout: float):
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                message = self._response_queue.get(timeout=max(remaining, 0))
            except queue.Empty:
                raise AmiTimeout(f"no AMI response within {timeout}s") from None
            if message is None:
                raise ManagerSocketException(0, "connection terminated")
            if action_id is None or message.get_header("ActionID") == action_id:
                return message
            log.debug("dropping a stale AMI response %s", message.get_header("ActionID"))

    def message_loop(self):
        reader = threading.Thread(target=self._receive_data, daemon=True, name="ami-reader")
        reader.start()
        try:
            while self._running.is_set():
                data = self._message_queue.get()
                if not data:
                    self._event_queue.put(None)
                    for _ in list(self._reswaiting):
                        self._response_queue.put(None)
                    break
                self._route(data)
        finally:
            reader.join(CLOSE_JOIN_S)

    def _route(self, data) -> None:
        try:
            message = _Message(data)
            if message.has_header("Event"):
                self._event_queue.put(Event(message))
            else:
                self._response_queue.put(message)
        except Exception:  # one malformed message must not stop the connection
            log.exception("dropping an unparseable AMI message")

    def event_dispatch(self):
        while self._running.is_set():
            event = self._event_queue.get()
            if event is None:
                break
            callbacks = self._event_callbacks.get(event.name, []) + \
                self._event_callbacks.get("*", [])
            for callback in callbacks:
                try:
                    if callback(event, self):
                        break
                except Exception:
                    log.exception("AMI event callback %r failed on %s", callback, event.name)

    def close(self):
        if self._running.is_set() and self._connected.is_set():
            try:
                self.response_timeout = min(self.response_timeout, 2.0)
                self.logoff()
            except Exception:
                pass
        self._shutdown_socket()
        if self._running.is_set():
            self._message_queue.put(None)
            if self.message_thread.is_alive():
                self.message_thread.join(CLOSE_JOIN_S)
            if threading.current_thread() is not self.event_dispatch_thread:
                self.event_dispatch_thread.join(CLOSE_JOIN_S)
        self._running.clear()

    def _shutdown_socket(self) -> None:
        self._connected.clear()
        if self._raw is not None:
            try:
                self._raw.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            for handle in (self._writer, self._raw):
                try:
                    handle.close()
                except OSError:
                    pass
