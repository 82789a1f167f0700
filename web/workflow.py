"""The case transitions the web triggers, in one small module so they are easy to adjust.

crm.workflow (the work-order lifecycle) is used when it is installed; until then a
conditional update with its audit event does the two transitions the workstation needs.
"""

from __future__ import annotations

from sqlalchemy import update

from crm import audit
from crm.enums import CaseStatus
from crm.errors import IllegalTransition, InvalidInput
from crm.models import Case
from crm.types import utcnow

try:  # pragma: no cover - depends on whether the lifecycle module is installed yet
    from crm import workflow as _workflow
except ImportError:  # pragma: no cover
    _workflow = None

FROM_REGISTERED = (str(CaseStatus.REGISTERED), str(CaseStatus.RETURNED))


def dispatch(db, case: Case, department_id: str, actor, cfg, note: str = "") -> Case:
    if department_id not in cfg.departments:
        raise InvalidInput(f"未知的承办单位 {department_id!r}", department_id=department_id)
    if _workflow is not None and hasattr(_workflow, "dispatch"):
        return _workflow.dispatch(db, case_id=case.id, actor=actor,
                                  department_id=department_id, note=note)
    return _move(db, case, CaseStatus.DISPATCHED, actor, "dispatch",
                 department_id=department_id, dispatched_at=utcnow(), note=note)


def resolve(db, case: Case, actor, note: str = "", kb_article_id: int | None = None) -> Case:
    if _workflow is not None and hasattr(_workflow, "resolve_on_call"):
        return _workflow.resolve_on_call(db, case_id=case.id, actor=actor, answer=note,
                                         kb_article_id=kb_article_id)
    return _move(db, case, CaseStatus.RESOLVED_ON_CALL, actor, "resolve_on_call",
                 closed_at=utcnow(), note=note)


def _move(db, case: Case, to: CaseStatus, actor, action: str, note: str = "", **values) -> Case:
    """registered/returned -> ``to`` as a conditional update, audited in the same transaction."""
    now = utcnow()
    result = db.execute(update(Case).where(Case.id == case.id, Case.status.in_(FROM_REGISTERED))
                        .values(status=str(to), updated_at=now, **values))
    if result.rowcount != 1:
        raise IllegalTransition(f"工单 {case.number} 当前状态不能{action}",
                                number=case.number, status=case.status)
    audit.record(db, actor, action, case.id, from_status=case.status, to_status=str(to),
                 note=note[:500], **{k: str(v) for k, v in values.items() if k.endswith("_id")})
    db.refresh(case)
    return case
