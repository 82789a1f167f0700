"""The Lua scripts: each file is loaded once per Redis server (and policy) and run with EVALSHA.

Every operation touching more than one key is one script file under lua/, with a KEYS/ARGV
header. A script is built from the library files (_lib.lua, _match.lua) and the file itself, keeping only the library
functions and key builders (generated from keys.py) it uses, directly or through other
functions: building closures it never calls costs every call microseconds. The queue policy
is written into each script as a table literal (see policy.py), so one policy's scripts share
SHA1s across processes, and a changed policy simply makes new scripts. A NOSCRIPT answer
(Redis restarted, SCRIPT FLUSH) loads the script again and retries.
"""

from __future__ import annotations

import hashlib
import re
import time
from functools import lru_cache
from pathlib import Path

from redis.exceptions import ConnectionError, NoScriptError, TimeoutError

from callqueue.keys import lua_prelude
from callqueue.policy import lua_table

LUA_DIR = Path(__file__).resolve().parent / "lua"
LIB_FILES = ("_lib.lua", "_match.lua")  # shared code, in this order; not operations
PRELUDE_MARK = "--@PRELUDE@--"
POLICY_MARK = "--@POLICY@--"
RETRIES = 3                 # as redis-py's default Retry
RETRY_PAUSE_SECONDS = 0.05  # then 0.1, 0.2
FUNCTION_START = re.compile(r"^(?:--[^\n]*\n)*local function (\w+)\(", re.M)
KEY_USE = re.compile(r"\bK\.(\w+)\(")
WORD = re.compile(r"\b\w+\b")


def _split_lib(text: str) -> tuple[str, dict[str, str]]:
    """The header (everything before the first function) and each function's block."""
    starts = list(FUNCTION_START.finditer(text))
    header = text[:starts[0].start()]
    blocks = {}
    for i, m in enumerate(starts):
        end = starts[i + 1].start() if i + 1 < len(starts) else len(text)
        blocks[m.group(1)] = text[m.start():end]
    return header, blocks


def _needed(body: str, blocks: dict[str, str]) -> list[str]:
    wanted, todo = set(), set(WORD.findall(body)) & blocks.keys()
    while todo:
        name = todo.pop()
        wanted.add(name)
        todo |= (set(WORD.findall(blocks[name])) & blocks.keys()) - wanted
    return [name for name in blocks if name in wanted]  # library order: callees first


def build(op_text: str, lib_text: str) -> str:
    header, blocks = _split_lib(lib_text)
    names = _needed(op_text, blocks)
    code = "".join(blocks[n] for n in names)
    used_keys = set(KEY_USE.findall(code + op_text)) | {"events"}
    prelude = "\n".join(line for line in lua_prelude().splitlines()
                        if not line.startswith("K.") or line.split(" ")[0][2:] in used_keys)
    return header.replace(PRELUDE_MARK, prelude) + code + "\n" + op_text


def _build_sources() -> dict[str, str]:
    lib = "\n".join((LUA_DIR / name).read_text(encoding="utf-8") for name in LIB_FILES)
    return {path.stem: build(path.read_text(encoding="utf-8"), lib)
            for path in sorted(LUA_DIR.glob("*.lua")) if path.name not in LIB_FILES}


TEMPLATES = _build_sources()  # every script, its policy still a mark


@lru_cache(maxsize=16)
def compiled(policy_table: str) -> tuple[dict[str, str], dict[str, str]]:
    """(sources, SHA1s) by script name, with `policy_table` (lua_table()) written in."""
    sources = {name: src.replace(POLICY_MARK, policy_table, 1) for name, src in TEMPLATES.items()}
    shas = {name: hashlib.sha1(src.encode()).hexdigest() for name, src in sources.items()}
    return sources, shas


class Scripts:
    """Runs the named scripts on one client, loading each when the server lacks it.

    With a pooled client (redis.Redis, Sentinel included) a run borrows a pool connection
    and speaks EVALSHA on it directly: the client's general command path costs more Python
    time than the round trip itself, on every queue operation of every call. Connection
    errors are retried like the client does (RETRIES, doubling pauses), on a new connection.
    Other clients (e.g. RedisCluster) go through their own evalsha."""

    def __init__(self, client, policy: dict):
        self.client = client
        self.sources, self.shas = compiled(lua_table(policy))
        self.pool = getattr(client, "connection_pool", None)

    def run(self, name: str, keys: list[str], args: list):
        if self.pool is None:
            return self._via_client(name, keys, args)
        for attempt in range(RETRIES + 1):
            conn = self.pool.get_connection()
            try:
                return self._evalsha(conn, name, keys, args)
            except (ConnectionError, TimeoutError):
                conn.disconnect()
                if attempt == RETRIES:
                    raise
            finally:
                self.pool.release(conn)
            time.sleep(RETRY_PAUSE_SECONDS * 2 ** attempt)
        raise AssertionError("unreachable")

    def _evalsha(self, conn, name: str, keys: list[str], args: list):
        command = ("EVALSHA", self.shas[name], len(keys), *keys, *args)
        conn.send_command(*command)
        try:
            return conn.read_response()
        except NoScriptError:
            conn.send_command("SCRIPT", "LOAD", self.sources[name])
            conn.read_response()
            conn.send_command(*command)
            return conn.read_response()

    def _via_client(self, name: str, keys: list[str], args: list):
        try:
            return self.client.evalsha(self.shas[name], len(keys), *keys, *args)
        except NoScriptError:
            self.client.script_load(self.sources[name])
            return self.client.evalsha(self.shas[name], len(keys), *keys, *args)
