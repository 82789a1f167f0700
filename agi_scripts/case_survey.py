"""The phone callback survey (回访) on an AMI-placed call: agi://host/case_survey?case=<number>.

Asks whether the matter was resolved (1/2), then the 5-level rating (1-5), each with one
retry, and stores both in one transaction (crm.phone_survey). A hang-up or no answer records
nothing: the case stays in callback_survey. A case number that is malformed or not awaiting
the survey is refused before anything is played (fallback). The done flag is set last.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

from agi_scripts import channel_vars as cv
from agi_scripts.protocol import AgiHangup, HotlineAGI
from agi_scripts.session import fallback
from crm.enums import Rating
from crm.errors import CrmError
from crm.phone_survey import CASE_NUMBER, awaiting_phone_survey, record_answers
from crm.sla import Deadlines

log = logging.getLogger("hotline.agi.case_survey")

INTRO = "case_survey_intro"      # resolved? 1 yes, 2 no
RATE = "case_survey_rate"        # 1 very satisfied ... 5 very dissatisfied
THANKS = "case_survey_thanks"
INVALID = "invalid_input"
GOODBYE = "goodbye"
RESOLVED_KEYS = {"1": True, "2": False}
RATING_KEYS = {"1": Rating.VERY_SATISFIED, "2": Rating.SATISFIED,
               "3": Rating.BASICALLY_SATISFIED, "4": Rating.DISSATISFIED,
               "5": Rating.VERY_DISSATISFIED}
TRIES = 2                        # the question, then one retry
MAX_QUERY = 200


def case_number_of(env: dict[str, str]) -> str | None:
    """The ``case`` of the script's query when it is exactly one well-formed case number."""
    script = env.get("agi_network_script") or env.get("agi_request", "")
    _, sep, query = script.partition("?")
    if not sep or len(query) > MAX_QUERY:
        return None
    values = parse_qs(query, keep_blank_values=True).get("case", [])
    if len(values) != 1 or not CASE_NUMBER.fullmatch(values[0]):
        return None
    return values[0]


def _ask(agi: HotlineAGI, deps, prompt: str, keys: dict) -> str | None:
    """One key out of ``keys``, asked at most TRIES times; None when none came."""
    timeout_ms = deps.operator.menu.survey_wait_seconds * 1000
    for attempt in range(TRIES):
        if attempt:
            agi.play(deps.prompt(INVALID))
        digits, _ = agi.read_digits(deps.prompt(prompt), timeout_ms, 1)
        if digits in keys:
            return digits
    return None


def _awaiting(deps, number: str) -> bool:
    with deps.intake.sessions() as session:
        return awaiting_phone_survey(session, number)


def _record(deps, number: str, resolved: bool, rating: Rating) -> bool:
    try:
        with deps.intake.sessions.begin() as session:
            record_answers(session, case_number=number, resolved=resolved, rating=rating,
                           deadlines=Deadlines.from_config(deps.operator))
    except CrmError as exc:  # rated meanwhile (e.g. by SMS), or moved on
        log.warning("case survey %s: not recorded (%s: %s)", number, exc.code, exc.message)
        return False
    log.info("case survey %s: resolved=%s rating=%s", number, resolved, rating)
    return True


def _done(agi: HotlineAGI) -> None:
    """The done flag, last (SET VARIABLE works on a dead channel too)."""
    try:
        agi.set_var(cv.NEXT, cv.NEXT_HANGUP)
        agi.set_var(cv.DONE, cv.DONE_VALUE)
    except AgiHangup:
        pass


def _converse(agi: HotlineAGI, deps, number: str) -> None:
    resolved = _ask(agi, deps, INTRO, RESOLVED_KEYS)
    rating = _ask(agi, deps, RATE, RATING_KEYS) if resolved is not None else None
    if resolved is None or rating is None:
        log.info("case survey %s: no answer; nothing recorded, still in callback_survey", number)
        agi.play(deps.prompt(GOODBYE))
        return
    recorded = _record(deps, number, RESOLVED_KEYS[resolved], RATING_KEYS[rating])
    try:
        agi.play(deps.prompt(THANKS if recorded else GOODBYE))
    except AgiHangup:
        pass  # the answers are stored; hanging up during the thanks is fine


def case_survey(agi: HotlineAGI, deps) -> None:
    """The route: check the case, ask, record, thank; the done flag last."""
    number = case_number_of(agi.env)
    if number is None or not _awaiting(deps, number):
        log.warning("case survey refused for %r: no such case awaiting the survey",
                    (number or agi.env.get("agi_network_script", ""))[:80])
        fallback(agi)
        return
    try:
        _converse(agi, deps, number)
    except AgiHangup:
        log.info("case survey %s: the citizen hung up before answering; nothing recorded, "
                 "still in callback_survey", number)
    _done(agi)
