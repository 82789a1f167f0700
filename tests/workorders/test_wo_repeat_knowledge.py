"""并单 for repeat demands, and the knowledge base's Chinese search."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from crm import workflow as wf
from crm.audit import Actor
from crm.cases import NewCase
from crm.enums import CaseStatus as S
from crm.enums import Channel
from crm.errors import Forbidden, InvalidInput
from crm.knowledge import ArticleInput, create_article, search, update_article
from crm.models import Case, Caller
from crm.repeat import merge_into, register_or_link

from wo_support import DEPT, T0

IVR = Actor.system("ivr")


def _caller(sessions, number="+8613985012345") -> int:
    with sessions.begin() as s:
        row = Caller(number=number, kind="mobile", first_seen=T0, last_seen=T0)
        s.add(row)
        s.flush()
        return row.id


def _register(sessions, caller_id, category, now, content="又来电催问"):
    with sessions.begin() as s:
        got = register_or_link(s, new=NewCase(channel=Channel.ASTERISK, category=category,
                                              request_type="complaint", caller_id=caller_id,
                                              content=content),
                               actor=IVR, repeat_days=30, now=now)
        return got.case.id, got.linked


def test_same_caller_same_category_within_the_window_links_instead_of_a_new_order(sessions):
    caller = _caller(sessions)
    first, linked = _register(sessions, caller, "consumer", T0, content="商家拒绝退货")
    assert not linked
    again, linked = _register(sessions, caller, "consumer", T0 + timedelta(days=3))
    assert (again, linked) == (first, True)
    other, linked = _register(sessions, caller, "urban", T0 + timedelta(days=3))
    assert other != first and not linked  # a different matter is a new order
    late, linked = _register(sessions, caller, "consumer", T0 + timedelta(days=31))
    assert late != first and not linked  # outside repeat_demand_days
    with sessions() as s:
        actions = [e.action for e in wf.timeline(s, first)]
        events = [e for e in wf.timeline(s, first) if e.action == "repeat_demand"]
    assert actions == ["create", "repeat_demand"] and events[0].detail["content"] == "又来电催问"


def test_a_registered_duplicate_is_merged_into_the_open_order(sessions, staff, new_case, deadlines):
    first = new_case(staff.agent)
    with sessions.begin() as s:
        wf.dispatch(s, case_id=first, actor=staff.agent, department_id=DEPT, deadlines=deadlines)
    dup = new_case(staff.agent2)
    with pytest.raises(Forbidden):  # the duplicate is agent2's until dispatched
        with sessions.begin() as s:
            merge_into(s, case_id=dup, into_id=first, actor=staff.agent)
    with sessions.begin() as s:
        merged = merge_into(s, case_id=dup, into_id=first, actor=staff.agent2)
    assert merged.status == S.CLOSED and merged.merged_into_id == first
    stranger = new_case(staff.agent, caller="+8613985099999")
    with pytest.raises(InvalidInput):
        with sessions.begin() as s:
            merge_into(s, case_id=stranger, into_id=first, actor=staff.agent)
    with sessions() as s:
        assert s.get(Case, first).status == S.DISPATCHED
        assert [e.action for e in wf.timeline(s, first)][-1] == "repeat_demand"


ARTICLES = [
    ("住房公积金提取办理指南", "职工购买、建造、翻建自住住房，或离休、退休的，可以申请提取住房公积金。",
     "housing_fund"),
    ("社保卡补办流程", "社会保障卡遗失后，可到就近网点挂失并补办。", "social_security"),
    ("噪音扰民投诉处理", "夜间施工噪音扰民，由城市管理部门受理。", "urban"),
]


def test_chinese_search_finds_the_article_by_its_words(sessions, staff):
    with sessions.begin() as s:
        ids = [create_article(s, data=ArticleInput(t, b, category=c), actor=staff.supervisor).id
               for t, b, c in ARTICLES]
    with sessions() as s:
        hits = search(s, "公积金提取")
        assert [h.article.id for h in hits][:1] == [ids[0]]
        assert hits[0].matched >= 2
        assert [h.article.id for h in search(s, "怎么补办社保卡")][:1] == [ids[1]]
        assert [h.article.id for h in search(s, "工地晚上噪音")][:1] == [ids[2]]
        assert search(s, "公积金", category="urban") == []
        assert search(s, "护照签证") == []


def test_validity_dates_and_edits_reindex(sessions, staff):
    with sessions.begin() as s:
        art = create_article(s, data=ArticleInput("2025年公积金提取政策", "旧政策",
                                                  valid_to=date(2025, 12, 31)),
                             actor=staff.supervisor)
    with sessions() as s:
        assert search(s, "公积金提取", on=date(2026, 11, 26)) == []
        assert len(search(s, "公积金提取", on=date(2025, 6, 1))) == 1
    with sessions.begin() as s:
        update_article(s, article_id=art.id, data=ArticleInput("医保异地报销", "备案后可直接结算"),
                       actor=staff.supervisor)
    with sessions() as s:
        assert search(s, "公积金") == [] and len(search(s, "异地报销", on=date(2026, 11, 26))) == 1
    with pytest.raises(Forbidden):  # agents read the knowledge base; they do not edit it
        with sessions.begin() as s:
            create_article(s, data=ArticleInput("标题"), actor=staff.agent)
    with pytest.raises(InvalidInput):
        with sessions.begin() as s:
            create_article(s, data=ArticleInput("  "), actor=staff.supervisor)
