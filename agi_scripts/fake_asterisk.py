"""A FastAGI client that behaves like Asterisk's res_agi.c, for the simulator and the tests.

It sends the agi_* block, answers each command as res_agi.c words it, and on a hang-up
answers the running command with -1, sends an inline HANGUP line and from then on 511 to
anything a dead channel may not do.
"""

from __future__ import annotations

import socket
import time
from typing import Protocol

from agi_scripts.session import close_files

DEAD_OK = {"DATABASE", "EXEC", "GET", "NOOP", "SET", "VERBOSE"}
DEAD_REPLY = "511 Command Not Permitted on a dead channel or intercept routine"
HANGUP = object()  # what a behaviour returns to hang up during a command


class Behaviour(Protocol):
    def on_prompt(self, name: str, escape: str): ...            # key | "" | HANGUP
    def on_get_data(self, name: str, timeout_ms: int, max_digits: int): ...  # (digits, timed_out) | HANGUP
    def on_wait(self, timeout_ms: int): ...                     # key | "" | HANGUP


def parse_args(text: str) -> list[str]:
    """AGI argument splitting as res_agi.c's parse_args: quotes and backslash escapes."""
    args, cur, quoted, escaped, started = [], [], False, False, False
    for ch in text:
        if escaped:
            cur.append(ch); escaped = False; started = True
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted; started = True
        elif ch == " " and not quoted:
            if started:
                args.append("".join(cur)); cur, started = [], False
        else:
            cur.append(ch); started = True
    if started:
        args.append("".join(cur))
    return args


class SimChannel:
    """One channel: its variables, its liveness, and AGI conversations with a server."""

    def __init__(self, address: tuple[str, int], uniqueid: str, callerid: str = "unknown",
                 dnid: str = "12345", behaviour: Behaviour | None = None, context="hotline-inbound"):
        self.address, self.uniqueid = address, uniqueid
        self.callerid, self.dnid, self.context = callerid, dnid, context
        self.behaviour = behaviour
        self.vars: dict[str, str] = {}
        self.dead = False
        self.commands = 0
        self.turnarounds: list[float] = []

    def env_block(self, script: str, args=(), extension: str | None = None) -> str:
        lines = [("agi_network", "yes"), ("agi_network_script", script),
                 ("agi_request", f"agi://{self.address[0]}/{script}"),
                 ("agi_channel", f"PJSIP/trunk-{self.uniqueid}"), ("agi_language", "zh"),
                 ("agi_type", "PJSIP"), ("agi_uniqueid", self.uniqueid), ("agi_version", "22.0.0"),
                 ("agi_callerid", self.callerid), ("agi_calleridname", "unknown"),
                 ("agi_callingpres", "0"), ("agi_callingani2", "0"), ("agi_callington", "0"),
                 ("agi_callingtns", "0"), ("agi_dnid", self.dnid), ("agi_rdnis", "unknown"),
                 ("agi_context", self.context), ("agi_extension", extension or self.dnid),
                 ("agi_priority", "3"), ("agi_enhanced", "0.0"), ("agi_accountcode", ""),
                 ("agi_threadid", "140000000000000")]
        lines += [(f"agi_arg_{i}", a) for i, a in enumerate(args, 1)]
        return "".join(f"{k}: {v}\n" for k, v in lines) + "\n"

    def agi(self, script: str, args=(), connect_timeout: float = 2.0,
            extension: str | None = None) -> str:
        """Run AGI(agi://host/script) (on `extension`, e.g. "h"); returns AGISTATUS."""
        try:
            sock = socket.create_connection(self.address, timeout=connect_timeout)
        except OSError:
            return "FAILURE"
        sock.settimeout(None)
        rfile = sock.makefile("r", encoding="utf-8", newline="\n")
        wfile = sock.makefile("w", encoding="utf-8", newline="\n")
        try:
            wfile.write(self.env_block(script, args, extension)); wfile.flush()
            sent = time.perf_counter()
            while True:
                line = rfile.readline()
                if not line:
                    return "SUCCESS"
                self.turnarounds.append(time.perf_counter() - sent)
                reply = self.respond(line.rstrip("\n"))
                wfile.write(reply + "\n"); wfile.flush()
                sent = time.perf_counter()
        except OSError:
            return "SUCCESS"  # res_agi: the script went away after connecting
        finally:
            close_files(wfile, rfile)
            sock.close()

    def respond(self, line: str) -> str:
        self.commands += 1
        words = parse_args(line)
        if not words:
            return "510 Invalid or unknown command"
        verb = words[0].upper()
        two = " ".join(w.upper() for w in words[:2])
        if self.dead and verb not in DEAD_OK:
            return DEAD_REPLY
        handler = _COMMANDS.get(two) or _COMMANDS.get(verb)
        if handler is None:
            return "510 Invalid or unknown command"
        return handler(self, words)

    def hang_up(self, reply: str) -> str:
        self.dead = True
        return reply + "\nHANGUP"

    # ---- commands ------------------------------------------------------------------------
    def _stream(self, w):
        got = self.behaviour.on_prompt(w[2], w[3] if len(w) > 3 else "")
        if got is HANGUP:
            return self.hang_up("200 result=-1 endpos=0")
        if got:
            return f"200 result={ord(got)} endpos=4000"
        return "200 result=0 endpos=8000"

    def _get_data(self, w):
        got = self.behaviour.on_get_data(w[2], int(w[3]), int(w[4]))
        if got is HANGUP:
            return self.hang_up("200 result=-1")
        digits, timed_out = got
        return f"200 result={digits}" + (" (timeout)" if timed_out else "")

    def _wait_digit(self, w):
        got = self.behaviour.on_wait(int(w[3]))
        if got is HANGUP:
            return self.hang_up("200 result=-1")
        return f"200 result={ord(got) if got else 0}"

    def _set(self, w):
        self.vars[w[2]] = w[3] if len(w) > 3 else ""
        return "200 result=1"

    def _get(self, w):
        value = self.vars.get(w[2]) if len(w) > 2 else None
        return "200 result=0" if value is None else f"200 result=1 ({value})"

    def _exec(self, w):
        return "200 result=0"

    def _noop(self, w):
        return "200 result=0"


_COMMANDS = {
    "STREAM FILE": SimChannel._stream,
    "GET DATA": SimChannel._get_data,
    "WAIT FOR": SimChannel._wait_digit,
    "SET VARIABLE": SimChannel._set,
    "GET VARIABLE": SimChannel._get,
    "EXEC": SimChannel._exec,
    "NOOP": SimChannel._noop,
    "VERBOSE": SimChannel._noop,
    "ANSWER": SimChannel._noop,
}
