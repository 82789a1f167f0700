"""A case's whole life through the service layer, every step in its audit trail."""

from __future__ import annotations

from datetime import timedelta

import pytest

from crm import workflow as wf
from crm.audit import Actor
from crm.enums import CaseStatus as S
from crm.enums import Rating
from crm.errors import Conflict, Forbidden, IllegalTransition, InvalidInput
from crm.models import Case
from crm.ratings import ratings_of
from crm.workdays import LOCAL_TZ

from wo_support import DEPT, OTHER_DEPT, T0

SMS = Actor.system("sms")


def step(sessions, fn, **kwargs):
    with sessions.begin() as s:
        return fn(s, **kwargs)


def test_full_life_dispatch_to_rectified_closure(sessions, staff, new_case, deadlines):
    cid = new_case(staff.agent)
    at = lambda hours: T0 + timedelta(hours=hours)  # noqa: E731
    st = staff
    case = step(sessions, wf.dispatch, case_id=cid, actor=st.agent, department_id=DEPT,
                deadlines=deadlines, now=at(1), note="商家在云岩区")
    assert case.status == S.DISPATCHED and case.department_id == DEPT
    assert case.sign_due_at.astimezone(LOCAL_TZ).isoformat() == "2026-11-27T23:59:59+08:00"
    assert case.due_at.astimezone(LOCAL_TZ).isoformat() == "2026-12-17T23:59:59+08:00"
    assert step(sessions, wf.sign_for, case_id=cid, actor=st.handler, now=at(2)).signed_at == at(2)
    step(sessions, wf.start, case_id=cid, actor=st.handler, now=at(3))
    step(sessions, wf.request_extension, case_id=cid, actor=st.handler, days=5,
         reason="需要现场核查", now=at(4))
    case = step(sessions, wf.approve_extension, case_id=cid, actor=st.supervisor,
                deadlines=deadlines, now=at(5))
    assert case.due_at.astimezone(LOCAL_TZ).isoformat() == "2026-12-24T23:59:59+08:00"
    step(sessions, wf.reply, case_id=cid, actor=st.handler2, text="已责令商家退货", now=at(6))
    step(sessions, wf.review, case_id=cid, actor=st.supervisor, approved=True, now=at(7))
    step(sessions, wf.start_callback_survey, case_id=cid, actor=st.supervisor, now=at(8))
    case = step(sessions, wf.rate_case, case_id=cid, rating=Rating.DISSATISFIED, actor=SMS,
                resolved=False, channel="sms", deadlines=deadlines, now=at(9))
    assert case.status == S.REOPENED and case.rating == "dissatisfied"
    assert case.due_at.astimezone(LOCAL_TZ).date().isoformat() == "2026-12-10"  # 10 working days
    step(sessions, wf.start, case_id=cid, actor=st.handler, now=at(10))
    step(sessions, wf.reply, case_id=cid, actor=st.handler, text="商家已退款", now=at(11))
    step(sessions, wf.review, case_id=cid, actor=st.supervisor, approved=True, now=at(12))
    step(sessions, wf.start_callback_survey, case_id=cid, actor=st.supervisor, now=at(13))
    case = step(sessions, wf.rate_case, case_id=cid, rating="very_satisfied", actor=st.supervisor,
                resolved=True, channel="phone", now=at(14))
    assert case.status == S.CLOSED and case.closed_at == at(14) and case.resolved is True

    with sessions() as s:
        trail = [(e.action, e.from_status, e.to_status, e.actor, e.at) for e in wf.timeline(s, cid)]
        rounds = [(r.round, r.rating, r.resolved) for r in ratings_of(s, cid)]
    assert [t[:3] for t in trail] == [
        ("create", None, "registered"),
        ("dispatch", "registered", "dispatched"),
        ("sign_for", "dispatched", "signed_for"),
        ("start", "signed_for", "in_progress"),
        ("request_extension", "in_progress", "extension_requested"),
        ("approve_extension", "extension_requested", "in_progress"),
        ("reply", "in_progress", "replied"),
        ("review", "replied", "reviewed"),
        ("start_survey", "reviewed", "callback_survey"),
        ("rate_dissatisfied", "callback_survey", "reopened"),
        ("start", "reopened", "in_progress"),
        ("reply", "in_progress", "replied"),
        ("review", "replied", "reviewed"),
        ("start_survey", "reviewed", "callback_survey"),
        ("rate_satisfied", "callback_survey", "closed"),
    ]
    assert [t[3] for t in trail][1:4] == ["agent.wang", "market.chen", "market.chen"]
    assert [t[4] for t in trail][1:] == [at(h) for h in range(1, 15)]
    assert rounds == [(1, "dissatisfied", False), (2, "very_satisfied", True)]


