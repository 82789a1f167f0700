"""The web service's Redis Lua scripts: one file each, loaded once per server, run by SHA1."""

from __future__ import annotations

import hashlib
from pathlib import Path

from redis.exceptions import NoScriptError

LUA_DIR = Path(__file__).resolve().parent
SOURCES = {path.stem: path.read_text(encoding="utf-8") for path in sorted(LUA_DIR.glob("*.lua"))}
SHAS = {name: hashlib.sha1(src.encode()).hexdigest() for name, src in SOURCES.items()}


def run(redis, name: str, keys: list[str], args: list):
    """EVALSHA script ``name``; load it first when the server lacks it (restart, SCRIPT FLUSH)."""
    try:
        return redis.evalsha(SHAS[name], len(keys), *keys, *args)
    except NoScriptError:
        redis.script_load(SOURCES[name])
        return redis.evalsha(SHAS[name], len(keys), *keys, *args)
