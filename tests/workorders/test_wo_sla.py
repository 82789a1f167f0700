"""Reminders before deadlines and supervision orders for overdue orders, idempotently."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from crm import workflow as wf
from crm.models import CaseEvent, Reminder, SupervisionOrder
from crm.sla import open_supervision_orders, reminders_since, run_sla_sweep
from crm.workdays import LOCAL_TZ

from wo_support import DEPT, T0


def local(m, d, hh, mm=0) -> datetime:
    return datetime(2026, m, d, hh, mm, tzinfo=LOCAL_TZ)


def sweep(sessions, now):
    with sessions.begin() as s:
        return run_sla_sweep(s, now).as_dict()


def test_reminders_then_supervision_for_sign_for_and_handling(sessions, staff, new_case, deadlines):
    cid = new_case(staff.agent)  # a complaint: 15 working days
    with sessions.begin() as s:
        wf.dispatch(s, case_id=cid, actor=staff.agent, department_id=DEPT, deadlines=deadlines,
                    now=T0)  # sign for by 27 Nov 23:59:59, handle by 17 Dec 23:59:59
    assert sweep(sessions, T0) == {"reminders": 0, "supervision_orders": 0, "resolved": 0}
    # Within 24 h of the sign-for deadline: one reminder, however often the sweep runs.
    assert sweep(sessions, local(11, 27, 8)) == {"reminders": 1, "supervision_orders": 0, "resolved": 0}
    assert sweep(sessions, local(11, 27, 9)) == {"reminders": 0, "supervision_orders": 0, "resolved": 0}
    # Not signed for by the deadline: one supervision order to the department and its site.
    assert sweep(sessions, local(11, 28, 10))["supervision_orders"] == 1
    assert sweep(sessions, local(11, 28, 11))["supervision_orders"] == 0
    with sessions() as s:
        (order,) = open_supervision_orders(s, site_id="guiyang")
        assert (order.case_id, order.kind, order.department_id) == (cid, "sign_for", DEPT)
        assert open_supervision_orders(s, department_id="guiyang_urban") == []
    with sessions.begin() as s:
        wf.sign_for(s, case_id=cid, actor=staff.handler, now=local(11, 30, 9))
    assert sweep(sessions, local(11, 30, 10))["resolved"] == 1
    # The handling deadline: reminder the day before, supervision the day after.
    assert sweep(sessions, local(12, 17, 9))["reminders"] == 1
    assert sweep(sessions, local(12, 18, 9))["supervision_orders"] == 1
    with sessions.begin() as s:
        wf.reply(s, case_id=cid, actor=staff.handler, text="已办理", now=local(12, 18, 10))
    assert sweep(sessions, local(12, 18, 11)) == {"reminders": 0, "supervision_orders": 0, "resolved": 1}

    with sessions() as s:
        kinds = [r.kind for r in reminders_since(s, T0, department_id=DEPT)]
        orders = s.scalars(select(SupervisionOrder).order_by(SupervisionOrder.id)).all()
        trail = s.scalars(select(CaseEvent.action).where(
            CaseEvent.case_id == cid, CaseEvent.actor == "system:sla").order_by(CaseEvent.id)).all()
    assert kinds == ["handling", "sign_for"]  # newest first
    assert [(o.kind, o.resolved_at is not None) for o in orders] == [("sign_for", True),
                                                                    ("handling", True)]
    assert trail == ["remind", "supervise", "remind", "supervise"]


def test_an_approved_extension_settles_the_supervision_and_moves_the_deadline(
        sessions, staff, new_case, deadlines):
    cid = new_case(staff.agent, request_type="consultation")  # 2 working days
    with sessions.begin() as s:
        wf.dispatch(s, case_id=cid, actor=staff.agent, department_id=DEPT, deadlines=deadlines, now=T0)
        wf.sign_for(s, case_id=cid, actor=staff.handler, now=T0)
    assert sweep(sessions, local(12, 1, 9))["supervision_orders"] == 1  # due 30 Nov
    with sessions.begin() as s:
        wf.request_extension(s, case_id=cid, actor=staff.handler, days=3, reason="需协调",
                             now=local(12, 1, 10))
        case = wf.approve_extension(s, case_id=cid, actor=staff.supervisor, deadlines=deadlines,
                                    now=local(12, 1, 11))
    assert case.due_at.astimezone(LOCAL_TZ) == local(12, 3, 23, 59).replace(second=59)
    result = sweep(sessions, local(12, 1, 12))
    assert result == {"reminders": 0, "supervision_orders": 0, "resolved": 1}
    with sessions() as s:
        assert open_supervision_orders(s) == []
        assert s.scalars(select(Reminder)).all() == []  # the new deadline is not yet near
