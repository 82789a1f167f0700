"""Two levels (省市两级): area codes that cover several cities, and province callers.

A landline of 0851 (贵阳、遵义、安顺) belongs to the site sites.toml gives that area code,
not to the province; a province caller is never left waiting while a city's agent with
the skill is free; a city's caller keeps its own agents first and overflows as before.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timezone

import pytest
from queue_helpers import events, hold
from sqlalchemy import select

from agi_scripts.deps import VoiceDeps
from callqueue.models import AgentInfo, WaitingEntry
from config.errors import ConfigError
from config.operator import load_operator_config
from config.settings import DEFAULT_CONFIG_DIR
from crm.calls import CallRecord
from crm.enums import CallOutcome, Channel
from crm.intake import Intake
from crm.models import Call, Caller
from crm.numbers import normalize, site_for_location

GUIYANG_LANDLINE = "085188881234"


def ready_agent(q, aid, site, skills=None):
    q.login(AgentInfo(aid, site, skills or {"market": 1}, dial=f"PJSIP/{aid}"))
    return q.set_ready(aid)


def caller(cid, site, line="market"):
    return WaitingEntry(cid, line, site, caller="+8685188881234")


def offered_to(q, aid):
    a = q.agent(aid)
    return a.call_id if a.state == "offered" else None


# ---- the caller's site ------------------------------------------------------------------------
@pytest.mark.parametrize("raw", [GUIYANG_LANDLINE, "+8685188881234", "0851-8888-1234"])
def test_a_0851_landline_joins_guiyang_and_rings_the_guiyang_agent(queue, operator_config, raw):
    deps = VoiceDeps(operator=operator_config, queue=queue, intake=None)
    site = deps.site_of(deps.caller(raw))  # what the FastAGI server gives the queue
    assert site == "guiyang"
    ready_agent(queue, "prov", "province")  # idle longest: it would win a province call
    ready_agent(queue, "gy", "guiyang")
    queue.enqueue(caller("c1", site))
    assert offered_to(queue, "gy") == "c1" and queue.agent("prov").state == "ready"
    assert events(queue, "enqueued")[0]["site"] == "guiyang"


def test_the_crm_records_a_0851_caller_at_guiyang(sessions, operator_config):
    intake = Intake(sessions, operator_config)
    now = datetime.now(timezone.utc)
    intake.finish_call(CallRecord(call_id="gy-landline", channel=Channel.ASTERISK,
                                  caller_raw=GUIYANG_LANDLINE, arrived_at=now,
                                  outcome=CallOutcome.SELF_SERVICE, ended_at=now))
    with sessions() as s:
        call = s.scalar(select(Call).where(Call.call_id == "gy-landline"))
        who = s.get(Caller, call.caller_id)
        assert (call.site_id, who.site_id) == ("guiyang", "guiyang")
        assert who.location == "贵州省贵阳市、遵义市、安顺市"  # agents still see the geocoder's words


def test_the_area_code_wins_only_where_a_site_lists_it(operator_config):
    sites = operator_config.sites.values()
    assert site_for_location(normalize("08548888123").location, sites) == "qiannan"  # geocoder
    assert site_for_location(normalize("01012345678").location, sites) is None       # Beijing
    unlisted = [s.model_copy(update={"area_codes": []}) for s in sites]
    assert site_for_location(normalize(GUIYANG_LANDLINE).location, unlisted) is None


# ---- province callers ---------------------------------------------------------------------------
def test_a_province_caller_reaches_a_ready_city_agent_at_once(queue):
    ready_agent(queue, "zy", "zunyi")
    queue.enqueue(caller("p1", "province"))
    assert offered_to(queue, "zy") == "p1"


def test_a_province_caller_goes_to_the_province_agent_first_then_to_a_city(queue, clock):
    ready_agent(queue, "city", "bijie")      # idle longer than the province agent
    clock.advance(5)
    ready_agent(queue, "prov", "province")
    queue.enqueue(caller("p1", "province"))
    assert offered_to(queue, "prov") == "p1" and queue.agent("city").state == "ready"
    queue.enqueue(caller("p2", "province"))  # the province has nobody free now
    assert offered_to(queue, "city") == "p2"


def test_a_waiting_province_caller_goes_to_the_next_city_agent_who_is_ready(queue):
    queue.enqueue(caller("p1", "province"))
    assert queue.position("p1") == 1
    ready_agent(queue, "tr", "tongren")
    assert offered_to(queue, "tr") == "p1"


def test_a_province_caller_needs_the_same_skills_and_levels_from_a_city(queue, clock):
    ready_agent(queue, "other", "anshun", skills={"health": 1})   # not the caller's line
    ready_agent(queue, "lvl2", "anshun", skills={"market": 2})
    queue.enqueue(caller("p1", "province"))
    hold(queue, clock, 29, "p1", then_tick=True)
    assert queue.agent("lvl2").state == "ready"  # level 2 only after escalation, as at home
    hold(queue, clock, 2, "p1", then_tick=True)
    assert offered_to(queue, "lvl2") == "p1" and queue.agent("other").state == "ready"


# ---- city callers, as before ------------------------------------------------------------------
def test_a_city_caller_prefers_its_own_agents_then_overflows_to_the_province(queue, clock):
    ready_agent(queue, "prov", "province")   # idle longest
    ready_agent(queue, "zy", "zunyi")
    ready_agent(queue, "gy", "guiyang")
    queue.enqueue(caller("c1", "guiyang"))
    assert offered_to(queue, "gy") == "c1" and queue.accept("gy", "c1")
    queue.enqueue(caller("c2", "guiyang"))
    hold(queue, clock, 44, "c2", then_tick=True)
    assert queue.agent("prov").state == "ready" and queue.position("c2") == 1
    hold(queue, clock, 2, "c2", then_tick=True)
    assert offered_to(queue, "prov") == "c2"
    assert queue.agent("zy").state == "ready"  # another city's agent never takes it


# ---- configuration ---------------------------------------------------------------------------
@pytest.fixture
def config_copy(tmp_path):
    target = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def _problems(directory):
    with pytest.raises(ConfigError) as info:
        load_operator_config(directory)
    return info.value.problems


def _sites_with(config_copy, after: str, line: str) -> None:
    path = config_copy / "sites.toml"
    text = path.read_text(encoding="utf-8")
    assert after in text
    path.write_text(text.replace(after, after + "\n" + line, 1), encoding="utf-8")


def test_the_shipped_sites_give_0851_to_guiyang(operator_config):
    assert operator_config.sites["guiyang"].area_codes == ["0851"]


def test_an_area_code_listed_by_two_sites_is_named(config_copy):
    _sites_with(config_copy, 'geocoder_names = ["遵义"]', 'area_codes = ["0851"]')
    (file, key, message), = _problems(config_copy)
    assert file.endswith("sites.toml") and key == "sites[2].area_codes[0]"
    assert "0851" in message and "guiyang" in message


def test_a_malformed_area_code_is_named(config_copy):
    _sites_with(config_copy, 'geocoder_names = ["遵义"]', 'area_codes = ["852"]')
    (file, key, message), = _problems(config_copy)
    assert file.endswith("sites.toml") and key == "sites[2].area_codes[0]"
    assert "pattern" in message
