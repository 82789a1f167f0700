"""The HTML pages: home redirect, agent workstation, wallboard, department list, API docs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from crm.models import AgentProfile
from web.deps import StateDep, UserDep
from web.history import HISTORY_HOURS, SAMPLE_SECONDS
from web.pages import HOME_OF_ROLE, URGENCIES, render

router = APIRouter(include_in_schema=False)
# Pause reasons the system sets, never offered in the agent's pause menu.
SYSTEM_PAUSE_REASONS = frozenset({"missed_offers", "phone_lost", "fallback_call"})


@router.get("/")
def home(user: UserDep):
    return RedirectResponse(HOME_OF_ROLE.get(user.role, "/login"), status_code=303)


@router.get("/agent")
def agent_page(request: Request, user: UserDep, state: StateDep):
    op = state.operator
    with state.ctx.sessions() as db:
        profile = db.scalar(select(AgentProfile).where(AgentProfile.user_id == user.user_id))
    return render(
        request, "agent.html", user=user, profile=profile,
        pause_reasons=[r for r in op.pause_reasons.values() if r.id not in SYSTEM_PAUSE_REASONS],
        request_types=list(op.request_types.values()), categories=list(op.categories.values()),
        sites=list(op.sites.values()), departments=list(op.departments.values()),
        urgencies=URGENCIES, page_config={"agent_id": user.agent_id},
    )


@router.get("/wallboard")
def wallboard_page(request: Request, user: UserDep, state: StateDep):
    return render(request, "wallboard.html", user=user, history_hours=HISTORY_HOURS,
                  pause_reasons=list(state.operator.pause_reasons.values()),
                  page_config={"history_seconds": HISTORY_HOURS * 3600,
                               "sample_seconds": SAMPLE_SECONDS})


@router.get("/department")
def department_page(request: Request, user: UserDep, state: StateDep):
    dept = state.operator.departments.get(user.department_id)
    return render(request, "department.html", user=user,
                  department_name=dept.name if dept else user.department_id)


@router.get("/docs")
def docs_page(request: Request, user: UserDep):
    return render(request, "docs.html", user=user)
