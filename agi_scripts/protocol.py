"""A thin adapter over pyst2's ``asterisk.agi.AGI`` that fixes its defects on Python 3.11.

- never runs the stock ``__init__`` (its SIGHUP handler fails outside the main thread);
- reads and writes text-mode socket files, one bounded line at a time;
- an inline ``HANGUP`` line, EOF, a broken pipe and ``511`` all become ``AgiHangup``;
- ``result=-1`` of a prompt means "hung up or prompt missing": the next command tells;
- the ``520`` usage reader stops at EOF; garbage raises ``AgiProtocolError``;
- every argument is quoted with escapes, and caller-controlled text is filtered;
- pyst2's chatter goes to our logger at DEBUG.
"""

from __future__ import annotations

import io
import logging
import re
import select
from collections.abc import Callable

from asterisk.agi import AGI, AGIInvalidCommand, AGIUsageError, re_kv

log = logging.getLogger("hotline.agi")

MAX_LINE = 8192
MAX_USAGE_LINES = 200
HANGUP_LINE = "HANGUP"
RESULT_RE = re.compile(r"^([0-9]{3})(?:[ -](.*))?$", re.ASCII)
KEY_CODE_RE = re.compile(r"[0-9]{1,3}", re.ASCII)  # a key's character code (result=49)
# pyst2's re_kv needs a non-empty value, so it misses GET DATA's "result= (timeout)".
RESULT_KV_RE = re.compile(r"^result=(\S*)(?:\s*\((.*)\))?\s*(.*)$")
# Commands Asterisk accepts on a dead channel (res_agi.c dead_supported).
DEAD_OK = {"DATABASE", "EXEC", "GET", "NOOP", "SET", "VERBOSE", "ASYNCAGI"}
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


class AgiHangup(Exception):
    """The channel hung up (HANGUP line, 511, EOF or a broken socket)."""

    code = "agi_hangup"


class AgiProtocolError(Exception):
    """Traffic that is not AGI: the session is closed and logged."""

    code = "agi_protocol_error"


class _LogWriter:
    """File-like sink for pyst2's stderr chatter."""

    def write(self, text: str) -> None:
        if log.isEnabledFor(logging.DEBUG) and text.strip():
            log.debug("pyst2: %s", text.rstrip())

    def flush(self) -> None:
        pass


