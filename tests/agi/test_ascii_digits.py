"""Digits other than 0-9 (Arabic-Indic ٣, superscript ², full-width ３) in what Asterisk
sends never reach the dialplan or the CRM as if they were numbers: str.isdigit() and re's
\\d accept them, the dialplan and the phone network do not."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from agi_scripts import channel_vars as cv
from agi_scripts.env import (INVALID_CALLER_ID, ascii_digits, caller_id, dialled_number,
                             foreign_digits)
from agi_scripts.fake_asterisk import SimChannel
from agi_scripts.protocol import RESULT_RE, AgiProtocolError, HotlineAGI
from agi_scripts.scripts import _seconds
from crm.callers import upsert_caller
from crm.case_numbers import NUMBER_RE, from_keypad
from crm.errors import InvalidInput
from crm.models import Call, User
from crm.numbers import normalize
from crm.types import utcnow
from crm.users import set_agent_profile
from hotline.setup import parse_skills
from test_server import Scripted

FOREIGN_CALLER = "٣٤٥²"
FOREIGN_DNID = "١٢٣٤٥"
KNOWN = "+8613985012345"


def _call(sessions, call_id: str) -> Call:
    with sessions() as s:
        return s.scalars(select(Call).where(Call.call_id == call_id)).one()


def _no_foreign_digits(variables: dict) -> None:
    bad = {k: v for k, v in variables.items() if foreign_digits(v)}
    assert bad == {}


def test_foreign_digits_in_caller_id_and_dnid_never_reach_the_dialplan(system):
    address, queue, sessions, *_ = system
    ch = SimChannel(address, "nonascii.1", FOREIGN_CALLER, FOREIGN_DNID, Scripted(menu_key="9"))
    assert ch.agi("menu") == "SUCCESS"
    assert ch.vars[cv.DONE] == cv.DONE_VALUE and ch.vars[cv.NEXT] == cv.NEXT_EMERGENCY
    assert ch.vars[cv.DNID] == ""  # no dialled number we could read: the general menu
    _no_foreign_digits(ch.vars)
    row = _call(sessions, "nonascii.1")
    assert row.outcome == "emergency_transfer"
    assert row.dnid == "" and row.caller_id is None and row.caller_raw == INVALID_CALLER_ID


def test_a_hang_up_with_foreign_digits_is_recorded_as_abandoned(system):
    address, queue, sessions, *_ = system
    ch = SimChannel(address, "nonascii.2", FOREIGN_CALLER, FOREIGN_DNID,
                    Scripted(menu_key="", hang_up_at=2))
    assert ch.agi("menu") == "SUCCESS"
    assert ch.vars[cv.NEXT] == cv.NEXT_HANGUP and ch.vars[cv.RECORDED] == cv.RECORDED_VALUE
    _no_foreign_digits(ch.vars)
    assert _call(sessions, "nonascii.2").outcome == "abandoned"
    assert queue.position("nonascii.2") is None


def test_a_caller_id_with_one_foreign_digit_is_not_taken_for_another_citizen(system):
    address, queue, sessions, *_ = system
    with sessions.begin() as s:  # the citizen whose number the ASCII digits alone would be
        upsert_caller(s, normalize(KNOWN), "guiyang", utcnow())
    ch = SimChannel(address, "nonascii.3", "13985012345٦", "12345", Scripted(menu_key="9"))
    ch.agi("menu")
    assert ch.vars[cv.DNID] == "12345"
    row = _call(sessions, "nonascii.3")
    assert row.caller_id is None and row.outcome == "emergency_transfer"


# ---- the validators -----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("12345", "12345"), ("+86 851-1234", "868511234"), ("", ""), ("unknown", ""),
    (FOREIGN_DNID, ""), ("12٣45", ""), ("12²", ""), ("１２３４５", ""),
])
def test_ascii_digits_keep_0_to_9_and_refuse_other_digits_whole(text, expected):
    assert ascii_digits(text, 20) == expected


def test_dialled_number_and_caller_id_from_the_agi_environment():
    assert dialled_number({"agi_dnid": "12345", "agi_extension": "s"}) == "12345"
    assert dialled_number({"agi_dnid": FOREIGN_DNID, "agi_extension": "12333"}) == "12333"
    assert dialled_number({"agi_dnid": FOREIGN_DNID, "agi_extension": FOREIGN_DNID}) == ""
    assert caller_id({"agi_callerid": "13985012345"}) == "13985012345"
    assert caller_id({"agi_callerid": '"王五" <13985012345>'}) == '"王五" <13985012345>'
    assert caller_id({"agi_callerid": FOREIGN_CALLER}) == INVALID_CALLER_ID


def _replies(text: str) -> HotlineAGI:
    return HotlineAGI(io.StringIO(text), io.StringIO(), {})


def test_agi_replies_and_keys_accept_only_ascii_digits():
    assert RESULT_RE.match("200 result=1") and not RESULT_RE.match("٢٠٠ result=1")
    with pytest.raises(AgiProtocolError):
        _replies("٢٠٠ result=1\n").get_result()
    assert _replies("200 result=49 endpos=4000\n").play("welcome", "0123456789") == "1"
    with pytest.raises(AgiProtocolError):  # int() would read it as 49, the key 1
        _replies("200 result=٤٩ endpos=4000\n").play("welcome", "0123456789")


def test_seconds_from_channel_variables_are_ascii_only():
    assert _seconds("42") == 42.0 and _seconds("1764000000.125", limit=4e9) == 1764000000.125
    assert _seconds("٤٢") == 0.0 and _seconds("nan") == 0.0 and _seconds("inf") == 0.0


def test_case_numbers_extensions_and_skill_levels_are_ascii_only(sessions, operator_config):
    assert from_keypad("20261127000042") == "12345-20261127-000042"
    assert from_keypad("٢٠٢٦١١٢٧٠٠٠٠٤٢") is None
    assert NUMBER_RE.match("12345-20261127-000042")
    assert not NUMBER_RE.match("12345-٢٠٢٦١١٢٧-000042")
    with sessions.begin() as s:
        user = User(username="ext", display_name="ext", password_hash="-", role="agent")
        s.add(user)
        s.flush()
        with pytest.raises(InvalidInput):
            set_agent_profile(s, user, "٨٠٠١", "guiyang", {"general": 1})
        assert set_agent_profile(s, user, "8001", "guiyang", {"general": 1}).extension == "8001"
    with pytest.raises(InvalidInput):
        parse_skills("general:٣", operator_config.lines)
    assert parse_skills("general:3", operator_config.lines) == {"general": 3}
