"""The case transitions the agent workstation triggers, through crm.workflow.

Who may make them is decided there (crm.lifecycle.AGENT_MOVES and the first taker, 首接负责制):
an agent dispatches or resolves only a registered case that is theirs or nobody's yet; a
returned or reopened order is for supervisors and admins (403 ``supervisor_only``).
"""

from __future__ import annotations

from crm import workflow as _workflow
from crm.errors import InvalidInput
from crm.models import Case


def dispatch(db, case: Case, department_id: str, actor, cfg, note: str = "") -> Case:
    if department_id not in cfg.departments:
        raise InvalidInput(f"未知的承办单位 {department_id!r}", department_id=department_id)
    return _workflow.dispatch(db, case_id=case.id, actor=actor, department_id=department_id,
                              note=note)


def resolve(db, case: Case, actor, note: str = "", kb_article_id: int | None = None) -> Case:
    return _workflow.resolve_on_call(db, case_id=case.id, actor=actor, answer=note,
                                     kb_article_id=kb_article_id)
