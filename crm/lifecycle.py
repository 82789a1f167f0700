"""The work-order lifecycle as a pure state machine: an explicit transition table, no I/O.

``apply(status, action)`` returns the new status or raises IllegalTransition; nothing else
is allowed. The service layer (crm.workflow) stores the result with a conditional update.
"""

from __future__ import annotations

from enum import StrEnum

from crm.enums import CaseStatus as S
from crm.errors import IllegalTransition


class Action(StrEnum):
    """What can happen to a case. Values are stored in the audit trail: never rename one."""

    RESOLVE_ON_CALL = "resolve_on_call"  # 直接办结
    DISPATCH = "dispatch"  # 派单 (also re-dispatch after a return or a reopening)
    MERGE = "merge"  # 并单: a duplicate folded into an earlier order
    SIGN_FOR = "sign_for"  # 签收
    START = "start"  # 办理
    RETURN = "return"  # 退单
    REQUEST_EXTENSION = "request_extension"  # 延期申请
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"
    REPLY = "reply"  # 回复
    REVIEW = "review"  # 审核 passed
    REJECT_REPLY = "reject_reply"  # 审核 failed: back to the department
    START_SURVEY = "start_survey"  # 回访
    CLOSE = "close"  # 办结 without a rating (e.g. the citizen could not be reached)
    RATE_SATISFIED = "rate_satisfied"  # 好评: very satisfied, satisfied, basically satisfied
    RATE_DISSATISFIED = "rate_dissatisfied"  # 差评: reopens for rectification
    REOPEN = "reopen"  # a supervisor reopens a closed case


A = Action

TRANSITIONS: dict[tuple[S, Action], S] = {
    (S.REGISTERED, A.DISPATCH): S.DISPATCHED,
    (S.REGISTERED, A.RESOLVE_ON_CALL): S.RESOLVED_ON_CALL,
    (S.REGISTERED, A.MERGE): S.CLOSED,
    (S.RESOLVED_ON_CALL, A.RATE_SATISFIED): S.RESOLVED_ON_CALL,
    (S.RESOLVED_ON_CALL, A.RATE_DISSATISFIED): S.REOPENED,
    (S.RESOLVED_ON_CALL, A.REOPEN): S.REOPENED,
    (S.DISPATCHED, A.SIGN_FOR): S.SIGNED_FOR,
    (S.DISPATCHED, A.RETURN): S.RETURNED,
    (S.SIGNED_FOR, A.START): S.IN_PROGRESS,
    (S.SIGNED_FOR, A.REPLY): S.REPLIED,
    (S.SIGNED_FOR, A.RETURN): S.RETURNED,
    (S.SIGNED_FOR, A.REQUEST_EXTENSION): S.EXTENSION_REQUESTED,
    (S.IN_PROGRESS, A.REPLY): S.REPLIED,
    (S.IN_PROGRESS, A.RETURN): S.RETURNED,
    (S.IN_PROGRESS, A.REQUEST_EXTENSION): S.EXTENSION_REQUESTED,
    (S.EXTENSION_REQUESTED, A.APPROVE_EXTENSION): S.IN_PROGRESS,
    (S.EXTENSION_REQUESTED, A.REFUSE_EXTENSION): S.IN_PROGRESS,
    (S.RETURNED, A.DISPATCH): S.DISPATCHED,
    (S.RETURNED, A.RESOLVE_ON_CALL): S.RESOLVED_ON_CALL,
    (S.REPLIED, A.REVIEW): S.REVIEWED,
    (S.REPLIED, A.REJECT_REPLY): S.IN_PROGRESS,
    (S.REVIEWED, A.START_SURVEY): S.CALLBACK_SURVEY,
    (S.REVIEWED, A.CLOSE): S.CLOSED,
    (S.CALLBACK_SURVEY, A.RATE_SATISFIED): S.CLOSED,
    (S.CALLBACK_SURVEY, A.RATE_DISSATISFIED): S.REOPENED,
    (S.CALLBACK_SURVEY, A.CLOSE): S.CLOSED,
    (S.CLOSED, A.RATE_SATISFIED): S.CLOSED,
    (S.CLOSED, A.RATE_DISSATISFIED): S.REOPENED,
    (S.CLOSED, A.REOPEN): S.REOPENED,
    (S.REOPENED, A.START): S.IN_PROGRESS,
    (S.REOPENED, A.DISPATCH): S.DISPATCHED,
}

# Where a department's deadline runs: the order is with the department and not yet answered.
WITH_DEPARTMENT = frozenset(
    {S.DISPATCHED, S.SIGNED_FOR, S.IN_PROGRESS, S.EXTENSION_REQUESTED, S.REOPENED}
)
# 首接负责制 (first-contact responsibility): the agent who first takes a case owns it until it
# is dispatched. An agent makes these moves on a registered case that is theirs or nobody's
# yet (taking it in the same update) ...
FIRST_TAKER_MOVES = frozenset({
    (S.REGISTERED, A.DISPATCH),
    (S.REGISTERED, A.RESOLVE_ON_CALL),
    (S.REGISTERED, A.MERGE),
})
# ... and these only on their own case that was never dispatched (resolved on the call, then
# reopened). Everything else, e.g. re-dispatching a returned or reopened order or resolving a
# returned one, is for supervisors and admins.
OWNER_MOVES = frozenset({(S.REOPENED, A.DISPATCH)})


class AgentVerdict(StrEnum):
    """May an agent make a move? The refusals' values are the API's error codes."""

    ALLOWED = "allowed"
    NOT_OWNER = "not_case_owner"
    SUPERVISOR_ONLY = "supervisor_only"


# Where a rating may be given (一事一评 after the callback survey or after closure).
RATEABLE = frozenset(s for (s, a) in TRANSITIONS if a is A.RATE_SATISFIED)


def apply(status: S | str, action: Action | str) -> S:
    """The status after ``action``; raise IllegalTransition when the table does not allow it."""
    try:
        key = (S(status), Action(action))
    except ValueError:
        raise IllegalTransition(
            f"unknown status or action: {status!r}, {action!r}", status=str(status),
            action=str(action),
        ) from None
    new = TRANSITIONS.get(key)
    if new is None:
        raise IllegalTransition(
            f"cannot {key[1].value} a case that is {key[0].value}",
            status=key[0].value, action=key[1].value,
        )
    return new


def agent_verdict(status: S | str, action: Action | str, *, owner_id: int | None,
                  agent_id: int | None, dispatched: bool) -> AgentVerdict:
    """Whether agent ``agent_id`` may make ``action`` on a case in ``status`` owned by
    ``owner_id`` (None: nobody yet) that was or was never ``dispatched``."""
    key = (S(status), Action(action))
    if key in FIRST_TAKER_MOVES:
        mine = owner_id is None or owner_id == agent_id
    elif key in OWNER_MOVES and not dispatched:
        mine = owner_id is not None and owner_id == agent_id
    else:
        return AgentVerdict.SUPERVISOR_ONLY
    return AgentVerdict.ALLOWED if mine else AgentVerdict.NOT_OWNER


def allowed_actions(status: S | str) -> list[Action]:
    """The actions the table allows from ``status``, in declaration order (for the UI)."""
    return [a for (s, a) in TRANSITIONS if s == S(status)]


def rating_action(dissatisfied: bool) -> Action:
    return A.RATE_DISSATISFIED if dissatisfied else A.RATE_SATISFIED
