"""After a Redis outage, queue entries of calls that are over are settled against the CRM
and Asterisk's channel list, so no agent is offered a caller who is not there."""

from __future__ import annotations

from datetime import datetime, timezone

from agi_scripts.reconcile import Reconciler, recorded_outcomes, settle_plan
from callqueue.api import CallQueue
from callqueue.models import AgentInfo, WaitingEntry
from crm.models import Call


def entry(cid):
    return WaitingEntry(cid, "market", "guiyang", caller="+8613900000000", resumable=True)


def test_the_plan_settles_recorded_calls_and_orphans_asterisk_no_longer_has():
    held = {"rec": "waiting", "gone": "orphaned", "alive": "orphaned", "elsewhere": "waiting"}
    plan = settle_plan(held, live={"alive"}, recorded={"rec": "fallback"})
    assert plan == {"rec": "fallback", "gone": "abandoned"}   # a live handler's call is kept


def test_without_asterisk_only_the_crm_decides():
    held = {"rec": "orphaned", "gone": "orphaned"}
    assert settle_plan(held, live=None, recorded={"rec": "abandoned"}) == {"rec": "abandoned"}


def test_reconciling_leaves_no_ghost_for_the_next_ready_agent(redis_client, operator_config,
                                                               sqlite_sessions):
    queue = CallQueue(redis_client, operator_config)
    for cid in ("there", "hung_up_in_outage", "left_for_fallback"):
        queue.enqueue(entry(cid))
    redis_client.zadd(queue.keys.leases(), {"hung_up_in_outage": 0})   # its handler is gone
    queue.tick()
    now = datetime.now(timezone.utc)
    with sqlite_sessions.begin() as s:
        s.add(Call(call_id="left_for_fallback", channel="asterisk", site_id="guiyang",
                   arrived_at=now, outcome="fallback"))
    settled = Reconciler(queue, lambda: {"there", "left_for_fallback"},
                         recorded_outcomes(sqlite_sessions)).run()
    assert settled == 2
    finished = {f["call_id"]: f["outcome"] for _i, f in queue.read_events()
                if f["type"] == "finished"}
    assert finished == {"hung_up_in_outage": "abandoned", "left_for_fallback": "fallback"}
    queue.login(AgentInfo("a1", "guiyang", {"market": 1}, dial="PJSIP/a1"))
    queue.set_ready("a1")
    offered = [f["call_id"] for _i, f in queue.read_events() if f["type"] == "offered"]
    assert offered == ["there"]
