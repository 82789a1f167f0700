"""The phone callback survey script (case_survey) over the FastAGI server, with simulated
Asterisk channels, real Redis, and SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from agi_scripts import channel_vars as cv
from agi_scripts.fake_asterisk import HANGUP, SimChannel
from crm import workflow as wf
from crm.audit import Actor
from crm.cases import NewCase, create_case
from crm.enums import CaseStatus, Channel, Role
from crm.models import Case, CaseEvent, CaseRating, User

T0 = datetime(2026, 11, 26, 1, 30, tzinfo=timezone.utc)   # a working Thursday in Guizhou
DEPT = "guiyang_market"
CITIZEN = "+8613985012345"
SUPERVISOR = Actor(name="sup.zhao", role=str(Role.SUPERVISOR))


@pytest.fixture
def agi_address(sessions, operator_config, redis_client):
    from agi_scripts.deps import VoiceDeps
    from agi_scripts.server import start
    from callqueue.api import CallQueue
    from crm.intake import Intake

    deps = VoiceDeps(operator=operator_config, queue=CallQueue(redis_client, operator_config),
                     intake=Intake(sessions, operator_config))
    running = start(deps, tick=False, callbacks=False)
    yield running.server.server_address[:2]
    running.stop()


def _handler(session) -> Actor:
    user = User(username="market.chen", display_name="陈", password_hash="-",
                role=str(Role.DEPARTMENT), department_id=DEPT, site_id="guiyang")
    session.add(user)
    session.flush()
    return Actor(name=user.username, user_id=user.id, role=str(Role.DEPARTMENT))


def case_in(sessions, status: CaseStatus = CaseStatus.CALLBACK_SURVEY) -> str:
    """A case walked through the real workflow up to ``status``; returns its number."""
    with sessions.begin() as s:
        handler = _handler(s)
        case = create_case(s, NewCase(channel=Channel.ASTERISK, request_type="complaint",
                                      category="consumer", site_id="guiyang",
                                      content="商家拒绝退货", contact_number=CITIZEN),
                           SUPERVISOR, now=T0)
        cid, number = case.id, case.number
        wf.dispatch(s, case_id=cid, actor=SUPERVISOR, department_id=DEPT, now=T0)
        wf.sign_for(s, case_id=cid, actor=handler, now=T0)
        if status == CaseStatus.SIGNED_FOR:
            return number
        wf.reply(s, case_id=cid, actor=handler, text="已责令商家退货", now=T0)
        wf.review(s, case_id=cid, actor=SUPERVISOR, approved=True, now=T0)
        if status == CaseStatus.REVIEWED:
            return number
        wf.start_callback_survey(s, case_id=cid, actor=SUPERVISOR, now=T0)
    return number


def state_of(sessions, number: str):
    with sessions() as s:
        case = s.scalar(select(Case).where(Case.number == number))
        ratings = s.scalars(select(CaseRating).where(CaseRating.case_id == case.id)).all()
        events = s.execute(select(CaseEvent.action, CaseEvent.actor)
                           .where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)).all()
        return case, ratings, [tuple(e) for e in events]


class Citizen:
    """Answers each survey question from a list of keys ("" = silence); may hang up."""

    def __init__(self, intro=(), rate=(), hang_up_on: str | None = None):
        self.answers = {"case_survey_intro": list(intro), "case_survey_rate": list(rate)}
        self.hang_up_on = hang_up_on
        self.heard: list[str] = []

    def _name(self, path: str) -> str:
        return path.rsplit("/", 1)[-1]

    def on_prompt(self, name, escape):
        self.heard.append(self._name(name))
        return HANGUP if self._name(name) == self.hang_up_on else ""

    def on_get_data(self, name, timeout_ms, max_digits):
        name = self._name(name)
        self.heard.append(name)
        assert max_digits == 1 and 0 < timeout_ms <= 15000   # bounded DTMF
        if name == self.hang_up_on:
            return HANGUP
        queue = self.answers.get(name, [])
        digits = queue.pop(0) if queue else ""
        return digits, not digits

    def on_wait(self, timeout_ms):
        return ""


def survey(address, number: str, citizen: Citizen, script: str | None = None) -> SimChannel:
    ch = SimChannel(address, f"survey-{number}", "12345", "s", citizen,
                    context="hotline-survey")
    assert ch.agi(script or f"case_survey?case={number}") == "SUCCESS"
    return ch


def test_resolved_and_satisfied_closes_the_case(sessions, agi_address):
    number = case_in(sessions)
    citizen = Citizen(intro=["1"], rate=["2"])
    ch = survey(agi_address, number, citizen)
    case, ratings, events = state_of(sessions, number)
    assert case.status == CaseStatus.CLOSED and case.rating == "satisfied"
    assert case.resolved is True and case.closed_at is not None
    (rating,) = ratings
    assert (rating.channel, rating.actor, rating.resolved) == ("phone", "system:survey", True)
    assert events[-1] == ("rate_satisfied", "system:survey")
    assert citizen.heard == ["case_survey_intro", "case_survey_rate", "case_survey_thanks"]
    assert ch.vars[cv.DONE] == cv.DONE_VALUE and ch.vars[cv.NEXT] == cv.NEXT_HANGUP


def test_dissatisfied_reopens_the_case_for_rectification(sessions, agi_address):
    number = case_in(sessions)
    survey(agi_address, number, Citizen(intro=["2"], rate=["5"]))
    case, ratings, _ = state_of(sessions, number)
    assert case.status == CaseStatus.REOPENED and case.rating == "very_dissatisfied"
    assert case.resolved is False and case.due_at is not None and case.closed_at is None
    assert [r.rating for r in ratings] == ["very_dissatisfied"]


def test_a_wrong_key_gets_one_retry_then_counts(sessions, agi_address):
    number = case_in(sessions)
    citizen = Citizen(intro=["7", "1"], rate=["", "4"])
    survey(agi_address, number, citizen)
    case, _, _ = state_of(sessions, number)
    assert case.status == CaseStatus.REOPENED and case.rating == "dissatisfied"
    assert case.resolved is True
    assert citizen.heard.count("invalid_input") == 2


def test_no_answer_after_the_retry_records_nothing(sessions, agi_address):
    number = case_in(sessions)
    citizen = Citizen(intro=["1"], rate=["9", "0"])
    ch = survey(agi_address, number, citizen)
    case, ratings, events = state_of(sessions, number)
    assert case.status == CaseStatus.CALLBACK_SURVEY and ratings == [] and case.rating is None
    assert not any(action.startswith("rate") for action, _ in events)
    assert citizen.heard[-1] == "goodbye" and ch.vars[cv.DONE] == cv.DONE_VALUE


@pytest.mark.parametrize("hang_up_on", ["case_survey_intro", "case_survey_rate"])
def test_hanging_up_records_nothing_and_the_case_stays_in_the_survey(sessions, agi_address,
                                                                     hang_up_on):
    number = case_in(sessions)
    ch = survey(agi_address, number, Citizen(intro=["1"], rate=["1"], hang_up_on=hang_up_on))
    case, ratings, _ = state_of(sessions, number)
    assert case.status == CaseStatus.CALLBACK_SURVEY and ratings == []
    assert ch.dead and ch.vars[cv.DONE] == cv.DONE_VALUE   # the flag is set even so


@pytest.mark.parametrize("script", [
    "case_survey",                                        # no query
    "case_survey?case=",                                  # empty
    "case_survey?case=12345-2026112-000001",              # seven digits of date
    "case_survey?case=12345-20261126-000001%0A",          # trailing line break
    "case_survey?case=12345-20261126-000001%2C1",         # comma smuggled in
    "case_survey?case=12345-20261126-000001&case=12345-20261126-000002",   # two cases
    "case_survey?case=12345-%D9%A220261126-00000",        # a non-ASCII digit
    "case_survey?case=12345-29991231-999999",             # well-formed, no such case
])
def test_a_malformed_or_unknown_case_number_is_refused(sessions, agi_address, script):
    number = case_in(sessions)
    citizen = Citizen(intro=["1"], rate=["1"])
    ch = survey(agi_address, number, citizen, script=script)
    assert citizen.heard == []                            # nothing is even asked
    assert ch.vars[cv.NEXT] == cv.NEXT_FALLBACK and ch.vars[cv.DONE] == cv.DONE_VALUE
    case, ratings, _ = state_of(sessions, number)
    assert case.status == CaseStatus.CALLBACK_SURVEY and ratings == []


@pytest.mark.parametrize("status", [CaseStatus.SIGNED_FOR, CaseStatus.REVIEWED])
def test_a_case_not_awaiting_the_survey_cannot_be_rated_by_phone(sessions, agi_address, status):
    number = case_in(sessions, status)
    citizen = Citizen(intro=["1"], rate=["1"])
    ch = survey(agi_address, number, citizen)
    assert citizen.heard == [] and ch.vars[cv.NEXT] == cv.NEXT_FALLBACK
    case, ratings, _ = state_of(sessions, number)
    assert case.status == status and ratings == []


def test_a_second_survey_call_cannot_rate_the_same_round_again(sessions, agi_address):
    number = case_in(sessions)
    survey(agi_address, number, Citizen(intro=["1"], rate=["1"]))
    again = Citizen(intro=["2"], rate=["5"])
    ch = survey(agi_address, number, again)
    assert again.heard == [] and ch.vars[cv.NEXT] == cv.NEXT_FALLBACK
    case, ratings, _ = state_of(sessions, number)
    assert case.status == CaseStatus.CLOSED and [r.rating for r in ratings] == ["very_satisfied"]
