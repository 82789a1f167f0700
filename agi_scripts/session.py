"""One AGI conversation over a socket (FastAGI) or stdin/stdout (classic): open, route, close."""

from __future__ import annotations

import logging
import socket

from agi_scripts import channel_vars as cv
from agi_scripts.env import read_env, script_name
from agi_scripts.protocol import MAX_LINE, AgiHangup, AgiProtocolError, HotlineAGI

log = logging.getLogger("hotline.agi.session")


def _reader(rfile):
    def readline() -> str:
        line = rfile.readline(MAX_LINE)
        if not line:
            raise AgiHangup("EOF")
        if len(line) >= MAX_LINE and not line.endswith("\n"):
            raise AgiProtocolError(f"line longer than {MAX_LINE} characters")
        return line.rstrip("\r\n")
    return readline


def fallback(agi: HotlineAGI) -> None:
    """Send the call to the dialplan's fallback queue (never into silence)."""
    try:
        agi.set_var(cv.NEXT, cv.NEXT_FALLBACK)
        agi.set_var(cv.DONE, cv.DONE_VALUE)
    except (AgiHangup, AgiProtocolError, OSError):
        pass


def converse(rfile, wfile, routes: dict, deps, peer: str = "stdin", force: str = "") -> str:
    """Read the environment, run the routed script; return the script name (or '' if none)."""
    try:
        env = read_env(_reader(rfile))
    except AgiHangup:
        log.debug("connection from %s closed before any AGI traffic", peer)
        return ""
    except (AgiProtocolError, OSError, ValueError) as exc:
        log.warning("closing malformed AGI session from %s: %s", peer, exc)
        return ""
    agi = HotlineAGI(rfile, wfile, env)
    name = force or script_name(env)
    script = routes.get(name)
    try:
        if script is None:
            log.warning("unknown AGI script %r from %s: fallback", name, peer)
            fallback(agi)
            return ""
        script(agi, deps)
    except AgiHangup:
        log.debug("%s: channel hung up", name)
    except AgiProtocolError as exc:
        log.warning("closing malformed AGI session from %s (%s): %s", peer, name, exc)
    except Exception:
        log.exception("AGI script %s failed; sending the call to the fallback", name)
        fallback(agi)
    return name


def close_files(*files) -> None:
    """Close socket files (writer first, so buffered lines go out); a dead peer is no error."""
    for f in files:
        try:
            f.close()
        except OSError:
            pass


def serve_socket(sock: socket.socket, routes: dict, deps, peer: str) -> None:
    """A FastAGI connection, closed so that Asterisk sees the FIN: files first, then shutdown."""
    rfile = sock.makefile("r", encoding="utf-8", errors="replace", newline="\n")
    wfile = sock.makefile("w", encoding="utf-8", newline="\n")
    try:
        converse(rfile, wfile, routes, deps, peer)
    finally:
        close_files(wfile, rfile)
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()