def test_first_taker_owns_the_case_until_dispatch(sessions, staff, new_case, deadlines):
    ivr_case = new_case(Actor.system("ivr"))  # nobody owns it yet
    step(sessions, wf.take_case, case_id=ivr_case, actor=staff.agent2)
    with pytest.raises(Forbidden):
        step(sessions, wf.dispatch, case_id=ivr_case, actor=staff.agent, department_id=DEPT,
             deadlines=deadlines)
    with pytest.raises(Forbidden):
        step(sessions, wf.resolve_on_call, case_id=ivr_case, actor=staff.agent)
    case = step(sessions, wf.dispatch, case_id=ivr_case, actor=staff.agent2, department_id=DEPT,
                deadlines=deadlines)
    assert case.owner_id == staff.agent2.user_id
    # A supervisor may dispatch anybody's registered case.
    mine = new_case(staff.agent)
    assert step(sessions, wf.dispatch, case_id=mine, actor=staff.supervisor,
                department_id=OTHER_DEPT, deadlines=deadlines).status == S.DISPATCHED


def test_handlers_act_only_on_their_department_and_roles_are_checked(sessions, staff, new_case,
                                                                     deadlines):
    cid = new_case(staff.agent)
    step(sessions, wf.dispatch, case_id=cid, actor=staff.agent, department_id=DEPT,
         deadlines=deadlines)
    for actor in (staff.other_handler, staff.agent, staff.supervisor):
        with pytest.raises(Forbidden):
            step(sessions, wf.sign_for, case_id=cid, actor=actor)
    with pytest.raises(Forbidden):
        step(sessions, wf.dispatch, case_id=cid, actor=staff.handler, department_id=DEPT,
             deadlines=deadlines)
    with sessions() as s:
        assert [c.id for c in wf.department_orders(s, actor=staff.handler)] == [cid]
        assert wf.department_orders(s, actor=staff.other_handler) == []


def test_return_with_reason_then_redispatch_keeps_the_citizens_deadline(sessions, staff,
                                                                       new_case, deadlines):
    cid = new_case(staff.agent)
    first = step(sessions, wf.dispatch, case_id=cid, actor=staff.agent, department_id=OTHER_DEPT,
                 deadlines=deadlines, now=T0)
    with pytest.raises(InvalidInput):
        step(sessions, wf.return_case, case_id=cid, actor=staff.other_handler, reason="  ")
    case = step(sessions, wf.return_case, case_id=cid, actor=staff.other_handler,
                reason="不属于本单位职责", now=T0 + timedelta(hours=1))
    assert case.status == S.RETURNED
    case = step(sessions, wf.dispatch, case_id=cid, actor=staff.supervisor, department_id=DEPT,
                deadlines=deadlines, now=T0 + timedelta(days=1))
    assert case.status == S.DISPATCHED and case.department_id == DEPT
    assert case.due_at == first.due_at and case.sign_due_at > first.sign_due_at


