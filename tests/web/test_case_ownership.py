"""首接负责制 on the web: an agent acts only on their own registered case (or their own case
reopened without ever being dispatched); returned and reopened orders are re-dispatched and
resolved by supervisors. A refused move answers 403 with its code and changes nothing, not
even the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crm import workflow
from crm.audit import Actor
from crm.enums import CaseStatus as S
from crm.enums import Role
from crm.lifecycle import Action as A
from crm.lifecycle import AgentVerdict as V
from crm.lifecycle import agent_verdict
from crm.models import Case, CaseEvent, User
from hotline.setup import create_user
from web_helpers import PASSWORD, login
from wo_web_support import OTHER_DEPT, case_row, dispatched_order, step

NOT_OWNER = "not_case_owner"
SUPERVISOR_ONLY = "supervisor_only"


@pytest.fixture
def agent2(web_ctx, client) -> dict:
    create_user(web_ctx, "agent2", "agent", PASSWORD, name="agent2名", extension="8002",
                site="guiyang", skills="general:1")
    return login(client, "agent2")


def _register(client, agent: dict, then: str = "none") -> str:
    resp = client.post("/api/cases", headers=agent, json={
        "request_type": "consultation", "category": "consumer", "site_id": "guiyang",
        "content": "咨询退货政策", "then": then})
    assert resp.status_code == 200, resp.text
    return resp.json()["number"]


def _trail(ctx, number: str) -> list[tuple]:
    """Every audit event of the case, reads included."""
    with ctx.sessions() as db:
        rows = db.execute(select(CaseEvent.id, CaseEvent.action, CaseEvent.actor)
                          .join(Case, Case.id == CaseEvent.case_id)
                          .where(Case.number == number).order_by(CaseEvent.id)).all()
    return [tuple(r) for r in rows]


def _snapshot(ctx, number: str) -> tuple:
    case = case_row(ctx, number)
    return case.status, case.department_id, case.owner_id, _trail(ctx, number)


def _dispatch(client, headers, number, department=OTHER_DEPT):
    return client.post(f"/api/cases/{number}/dispatch", headers=headers,
                       json={"department_id": department, "note": "改派"})


def _resolve(client, headers, number):
    return client.post(f"/api/cases/{number}/resolve", headers=headers, json={"note": "已答复"})


def _refused(resp, code: str) -> None:
    assert resp.status_code == 403, resp.text
    assert resp.json()["error"] == code


def _reopened_after_dispatch(client, as_role, number: str) -> None:
    dept, sup = as_role(Role.DEPARTMENT), as_role(Role.SUPERVISOR)
    step(client, dept, number, "sign")
    step(client, dept, number, "reply", {"text": "已处理"})
    step(client, sup, number, "review", {"approved": True})
    step(client, sup, number, "close", {"reason": "无法联系市民"})
    assert step(client, sup, number, "reopen", {"reason": "市民再次反映"})["status"] == "reopened"


def test_a_returned_order_is_redispatched_by_a_supervisor_not_an_agent(
        client, as_role, web_ctx, agent2):
    agent1, sup = as_role(Role.AGENT), as_role(Role.SUPERVISOR)
    number = dispatched_order(client, agent1)
    step(client, as_role(Role.DEPARTMENT), number, "return", {"reason": "不属于本单位职责"})
    before = _snapshot(web_ctx, number)

    for agent in (agent2, agent1):  # the owner's responsibility ended with the dispatch
        _refused(_dispatch(client, agent, number), SUPERVISOR_ONLY)
        _refused(_resolve(client, agent, number), SUPERVISOR_ONLY)
    assert _snapshot(web_ctx, number) == before

    resp = _dispatch(client, sup, number)
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "dispatched" and resp.json()["department_id"] == OTHER_DEPT
    assert _trail(web_ctx, number)[-1][1:] == ("dispatch", "super1")


def test_a_returned_order_is_resolved_by_a_supervisor(client, as_role, web_ctx):
    number = dispatched_order(client, as_role(Role.AGENT))
    step(client, as_role(Role.DEPARTMENT), number, "return", {"reason": "市民已撤诉"})
    with web_ctx.sessions.begin() as db:
        user = db.scalar(select(User).where(User.username == "super1"))
        case = workflow.resolve_on_call(db, case_id=case_row(web_ctx, number).id,
                                        actor=Actor(user.username, user.id, user.role),
                                        answer="电话答复市民")
        assert case.status == S.RESOLVED_ON_CALL


def test_a_reopened_order_is_redispatched_by_a_supervisor_not_an_agent(
        client, as_role, web_ctx, agent2):
    agent1, sup = as_role(Role.AGENT), as_role(Role.SUPERVISOR)
    number = dispatched_order(client, agent1)
    _reopened_after_dispatch(client, as_role, number)
    before = _snapshot(web_ctx, number)

    for agent in (agent2, agent1):
        _refused(_dispatch(client, agent, number), SUPERVISOR_ONLY)
    assert _snapshot(web_ctx, number) == before

    resp = _dispatch(client, sup, number)
    assert resp.status_code == 200 and resp.json()["status"] == "dispatched", resp.text


def test_a_case_resolved_on_the_call_then_reopened_is_dispatched_by_its_owner_only(
        client, as_role, web_ctx, agent2):
    agent1 = as_role(Role.AGENT)
    number = _register(client, agent1, then="resolve")
    step(client, as_role(Role.SUPERVISOR), number, "reopen", {"reason": "市民不满意"})
    before = _snapshot(web_ctx, number)

    _refused(_dispatch(client, agent2, number), NOT_OWNER)
    assert _snapshot(web_ctx, number) == before

    resp = _dispatch(client, agent1, number)
    assert resp.status_code == 200 and resp.json()["status"] == "dispatched", resp.text


def test_another_agents_registered_case_is_refused_and_unchanged(client, as_role, web_ctx,
                                                                 agent2):
    agent1 = as_role(Role.AGENT)
    number = _register(client, agent1)
    before = _snapshot(web_ctx, number)

    _refused(_dispatch(client, agent2, number), NOT_OWNER)
    _refused(_resolve(client, agent2, number), NOT_OWNER)
    assert _snapshot(web_ctx, number) == before

    resp = _resolve(client, agent1, number)
    assert resp.status_code == 200 and resp.json()["status"] == "resolved_on_call", resp.text


@pytest.mark.parametrize("status, action, owner, dispatched, verdict", [
    (S.REGISTERED, A.DISPATCH, None, False, V.ALLOWED),      # nobody's yet: taken
    (S.REGISTERED, A.DISPATCH, 1, False, V.ALLOWED),
    (S.REGISTERED, A.RESOLVE_ON_CALL, 2, False, V.NOT_OWNER),
    (S.REOPENED, A.DISPATCH, 1, False, V.ALLOWED),           # own case, never dispatched
    (S.REOPENED, A.DISPATCH, 2, False, V.NOT_OWNER),
    (S.REOPENED, A.DISPATCH, None, False, V.NOT_OWNER),
    (S.REOPENED, A.DISPATCH, 1, True, V.SUPERVISOR_ONLY),
    (S.RETURNED, A.DISPATCH, 1, True, V.SUPERVISOR_ONLY),
    (S.RETURNED, A.RESOLVE_ON_CALL, 1, True, V.SUPERVISOR_ONLY),
    (S.REPLIED, A.REVIEW, 1, True, V.SUPERVISOR_ONLY),
    (S.CLOSED, A.REOPEN, 1, True, V.SUPERVISOR_ONLY),
])
def test_agent_verdicts(status, action, owner, dispatched, verdict):
    assert agent_verdict(status, action, owner_id=owner, agent_id=1,
                         dispatched=dispatched) is verdict


# ---- the offered call's pop-up ----------------------------------------------------------

CALLER = "+8613985012345"


def _callers_case(ctx) -> tuple[int, str]:
    """A case the caller opened earlier (by SMS, say): nobody at the hotline has read it."""
    from crm.callers import upsert_caller
    from crm.cases import NewCase, create_case
    from crm.enums import Channel
    from crm.numbers import normalize
    from crm.types import utcnow

    with ctx.sessions.begin() as db:
        caller_id = upsert_caller(db, normalize(CALLER), "guiyang", utcnow())
        case = create_case(db, NewCase(channel=Channel.SMS, category="consumer",
                                       title="电器退货纠纷", caller_id=caller_id,
                                       contact_number=CALLER), Actor.system("sms"))
        return case.id, case.number


def _popup_reads(ctx, case_id: int) -> list[dict]:
    with ctx.sessions() as db:
        return [e.detail for e in db.scalars(select(CaseEvent).where(
            CaseEvent.case_id == case_id, CaseEvent.action == "read",
            CaseEvent.actor == "agent1"))]


def test_the_pop_up_audits_each_case_it_shows_once_per_call(client, queue, web_ctx):
    from callqueue.models import WaitingEntry

    case_id, number = _callers_case(web_ctx)
    h = login(client, "agent1")
    client.cookies.clear()
    client.post("/api/agent/login", json={"extension": "8001"}, headers=h)
    client.post("/api/agent/ready", json={}, headers=h)
    queue.enqueue(WaitingEntry("call-pop", "general", "guiyang", caller=CALLER))

    st = client.get("/api/agent/state", headers=h).json()
    assert st["state"] == "offered"
    shown = st["offer"]["history"]["cases"]
    assert [(k["number"], k["status"], k["title"]) for k in shown] \
        == [(number, "registered", "电器退货纠纷")]
    assert _popup_reads(web_ctx, case_id) == [{"via": "popup", "call_id": "call-pop"}]

    client.get("/api/agent/state", headers=h)  # the workstation refreshes: no second event
    assert client.post("/api/agent/accept", json={"call_id": "call-pop"},
                       headers=h).json()["offer"]["history"]["cases"]
    assert len(_popup_reads(web_ctx, case_id)) == 1
