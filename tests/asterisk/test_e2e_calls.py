"""End to end on the real Asterisk: a plain call, a legacy number, case progress, key 9.

Citizens are Local channels running [test-citizen] (keys with SendDTMF, per CITIZEN_SCRIPT);
agents are Local channels running [test-agent]; our FastAGI server runs in-process.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from e2e_harness import wait_for
from pbx_harness import LogMark

pytestmark = pytest.mark.asterisk
SILENT = "w120"           # a citizen who presses nothing and stays on the line


def _prompts_played(hotline, call_id: str) -> list[tuple[str, str]]:
    return [(c, r) for c, r in hotline.transcript.of(call_id)
            if c.startswith(("STREAM FILE", "GET DATA"))]


def test_plain_call_reaches_an_agent_and_the_survey_rates_it(hotline):
    from crm.models import Case

    agent = hotline.agent("8201", "1:2")
    answered = hotline.answered(hotline.call(SILENT, caller="13985010101"))
    call_id = answered["Uniqueid"]
    hotline.events.wait_for("UserEvent", UserEvent="HotlineTestAgentAnswered", Agent="8201",
                            timeout=60)
    # the agent hangs up after 2 s; the citizen keeps pressing 1 (keys before the survey
    # reach the agent) until the call is recorded
    row = hotline.press_until(answered["Channel"], "1", lambda: hotline.call_row(call_id))
    assert row.outcome == "answered"
    assert row.rating == "satisfied"
    assert row.agent == agent
    assert row.wait_seconds is not None and row.wait_seconds >= 0
    assert row.queued_at is not None and row.answered_at >= row.queued_at
    assert row.menu_path.split(">")[:3] == ["in", "menu:main", "silence"]
    with hotline.sessions() as s:
        case = s.get(Case, row.case_id)
        assert case is not None and case.status == "registered"
        assert case.contact_number == "+8613985010101"


def test_legacy_number_reaches_its_line_without_the_menu(hotline):
    hotline.agent("8202", "1:30")
    answered = hotline.answered(hotline.call(SILENT, caller="13985010102", number="12333"))
    call_id = answered["Uniqueid"]
    wait_for(lambda: hotline.queue_events("accepted", call_id=call_id), 60, "no agent")
    hotline.ami.hangup(answered["Channel"])  # the citizen hangs up while talking
    row = hotline.wait_row(call_id)
    assert row.outcome == "answered"
    assert row.line == "social_security"
    assert row.dnid == "12333"
    assert "menu:main" not in row.menu_path and row.menu_path.startswith("legacy:12333")
    played = " ".join(c for c, _ in _prompts_played(hotline, call_id))
    assert "hotline/welcome" in played and "hotline/shortcuts" not in played


def _existing_case(hotline) -> tuple[str, str]:
    """A registered case with a deadline; returns (keypad digits, its status prompt)."""
    from crm.audit import Actor
    from crm.case_numbers import to_keypad
    from crm.cases import NewCase, create_case
    from crm.enums import Channel
    from ivr import speech

    with hotline.sessions.begin() as s:
        case = create_case(s, NewCase(channel=Channel.WEB, title="路灯不亮"), Actor.system("test"))
        case.due_at = datetime.now(timezone.utc) + timedelta(days=5)
        return to_keypad(case.number), speech.status(case.status)


def test_case_progress_reads_the_status_back_with_every_prompt_found(hotline):
    keypad, status_prompt = _existing_case(hotline)
    mark = LogMark(hotline.env)
    answered = hotline.answered(hotline.call(f"w1:d1:w2:d{keypad}#:w40:h",
                                             caller="13985010103"))
    call_id = answered["Uniqueid"]
    row = hotline.wait_row(call_id)
    assert row.outcome == "self_service"
    assert "case:heard" in row.menu_path
    played = _prompts_played(hotline, call_id)
    commands = " ".join(c for c, _ in played)
    for prompt in ("hotline/case_enter_number", f"hotline/{status_prompt}",
                   "hotline/case_deadline", "hotline/case_more"):
        assert prompt in commands
    assert [(c, r) for c, r in played if r.startswith("result=-1")] == []
    hotline.events.wait_for("Hangup", Uniqueid=call_id, timeout=30)
    assert [line for line in mark.new_lines() if "does not exist" in line] == []


def test_key_9_transfers_to_the_configured_110_target(hotline):
    answered = hotline.answered(hotline.call("w1:d9:w30:h", caller="13985010104"))
    call_id = answered["Uniqueid"]
    reached = hotline.events.wait_for("UserEvent", UserEvent="HotlineTest110", timeout=60,
                                      CallerID="13985010104")
    assert reached["Number"] == "110"
    row = wait_for(lambda: hotline.call_row(call_id), 10, "no Call row")
    assert row.outcome == "emergency_transfer"
    assert row.menu_path.endswith("key:9>emergency")
