"""Every Redis key of the queue, in one place, for Python and (generated) for the Lua scripts.

Keys look like ``hq:{hq}:wait:market:guiyang``. The part in braces is the Redis Cluster hash
tag, so every key of a line (its waiting sets, ready pools, counters, notify lists) lands in
one slot. An agent serves several lines and an assignment moves an agent and a caller in one
atomic script, so lines that share agents must share a tag: that is a *partition*. The default
deployment is one partition (``hq``) for the province; a deployment with disjoint agent pools
may give each pool its own partition.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_PARTITION = "hq"

# name -> (template, meaning). "{}" are filled in order. Lua gets a function per name.
TEMPLATES: dict[str, tuple[str, str]] = {
    "events": ("events", "STREAM of queue events, trimmed with MAXLEN ~"),
    "seq": ("seq", "STRING counter: arrival order across lines (FIFO)"),
    "call": ("call:{}", "HASH one call: line, site, priority, state, times, outcome"),
    "wait": ("wait:{}:{}", "ZSET line, site: waiting call ids by (priority, arrival)"),
    "queues": ("queues", "SET of 'line|site' whose wait set is not empty"),
    "leases": ("leases", "ZSET call id -> lease deadline (waiting callers with a handler)"),
    "offers": ("offers", "ZSET call id -> offer deadline"),
    "orphans": ("orphans", "ZSET call id -> end of its resume grace (handler lost, place kept)"),
    "cbdelay": ("cbdelay", "ZSET call id -> when a failed callback may be tried again"),
    "agent": ("agent:{}", "HASH one agent: site, skills, dial, state, since, reason, call"),
    "agents": ("agents", "SET of logged-in agent ids"),
    "ready": ("ready:{}:{}", "ZSET line, site: ready agents by (level, idle since)"),
    "staff": ("staff:{}:{}", "SET line, site: agents logged in and not paused"),
    "readyall": ("readyall", "ZSET ready agent ids by idle since"),
    "wrapups": ("wrapups", "ZSET agent id -> end of wrap-up"),
    "ncall": ("notify:call:{}", "LIST a waiting caller blocks on (BLPOP) for its offer"),
    "nagent": ("notify:agent:{}", "LIST an agent blocks on (BLPOP) for an offer"),
    "day": ("day:{}", "HASH yyyymmdd (Asia/Shanghai): 'line|site|counter' -> today's count"),
    "recent": ("recent:{}:{}", "HASH line, site: per-minute ring of arrivals, waits, talk"),
    "claim": ("claim:{}:{}", "STRING consumer, event id: who handles a stream event (SET NX EX)"),
    "cursor": ("cursor:{}", "STRING consumer: the last stream event id it has handled"),
}


@dataclass(frozen=True)
class Keys:
    """Key names of one partition."""

    partition: str = DEFAULT_PARTITION

    @property
    def prefix(self) -> str:
        return f"hq:{{{self.partition}}}:"

    def key(self, name: str, *parts: object) -> str:
        return self.prefix + TEMPLATES[name][0].format(*parts)

    def __getattr__(self, name: str):
        if name in TEMPLATES:
            return lambda *parts: self.key(name, *parts)
        raise AttributeError(name)


def lua_prelude() -> str:
    """Lua functions `K.<name>(...)` building the same names from the prefix P."""
    out = ["local K = {}"]
    for name, (template, _meaning) in TEMPLATES.items():
        pieces = template.split("{}")
        args = [f"a{i}" for i in range(len(pieces) - 1)]
        expr = ["P", repr(pieces[0]).replace('"', "'")]
        for i, arg in enumerate(args):
            expr += [arg, repr(pieces[i + 1])]
        body = " .. ".join(e for e in expr if e not in ("''", '""'))
        out.append(f"K.{name} = function({', '.join(args)}) return {body} end")
    return "\n".join(out) + "\n"
