"""Two handlers sign for the same order at the same moment: exactly one wins."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from crm import workflow as wf
from crm.enums import CaseStatus as S
from crm.errors import Conflict, IllegalTransition
from crm.models import Case, CaseEvent

from wo_support import DEPT

ROUNDS = 5


def _race(sessions, case_id, handlers) -> list:
    """Both read the order, wait for each other, then sign for it; returns each one's result."""
    barrier = threading.Barrier(len(handlers))
    results = [None] * len(handlers)

    def sign(i, actor):
        session = sessions()
        try:
            with session.begin():
                seen = session.get(Case, case_id)  # both see 'dispatched'
                assert seen.status == S.DISPATCHED
                barrier.wait(timeout=10)
                wf.sign_for(session, case_id=case_id, actor=actor)
            results[i] = "won"
        except (Conflict, IllegalTransition) as exc:
            results[i] = exc.code
        finally:
            session.close()

    threads = [threading.Thread(target=sign, args=(i, a)) for i, a in enumerate(handlers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_exactly_one_of_two_simultaneous_sign_fors_wins(sessions, staff, new_case, deadlines):
    for _ in range(ROUNDS):
        cid = new_case(staff.agent)
        with sessions.begin() as s:
            wf.dispatch(s, case_id=cid, actor=staff.agent, department_id=DEPT, deadlines=deadlines)
        results = _race(sessions, cid, [staff.handler, staff.handler2])
        assert sorted(results) == ["conflict", "won"], results
        with sessions() as s:
            case = s.get(Case, cid)
            signs = s.scalar(select(func.count()).select_from(CaseEvent).where(
                CaseEvent.case_id == cid, CaseEvent.action == "sign_for"))
        assert case.status == S.SIGNED_FOR and signs == 1
