"""End to end on the real Asterisk: the caller's site from the number, province callers.

A Guiyang landline (0851, which the geocoder gives to 贵阳、遵义、安顺) is a Guiyang call and
rings the ready Guiyang agent, not the province's; a caller from outside Guizhou is a
province call and rings a ready city agent when the province has nobody free.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.asterisk
SILENT = "w120"                  # the citizen stays on the line: silence joins the queue
GUIYANG_LANDLINE = "085188881234"
BEIJING_MOBILE = "13800138000"   # no Guizhou site: the province's call


def _agent(hotline, ext: str, site: str, behaviour: str) -> str:
    """Agent a<ext> of ``site``, ready, rung at Local/<ext>@test-agent (see Hotline.agent)."""
    from callqueue.models import AgentInfo

    hotline.env.cli(f"database put test-agent {ext} {behaviour}")
    agent_id = f"a{ext}"
    skills = {line: 1 for line in hotline.operator.lines}
    hotline.queue.login(AgentInfo(agent_id, site, skills, f"Local/{ext}@test-agent"))
    hotline.agents.append(agent_id)
    hotline.queue.set_ready(agent_id)
    return agent_id


def _answered_by(hotline, caller: str, ext: str) -> tuple[str, list[dict]]:
    """Place the call; wait until agent <ext> answers it; (call id, its offers)."""
    call_id = hotline.answered(hotline.call(SILENT, caller=caller))["Uniqueid"]
    hotline.events.wait_for("UserEvent", UserEvent="HotlineTestAgentAnswered", Agent=ext,
                            timeout=40)
    return call_id, hotline.queue_events("offered", call_id=call_id)


def test_a_0851_landline_rings_the_ready_guiyang_agent(hotline):
    _agent(hotline, "8511", "province", "never")  # ready first: the longest idle
    guiyang = _agent(hotline, "8512", "guiyang", "1:2")
    call_id, offers = _answered_by(hotline, GUIYANG_LANDLINE, "8512")
    assert [(o["agent_id"], o["site"]) for o in offers] == [(guiyang, "guiyang")]
    row = hotline.wait_row(call_id)
    assert (row.site_id, row.agent, row.outcome) == ("guiyang", guiyang, "answered")


def test_a_province_caller_rings_a_ready_city_agent(hotline):
    zunyi = _agent(hotline, "8513", "zunyi", "1:2")
    call_id, offers = _answered_by(hotline, BEIJING_MOBILE, "8513")
    assert [(o["agent_id"], o["site"]) for o in offers] == [(zunyi, "province")]
    assert float(offers[0]["wait"]) < 5  # offered on joining: nobody waits while zunyi is free
    row = hotline.wait_row(call_id)
    assert (row.site_id, row.agent, row.outcome) == ("province", zunyi, "answered")
