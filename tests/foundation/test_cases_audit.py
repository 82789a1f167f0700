"""Cases and their audit trail are written in one transaction."""

from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from crm.audit import Actor
from crm.cases import NewCase, create_case, read_case
from crm.enums import Channel
from crm.models import Case, CaseEvent

NOW = datetime(2026, 11, 27, 1, 30, tzinfo=timezone.utc)  # 09:30 in Guizhou


def _count(sessions, model) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_case_and_its_create_event_commit_together(sessions):
    with sessions.begin() as s:
        case = create_case(s, NewCase(channel=Channel.ASTERISK, content="路灯不亮"),
                           Actor("agent1", user_id=None), now=NOW)
    assert case.number == "12345-20261127-000001"
    with sessions() as s:
        events = s.scalars(select(CaseEvent)).all()
    assert [(e.action, e.case_id, e.to_status) for e in events] == [("create", case.id, "registered")]


def test_a_failed_transaction_leaves_neither_case_nor_event(sessions):
    with pytest.raises(RuntimeError):
        with sessions.begin() as s:
            create_case(s, NewCase(channel=Channel.WEB), Actor("agent1"), now=NOW)
            raise RuntimeError("the request failed after the case was written")
    assert _count(sessions, Case) == 0 and _count(sessions, CaseEvent) == 0


def test_a_staff_read_is_audited(sessions):
    with sessions.begin() as s:
        number = create_case(s, NewCase(channel=Channel.WEB), Actor("a"), now=NOW).number
    with sessions.begin() as s:
        read_case(s, number, Actor("supervisor1"))
    with sessions() as s:
        actions = s.scalars(select(CaseEvent.action).order_by(CaseEvent.id)).all()
    assert actions == ["create", "read"]


def test_case_numbers_are_unique_under_concurrency(sessions):
    numbers, errors = [], []

    def work():
        try:
            for _ in range(5):
                with sessions.begin() as s:
                    numbers.append(create_case(s, NewCase(channel=Channel.WEB), Actor("t"), now=NOW).number)
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(numbers) == [f"12345-20261127-{i:06d}" for i in range(1, 21)]