def test_refused_extension_and_rejected_reply_go_back_to_work(sessions, staff, new_case, deadlines):
    cid = new_case(staff.agent)
    step(sessions, wf.dispatch, case_id=cid, actor=staff.agent, department_id=DEPT, deadlines=deadlines)
    step(sessions, wf.sign_for, case_id=cid, actor=staff.handler)
    due = step(sessions, wf.request_extension, case_id=cid, actor=staff.handler, days=3,
               reason="等待检测").due_at
    with pytest.raises(Forbidden):
        step(sessions, wf.approve_extension, case_id=cid, actor=staff.agent, deadlines=deadlines)
    case = step(sessions, wf.refuse_extension, case_id=cid, actor=staff.supervisor, reason="时限内可办结")
    assert case.status == S.IN_PROGRESS and case.due_at == due
    step(sessions, wf.reply, case_id=cid, actor=staff.handler, text="已处理")
    with pytest.raises(InvalidInput):  # a refused review needs a note
        step(sessions, wf.review, case_id=cid, actor=staff.supervisor, approved=False)
    case = step(sessions, wf.review, case_id=cid, actor=staff.supervisor, approved=False,
                note="答复不完整")
    assert case.status == S.IN_PROGRESS


def test_resolved_on_call_with_an_article_then_a_bad_rating_reopens_it(sessions, staff, new_case,
                                                                      deadlines):
    from crm.knowledge import ArticleInput, create_article

    with sessions.begin() as s:
        art = create_article(s, data=ArticleInput("住房公积金提取条件", "退休、购房可提取。"),
                             actor=staff.supervisor).id
    cid = new_case(staff.agent, request_type="consultation")
    case = step(sessions, wf.resolve_on_call, case_id=cid, actor=staff.agent, kb_article_id=art,
                answer="按知识库答复")
    assert case.status == S.RESOLVED_ON_CALL and case.kb_article_id == art and case.closed_at
    case = step(sessions, wf.rate_case, case_id=cid, rating="very_dissatisfied", actor=SMS,
                deadlines=deadlines)
    assert case.status == S.REOPENED and case.closed_at is None
    with pytest.raises(Forbidden):  # no department has it yet: it must be dispatched
        step(sessions, wf.start, case_id=cid, actor=staff.handler)
    case = step(sessions, wf.dispatch, case_id=cid, actor=staff.agent, department_id=DEPT,
                deadlines=deadlines)
    assert case.status == S.DISPATCHED


def test_a_closed_case_is_rated_once_per_round_and_only_then(sessions, staff, new_case, deadlines):
    cid = new_case(staff.agent)
    with pytest.raises(IllegalTransition):  # not yet awaiting a rating
        step(sessions, wf.rate_case, case_id=cid, rating="satisfied", actor=SMS)
    for fn, kw in ((wf.dispatch, dict(actor=staff.agent, department_id=DEPT, deadlines=deadlines)),
                   (wf.sign_for, dict(actor=staff.handler)),
                   (wf.reply, dict(actor=staff.handler, text="已答复")),
                   (wf.review, dict(actor=staff.supervisor, approved=True)),
                   (wf.close, dict(actor=staff.supervisor, reason="无人接听"))):
        step(sessions, fn, case_id=cid, **kw)
    case = step(sessions, wf.rate_case, case_id=cid, rating="basically_satisfied", actor=SMS)
    assert case.status == S.CLOSED and case.rating == "basically_satisfied"
    with pytest.raises(Conflict):
        step(sessions, wf.rate_case, case_id=cid, rating="dissatisfied", actor=SMS)
    with pytest.raises(InvalidInput):
        step(sessions, wf.rate_case, case_id=cid, rating="meh", actor=SMS)
    case = step(sessions, wf.reopen, case_id=cid, actor=staff.supervisor, reason="领导批示",
                deadlines=deadlines)
    assert case.status == S.REOPENED


def test_a_stale_read_loses_with_conflict(sessions, staff, new_case, deadlines):
    cid = new_case(staff.agent)
    step(sessions, wf.dispatch, case_id=cid, actor=staff.agent, department_id=DEPT, deadlines=deadlines)
    stale = sessions()
    stale.begin()
    seen = stale.get(Case, cid)  # the page the handler is looking at
    assert seen.status == S.DISPATCHED
    step(sessions, wf.sign_for, case_id=cid, actor=staff.handler2)
    with pytest.raises(Conflict) as info:
        wf.sign_for(stale, case_id=cid, actor=staff.handler)
    assert info.value.code == "conflict"
    stale.rollback()
    stale.close()
    with sessions() as s:
        events = [e.action for e in wf.timeline(s, cid)]
    assert events.count("sign_for") == 1
