"""The queue policy as the Lua scripts see it: a table literal built from operator config."""

from __future__ import annotations

from callqueue.models import AUTO_PAUSE_REASON, MAX_PRIORITY

STREAM_MAXLEN = 100_000          # events kept (approximately: XADD MAXLEN ~)
# After a miss (below max_consecutive_misses) the agent rests in wrap_up, reason "missed", this
# long, so the caller goes to another agent first (mod_callcenter's no-answer-delay-time,
# app_queue's retry). 0: ready again at once.
MISS_DELAY_SECONDS = 5
RECENT_RING_MINUTES = 16         # per-minute buckets of recent arrivals, waits and talk
NOTIFY_TTL_SECONDS = 60          # an unread offer notification expires after this
FINISHED_KEEP_SECONDS = 2 * 86400  # a finished call's record stays (outcome counted once)
DAY_COUNTERS_TTL_SECONDS = 8 * 86400


def parents_of(operator_config) -> dict[str, str]:
    """Each non-province site overflows to its parent, else to the province."""
    province = operator_config.province.id
    return {s.id: (s.parent or province) for s in operator_config.sites.values()
            if s.kind != "province"}


def spills_of(operator_config) -> dict[str, list[str]]:
    """Sites whose agents take a site's callers at once when its own agents are not free.

    The province's callers (the province is also the site of a caller whose city is not
    known) go to every city's and prefecture's agents with the skill, after the province's
    own agents. A city's callers spill nowhere at once: they overflow to their parent only
    after overflow_after_seconds (see parents_of).
    """
    province = operator_config.province.id
    return {province: [s for s in operator_config.sites if s != province]}


def _pairs(mapping: dict) -> str:
    return ";" + "".join(f"{k}={v};" for k, v in mapping.items())


def policy(operator_config, stream_maxlen: int = STREAM_MAXLEN) -> dict[str, int | float | str]:
    """What every script knows as C: limits and timers from config plus the queue's constants."""
    q = operator_config.queue
    return {
        "offer_timeout": q.offer_timeout_seconds,
        "max_misses": q.max_consecutive_misses,
        "escalate": q.escalate_after_seconds,
        "general_after": q.general_after_seconds,
        "overflow": q.overflow_after_seconds,
        "lease": q.lease_seconds,
        "rlease": q.fastagi_lease_seconds,
        "resume_grace": q.resume_grace_seconds,
        "cb_max": q.callback_max_attempts,
        "cb_retry": q.callback_retry_seconds,
        "general": q.general_line,
        "target": q.answer_target_seconds,
        "auto_pause": AUTO_PAUSE_REASON,
        "miss_delay": MISS_DELAY_SECONDS,
        "max_priority": MAX_PRIORITY,
        "maxlen": stream_maxlen,
        "ring": RECENT_RING_MINUTES,
        "notify_ttl_ms": NOTIFY_TTL_SECONDS * 1000,
        "keep_seconds": FINISHED_KEEP_SECONDS,
        "day_ttl": DAY_COUNTERS_TTL_SECONDS,
        # maps as ';key=value;' text: one string.match when needed, no table to build per run
        "parents": _pairs(parents_of(operator_config)),
        "spills": _pairs({site: ",".join(to) for site, to in spills_of(operator_config).items()
                          if to}),
        "wrap": _pairs({ln.id: ln.wrap_up_seconds for ln in operator_config.lines.values()}),
    }


def _lua_string(text: str) -> str:
    """A Lua 5.1 string literal: printable ASCII kept, every other byte as a decimal escape."""
    out = []
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        out.append(ch if 32 <= byte < 127 and ch not in "\\'" else f"\\{byte:03d}")
    return "'" + "".join(out) + "'"


def _lua_value(value: int | float | str) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise TypeError(f"policy values are numbers or text, not {value!r}")
    if isinstance(value, str):
        return _lua_string(value)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"policy number must be finite, not {value!r}")
    return repr(value)


def lua_table(values: dict[str, int | float | str]) -> str:
    """`local C = {...}`: the policy as a Lua table constructor."""
    fields = ", ".join(f"{name} = {_lua_value(v)}" for name, v in sorted(values.items()))
    return f"local C = {{{fields}}}"
