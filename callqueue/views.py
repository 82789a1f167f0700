"""Turn what the scripts return into the API's data classes (pure)."""

from __future__ import annotations

import json

from callqueue import stats
from callqueue.models import AgentState, Offer, QueueStats, Snapshot


def skills_text(skills: dict[str, int]) -> str:
    return ",".join(f"{line}:{int(level)}" for line, level in sorted(skills.items()))


def skills_of(text: str) -> dict[str, int]:
    out = {}
    for part in filter(None, (text or "").split(",")):
        line, _, level = part.partition(":")
        out[line] = int(level)
    return out


def pairs_to_dict(flat: list) -> dict:
    return dict(zip(flat[::2], flat[1::2]))


def agent_state(agent_id: str, h: dict) -> AgentState | None:
    if not h or "state" not in h:
        return None
    return AgentState(
        agent_id=agent_id, site=h.get("site", ""), skills=skills_of(h.get("skills", "")),
        dial=h.get("dial", ""), state=h["state"], since=float(h.get("since") or 0),
        reason=h.get("reason") or None, call_id=h.get("call") or None,
        misses=int(h.get("misses") or 0),
        wrap_until=float(h["wrap_until"]) if h.get("state") == "wrap_up" and h.get("wrap_until")
        else None)


def offer(raw: str) -> Offer:
    return Offer.from_dict(json.loads(raw))


def snapshot(raw: str, pairs: list[tuple[str, str]], now: float, day: str,
             wrap_up: dict[str, int]) -> Snapshot:
    data = json.loads(raw)
    agents_raw = data.get("agents") or []
    agents = sorted((agent_state(a["id"], a) for a in agents_raw), key=lambda a: a.agent_id)
    queues = data.get("queues") or {}
    rows = []
    for line, site in pairs:
        q = queues.get(f"{line}|{site}", {})
        here = [a for a in agents if a.site == site and line in a.skills]
        by_state = stats.agents_by_state(here)
        est = stats.estimate(stats.recent_window(q.get("recent") or {}, now),
                             staff=int(q.get("staff", 0)), ready=by_state.get("ready", 0),
                             waiting=int(q.get("waiting", 0)),
                             wrap_up_seconds=wrap_up.get(line, 0))
        oldest = q.get("oldest")
        rows.append(QueueStats(
            line=line, site=site, waiting=int(q.get("waiting", 0)),
            longest_wait=max(0.0, now - float(oldest)) if oldest else 0.0,
            agents=by_state, est_wait=est.seconds,
            **stats.day_counters(data.get("day") or {}, line, site)))
    return Snapshot(at=now, day=day, queues=rows, agents=agents)