def quote(value) -> str:
    """An AGI argument in double quotes, with \\ and " escaped and control characters removed."""
    text = _UNSAFE.sub("", str(value))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class HotlineAGI(AGI):
    """pyst2's command layer over one FastAGI (or stdin) conversation."""

    def __init__(self, rfile, wfile, env: dict[str, str]):  # noqa: super().__init__ not run
        self.stdin, self.stdout, self.stderr = rfile, wfile, _LogWriter()
        self.env = env
        self._got_sighup = False
        self.dead = False         # Asterisk told us the channel hung up
        self.suspect = False      # the last prompt returned -1: hang-up or missing file

    _quote = staticmethod(quote)

    # ---- the wire ----------------------------------------------------------------------------
    def readline(self) -> str:
        try:
            line = self.stdin.readline(MAX_LINE)
        except (OSError, ValueError) as exc:
            raise AgiHangup(f"read failed: {exc}") from None
        if not line:
            raise AgiHangup("EOF")
        if len(line) >= MAX_LINE and not line.endswith("\n"):
            raise AgiProtocolError(f"line longer than {MAX_LINE} characters")
        return line.rstrip("\r\n")

    def execute(self, command, *args, during: Callable[[], object] | None = None):
        """Send one command and read its reply.

        ``during`` runs after the command is sent and before its reply is read, i.e. while
        Asterisk executes the command (plays a prompt, waits for a key): work put there does
        not delay the next command. If it raises, the reply is still read (so the
        conversation stays in step) and the exception goes on."""
        verb = command.split(" ", 1)[0].upper()
        if self.dead and verb not in DEAD_OK:
            raise AgiHangup(f"{command} on a dead channel")
        try:
            self.send_command(command, *args)
        except (OSError, ValueError) as exc:
            raise AgiHangup(f"write failed: {exc}") from None
        if during is not None:
            self._run_during(during)
        return self.get_result()

    def _run_during(self, during: Callable[[], object]) -> None:
        try:
            during()
        except BaseException:
            try:
                self.get_result()
            except Exception:  # the first failure is the one to report
                pass
            raise

    def wait_reply(self, seconds: float) -> bool:
        """Block until input is readable (the reply to a command in progress) or ``seconds``
        pass; True when readable. Input that cannot be polled counts as readable at once."""
        try:
            fd = self.stdin.fileno()
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            return True
        poller = select.poll()  # not select(): a busy server's descriptors pass 1024
        poller.register(fd, select.POLLIN | select.POLLPRI)
        try:
            return bool(poller.poll(max(0, int(seconds * 1000))))
        except (OSError, ValueError):
            return True

    def get_result(self, stdin=None):
        line = self.readline()
        while line == HANGUP_LINE:
            self.dead = True
            line = self.readline()
        m = RESULT_RE.match(line)
        if m is None:
            raise AgiProtocolError(f"not an AGI reply: {line[:80]!r}")
        code, rest = int(m.group(1)), m.group(2) or ""
        if code == 200:
            return self._parse_200(rest)
        if code == 511:
            self.dead = True
            raise AgiHangup("511 dead channel")
        if code == 510:
            raise AGIInvalidCommand(rest)
        if code == 520:
            raise AGIUsageError(self._read_usage(line))
        raise AgiProtocolError(f"unexpected AGI code {code}")

    def _parse_200(self, rest: str) -> dict:
        m = RESULT_KV_RE.match(rest)
        if m is None:
            raise AgiProtocolError(f"200 without a result: {rest[:80]!r}")
        result = {key: (value, data) for key, value, data in re_kv.findall(m.group(3) or "")}
        result["result"] = (m.group(1), m.group(2) or "")
        return result

    def _read_usage(self, first: str) -> str:
        lines = [first]
        if first.startswith("520 "):
            return first
        while len(lines) < MAX_USAGE_LINES:
            line = self.readline()  # EOF raises AgiHangup: never spins
            lines.append(line)
            if line.startswith("520 "):
                return "\n".join(lines)
        raise AgiProtocolError("520 usage text without an end")

    # ---- commands ----------------------------------------------------------------------------
    def _value(self, command, *args, during=None) -> tuple[str, str]:
        return self.execute(command, *args, during=during)["result"]

    def play(self, prompt: str, escape: str = "") -> str:
        """STREAM FILE; the key pressed, or ''. -1 (hang-up or no file) sets ``suspect``."""
        value, _ = self._value("STREAM FILE", quote(prompt), quote(escape), 0)
        return self._key(value)

    def read_digits(self, prompt: str, timeout_ms: int, max_digits: int) -> tuple[str, bool]:
        """GET DATA: (digits, timed_out). -1 sets ``suspect`` and returns ('', True)."""
        value, data = self._value("GET DATA", quote(prompt), int(timeout_ms), int(max_digits))
        if value == "-1":
            self.suspect = True
            return "", True
        self.suspect = False
        return value, data == "timeout" or value == ""

    def wait_digit(self, timeout_ms: int, during: Callable[[], object] | None = None) -> str:
        """WAIT FOR DIGIT: the key or ''. -1 there is a hang-up (no file is involved).

        ``during`` runs while Asterisk waits (see execute)."""
        value, _ = self._value("WAIT FOR DIGIT", int(timeout_ms), during=during)
        if value == "-1":
            self.dead = True
            raise AgiHangup("WAIT FOR DIGIT returned -1")
        return self._key(value)

    def _key(self, value: str) -> str:
        if value == "-1":
            self.suspect = True
            return ""
        self.suspect = False
        if value in ("", "0"):
            return ""
        if not KEY_CODE_RE.fullmatch(value):
            raise AgiProtocolError(f"not a key: {value[:20]!r}")
        return chr(int(value))

    def set_var(self, name: str, value) -> None:
        self.execute("SET VARIABLE", quote(name), quote(value))

    def get_var(self, name: str) -> str:
        value, data = self._value("GET VARIABLE", quote(name))
        return data if value == "1" else ""

    def run_app(self, app: str, *args) -> str:
        """EXEC app with comma-joined arguments (each filtered by the caller of this method)."""
        joined = ",".join(str(a).replace(",", "") for a in args)
        value, _ = self._value("EXEC", app, quote(joined))
        return value
