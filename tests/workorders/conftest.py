"""Staff, cases and deadlines for the work-order tests (on both database backends)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from crm.audit import Actor
from crm.cases import NewCase, create_case
from crm.enums import Channel, Role
from crm.models import Caller, User
from crm.sla import Deadlines

from wo_support import DEPT, OTHER_DEPT, T0


@dataclass
class Staff:
    agent: Actor
    agent2: Actor
    supervisor: Actor
    handler: Actor
    handler2: Actor
    other_handler: Actor


def _user(session, username: str, role: Role, department: str | None = None) -> Actor:
    user = User(username=username, display_name=username, password_hash="-", role=str(role),
                department_id=department, site_id="guiyang")
    session.add(user)
    session.flush()
    return Actor(name=username, user_id=user.id, role=str(role))


@pytest.fixture
def deadlines(operator_config) -> Deadlines:
    return Deadlines.from_config(operator_config)


@pytest.fixture
def staff(sessions) -> Staff:
    with sessions.begin() as s:
        return Staff(
            agent=_user(s, "agent.wang", Role.AGENT),
            agent2=_user(s, "agent.li", Role.AGENT),
            supervisor=_user(s, "sup.zhao", Role.SUPERVISOR),
            handler=_user(s, "market.chen", Role.DEPARTMENT, DEPT),
            handler2=_user(s, "market.liu", Role.DEPARTMENT, DEPT),
            other_handler=_user(s, "urban.sun", Role.DEPARTMENT, OTHER_DEPT),
        )


@pytest.fixture
def new_case(sessions):
    """Register a case as ``actor`` and return its id."""

    def make(actor: Actor, *, request_type="complaint", category="consumer", site="guiyang",
             caller: str | None = "+8613985012345", now=T0, content="商家拒绝退货") -> int:
        with sessions.begin() as s:
            caller_id = None
            if caller:
                row = s.query(Caller).filter_by(number=caller).one_or_none()
                if row is None:
                    row = Caller(number=caller, kind="mobile", first_seen=now, last_seen=now)
                    s.add(row)
                    s.flush()
                caller_id = row.id
            case = create_case(s, NewCase(channel=Channel.ASTERISK, request_type=request_type,
                                          category=category, site_id=site, content=content,
                                          caller_id=caller_id), actor, now=now)
            return case.id

    return make
