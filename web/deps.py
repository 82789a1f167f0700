"""Dependencies for route signatures, aliased with Annotated so that signatures stay short."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from crm.audit import Actor
from web.access import current_user
from web.sessions import SessionUser
from web.state import WebState


def get_state(request: Request) -> WebState:
    return request.app.state.web


def get_user(request: Request) -> SessionUser:
    return current_user(request)


def actor_of(user: SessionUser) -> Actor:
    return Actor(name=user.username, user_id=user.user_id, role=user.role)


StateDep = Annotated[WebState, Depends(get_state)]
UserDep = Annotated[SessionUser, Depends(get_user)]
