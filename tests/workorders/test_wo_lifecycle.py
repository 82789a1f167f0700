"""The lifecycle table, exhaustively, and properties over random action sequences."""

from __future__ import annotations

import itertools
from collections import deque

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.enums import CaseStatus as S
from crm.errors import IllegalTransition
from crm.lifecycle import Action as A
from crm.lifecycle import TRANSITIONS, allowed_actions, apply

# The lifecycle as domain.md describes it, written out independently of crm.lifecycle.
EXPECTED = {
    S.REGISTERED: {A.DISPATCH: S.DISPATCHED, A.RESOLVE_ON_CALL: S.RESOLVED_ON_CALL,
                   A.MERGE: S.CLOSED},
    S.RESOLVED_ON_CALL: {A.RATE_SATISFIED: S.RESOLVED_ON_CALL, A.RATE_DISSATISFIED: S.REOPENED,
                         A.REOPEN: S.REOPENED},
    S.DISPATCHED: {A.SIGN_FOR: S.SIGNED_FOR, A.RETURN: S.RETURNED},
    S.SIGNED_FOR: {A.START: S.IN_PROGRESS, A.REPLY: S.REPLIED, A.RETURN: S.RETURNED,
                   A.REQUEST_EXTENSION: S.EXTENSION_REQUESTED},
    S.IN_PROGRESS: {A.REPLY: S.REPLIED, A.RETURN: S.RETURNED,
                    A.REQUEST_EXTENSION: S.EXTENSION_REQUESTED},
    S.EXTENSION_REQUESTED: {A.APPROVE_EXTENSION: S.IN_PROGRESS, A.REFUSE_EXTENSION: S.IN_PROGRESS},
    S.RETURNED: {A.DISPATCH: S.DISPATCHED, A.RESOLVE_ON_CALL: S.RESOLVED_ON_CALL},
    S.REPLIED: {A.REVIEW: S.REVIEWED, A.REJECT_REPLY: S.IN_PROGRESS},
    S.REVIEWED: {A.START_SURVEY: S.CALLBACK_SURVEY, A.CLOSE: S.CLOSED},
    S.CALLBACK_SURVEY: {A.RATE_SATISFIED: S.CLOSED, A.RATE_DISSATISFIED: S.REOPENED,
                        A.CLOSE: S.CLOSED},
    S.CLOSED: {A.RATE_SATISFIED: S.CLOSED, A.RATE_DISSATISFIED: S.REOPENED, A.REOPEN: S.REOPENED},
    S.REOPENED: {A.START: S.IN_PROGRESS, A.DISPATCH: S.DISPATCHED},
}
FINISHED = {S.CLOSED, S.RESOLVED_ON_CALL}
LEAVES_FINISHED = {A.RATE_DISSATISFIED, A.REOPEN}


@pytest.mark.parametrize("status,action", list(itertools.product(S, A)),
                         ids=lambda v: str(v))
def test_every_status_and_action(status, action):
    wanted = EXPECTED[status].get(action)
    if wanted is None:
        with pytest.raises(IllegalTransition) as info:
            apply(status, action)
        assert info.value.code == "illegal_transition"
        assert info.value.detail == {"status": status.value, "action": action.value}
    else:
        assert apply(status, action) is wanted


def test_the_table_is_exactly_the_expected_one():
    assert TRANSITIONS == {(s, a): t for s, moves in EXPECTED.items() for a, t in moves.items()}


def test_unknown_status_or_action_strings_raise():
    with pytest.raises(IllegalTransition):
        apply("archived", A.CLOSE)
    with pytest.raises(IllegalTransition):
        apply(S.REGISTERED, "teleport")


def test_allowed_actions_lists_what_apply_accepts():
    for status in S:
        assert set(allowed_actions(status)) == set(EXPECTED[status])


def test_every_status_is_reachable_and_can_still_finish():
    reachable, todo = {S.REGISTERED}, deque([S.REGISTERED])
    while todo:
        for target in EXPECTED[todo.popleft()].values():
            if target not in reachable:
                reachable.add(target)
                todo.append(target)
    assert reachable == set(S)
    for status in S:
        seen, todo = {status}, deque([status])
        while todo:
            for target in EXPECTED[todo.popleft()].values():
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        assert seen & FINISHED, f"{status} can never finish"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list(A)), max_size=60))
def test_random_action_sequences_keep_the_invariants(actions):
    status, history = S.REGISTERED, [S.REGISTERED]
    for action in actions:
        try:
            new = apply(status, action)
        except IllegalTransition:
            assert action not in EXPECTED[status]
            continue
        assert isinstance(new, S)
        if status in FINISHED and new not in FINISHED:
            # A finished case leaves only by a dissatisfied rating or a supervisor's reopening.
            assert action in LEAVES_FINISHED and new is S.REOPENED
        if action is A.SIGN_FOR:
            assert status is S.DISPATCHED  # nobody signs for an order that was not dispatched
        if new is S.REPLIED:
            # A reply comes from a department: the order was signed for, or was reopened and
            # went back to its department (the service layer checks that there is one).
            assert S.SIGNED_FOR in history or S.REOPENED in history
        status = new
        history.append(new)
    assert status in set(S)
