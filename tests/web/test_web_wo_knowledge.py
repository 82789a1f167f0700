"""The knowledge base through the API: Chinese search for staff, editing for supervisors and
admins, and agents resolving a case on the call citing the article that answered it."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crm.enums import Role
from crm.models import Case, CaseEvent

FUND = {"title": "住房公积金提取办理指南",
        "body": "职工购买自住住房、离休退休时可以申请提取住房公积金，需携带身份证和购房合同。",
        "category": "housing_fund", "department_id": "province_housing_fund"}
CARD = {"title": "社保卡补办流程", "body": "社会保障卡丢失后，可到社保经办机构或合作银行网点挂失并补办。",
        "category": "social_security"}
OLD = {"title": "公积金旧版提取政策", "body": "已废止的住房公积金提取规定。",
       "category": "housing_fund", "valid_to": "2020-12-31"}
CASE = {"request_type": "consultation", "category": "housing_fund", "site_id": "guiyang",
        "content": "市民咨询退休后如何提取公积金", "then": "resolve", "note": "已按知识库答复"}


@pytest.fixture
def articles(client, as_role) -> dict[str, int]:
    sup = as_role(Role.SUPERVISOR)
    ids = {}
    for key, body in (("fund", FUND), ("card", CARD), ("old", OLD)):
        resp = client.post("/api/kb", json=body, headers=sup)
        assert resp.status_code == 201, resp.text
        ids[key] = resp.json()["id"]
    return ids


def _titles(client, headers, **params) -> list[str]:
    resp = client.get("/api/kb", params=params, headers=headers)
    assert resp.status_code == 200, resp.text
    return [a["title"] for a in resp.json()["items"]]


def test_chinese_search_finds_the_right_article_for_every_staff_role(client, as_role, articles):
    for role in Role:
        assert _titles(client, as_role(role), q="退休了公积金怎么提取")[0] == FUND["title"]
    agent = as_role(Role.AGENT)
    assert _titles(client, agent, q="社保卡丢了去哪里补办") == [CARD["title"]]
    assert OLD["title"] not in _titles(client, agent, q="公积金提取")  # expired
    assert OLD["title"] in _titles(client, agent, q="公积金提取", include_expired="true")
    assert _titles(client, agent, q="公积金", category="social_security") == []
    assert _titles(client, agent, q="量子计算机") == []


def test_supervisors_and_admins_edit_others_may_not(client, as_role, articles):
    edited = {**CARD, "title": "社会保障卡补办与挂失", "body": "社保卡遗失请先挂失，再补办新卡。"}
    resp = client.put(f"/api/kb/{articles['card']}", json=edited, headers=as_role(Role.ADMIN))
    assert resp.status_code == 200 and resp.json()["updated_by"] == "admin1"
    agent = as_role(Role.AGENT)
    assert _titles(client, agent, q="挂失") == ["社会保障卡补办与挂失"]
    assert client.get(f"/api/kb/{articles['card']}", headers=agent).json()["body"] \
        == edited["body"]
    for role in (Role.AGENT, Role.DEPARTMENT):
        h = as_role(role)
        assert client.post("/api/kb", json=FUND, headers=h).status_code == 403
        assert client.put(f"/api/kb/{articles['fund']}", json=FUND, headers=h).status_code == 403
    sup = as_role(Role.SUPERVISOR)
    for bad in ({**FUND, "category": "no_such"}, {**FUND, "title": "   "},
                {**FUND, "valid_from": "2026-02-01", "valid_to": "2026-01-01"}):
        assert client.post("/api/kb", json=bad, headers=sup).status_code == 400, bad
    assert client.get("/api/kb/999999", headers=sup).status_code == 404


def test_agent_resolves_on_the_call_citing_an_article(client, as_role, articles, web_ctx):
    agent = as_role(Role.AGENT)
    case = client.post("/api/cases", json={**CASE, "kb_article_id": articles["fund"]},
                       headers=agent).json()
    assert case["status"] == "resolved_on_call"
    with web_ctx.sessions() as db:
        row = db.scalar(select(Case).where(Case.number == case["number"]))
        event = db.scalar(select(CaseEvent).where(CaseEvent.case_id == row.id,
                                                  CaseEvent.action == "resolve_on_call"))
    assert row.kb_article_id == articles["fund"]
    assert event.detail["kb_article_id"] == articles["fund"]
    shown = client.get(f"/api/workorders/{case['number']}", headers=as_role(Role.SUPERVISOR))
    assert shown.json()["kb_article_id"] == articles["fund"]

    registered = client.post("/api/cases", json={**CASE, "then": "none"}, headers=agent).json()
    resp = client.post(f"/api/cases/{registered['number']}/resolve", headers=agent,
                       json={"note": "按知识库答复", "kb_article_id": articles["card"]})
    assert resp.status_code == 200 and resp.json()["status"] == "resolved_on_call"


def test_citing_a_missing_article_changes_nothing(client, as_role, web_ctx):
    resp = client.post("/api/cases", json={**CASE, "kb_article_id": 424242},
                       headers=as_role(Role.AGENT))
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_input"
    with web_ctx.sessions() as db:
        assert db.scalar(select(func.count(Case.id))) == 0
