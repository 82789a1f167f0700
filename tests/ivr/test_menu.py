"""The voice menu, path by path, as a caller experiences it (pure: no telephony)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from ivr import model as m
from ivr.errors import UnexpectedEvent
from ivr.machine import Machine
from ivr.settings import REPEAT_PRIORITY, MenuSettings


@pytest.fixture(scope="module")
def machine(operator_config):
    return Machine(MenuSettings.from_config(operator_config))


def run(machine, events, state=None):
    """Feed events; return the final state and every action asked for."""
    state = state or m.State()
    actions: list = []
    for event in events:
        state, step_actions = machine.step(state, event)
        actions.extend(step_actions)
    return state, actions


def kinds(actions):
    return [type(a).__name__ for a in actions]


def test_silence_reaches_a_person_on_the_general_line_after_the_short_welcome(machine):
    state, actions = run(machine, [m.Start("12345", False), m.Digits("")])
    collect = actions[0]
    assert collect.prompts == ("welcome", "emergency_notice", "shortcuts")
    assert collect.max_digits == 1
    assert actions[-1] == m.JoinQueue("general", 0, False)
    assert state.path == ("in", "menu:main", "silence", "queue:general")


def test_zero_two_and_three_are_shortcuts_to_their_lines(machine):
    for key, line in (("0", "general"), ("2", "dialect_en"), ("3", "enterprise")):
        state, actions = run(machine, [m.Start("12345", False), m.Digits(key, False)])
        assert actions[-1] == m.JoinQueue(line, 0, False)
        assert f"key:{key}" in state.path


def test_nine_dials_110_and_records_an_emergency_transfer(machine):
    state, actions = run(machine, [m.Start("12345", False), m.Digits("9", False)])
    assert m.Finish("emergency_transfer") in actions
    assert m.Emergency("110") in actions
    assert actions[-1] == m.Return(m.Next.EMERGENCY)
    assert state.phase == m.Phase.DONE


def test_an_invalid_key_is_explained_once_then_the_caller_goes_to_a_person(machine):
    state, actions = run(machine, [m.Start("12345", False), m.Digits("7", False)])
    assert actions[-1].prompts[0] == "invalid_input" and state.phase == m.Phase.MENU
    state, more = run(machine, [m.Digits("*", False)], state)
    assert more == [m.JoinQueue("general", 0, False)]


def test_keys_beyond_the_first_and_garbage_are_ignored(machine):
    state, actions = run(machine, [m.Start("12345", False), m.Digits("2999\x00abc", False)])
    assert actions[-1] == m.JoinQueue("dialect_en", 0, False)


def test_a_legacy_number_skips_the_menu_and_joins_its_line(machine):
    state, actions = run(machine, [m.Start("12315", False)])
    assert actions[0].prompts == ("welcome", "emergency_notice")
    state, more = run(machine, [m.Digits("")], state)
    assert more == [m.JoinQueue("market", 0, False)]
    assert state.path[0] == "legacy:12315"


def test_a_legacy_caller_can_still_press_nine_for_110(machine):
    _, actions = run(machine, [m.Start("12333", False), m.Digits("9", False)])
    assert actions[-1] == m.Return(m.Next.EMERGENCY)


def test_a_repeat_caller_hears_the_case_and_gets_priority_on_its_line(machine):
    case = m.CaseInfo("12345-20261127-000042", "in_progress", "market", date(2026, 12, 4))
    state, actions = run(machine, [m.Start("12345", True), m.RepeatResult(case)])
    assert actions[0] == m.LookupRepeat(7)
    prompts = actions[1].prompts
    assert "repeat_caller" in prompts and "status_in_progress" in prompts
    digits = [p[-1] for p in prompts if p.startswith("digit_")]
    assert "".join(digits) == "20261127000042"
    state, more = run(machine, [m.Digits("")], state)
    assert more == [m.JoinQueue("market", REPEAT_PRIORITY, True)]


def test_a_known_caller_without_an_open_case_gets_the_normal_menu(machine):
    state, actions = run(machine, [m.Start("12345", True), m.RepeatResult(None)])
    assert state.phase == m.Phase.MENU


def test_case_progress_reads_status_and_deadline_then_says_goodbye(machine):
    case = m.CaseInfo("12345-20261127-000042", "dispatched", "general", date(2026, 11, 30))
    state, actions = run(machine, [m.Start("12345", False), m.Digits("1", False)])
    assert actions[-1].prompts == ("case_enter_number",) and actions[-1].terminator == "#"
    state, actions = run(machine, [m.Digits("20261127000042", False)], state)
    assert actions == [m.LookupCase("20261127000042")]
    state, actions = run(machine, [m.CaseResult(case)], state)
    prompts = actions[0].prompts
    assert prompts[:2] == ("case_status", "status_in_progress")
    assert prompts[2:] == ("case_deadline", "digit_2", "digit_0", "digit_2", "digit_6", "year",
                           "ten", "digit_1", "month", "digit_3", "ten", "day", "case_more")
    state, actions = run(machine, [m.Digits("")], state)
    assert actions[0] == m.Finish("self_service") and actions[-1] == m.Return(m.Next.HANGUP)


def test_after_hearing_the_case_zero_reaches_a_person(machine):
    case = m.CaseInfo("12345-20261127-000042", "closed", "general")
    state, actions = run(machine, [m.Start("", False), m.Digits("1", False),
                                   m.Digits("20261127000042", False), m.CaseResult(case),
                                   m.Digits("0", False)])
    assert actions[-1] == m.JoinQueue("general", 0, False)
    assert "status_closed" in actions[-2].prompts


def test_an_unknown_case_is_reported_and_a_person_offered(machine):
    state, actions = run(machine, [m.Start("", False), m.Digits("1", False),
                                   m.Digits("20261127000099", False), m.CaseResult(None)])
    assert actions[-2:] == [m.Play(("case_not_found",)), m.JoinQueue("general", 0, False)]


def test_a_mistyped_case_number_is_asked_again_then_a_person_takes_over(machine):
    state, actions = run(machine, [m.Start("", False), m.Digits("1", False), m.Digits("123", False)])
    assert actions[-1].prompts == ("invalid_input", "case_enter_number")
    state, actions = run(machine, [m.Digits("", True)], state)
    assert actions[-2:] == [m.Play(("case_not_found",)), m.JoinQueue("general", 0, False)]


def test_zero_while_typing_a_case_number_reaches_a_person(machine):
    _, actions = run(machine, [m.Start("", False), m.Digits("1", False), m.Digits("0", False)])
    assert actions[-1] == m.JoinQueue("general", 0, False)


def test_case_number_input_is_bounded(machine, operator_config):
    _, actions = run(machine, [m.Start("", False), m.Digits("1", False)])
    assert actions[-1].max_digits == max(operator_config.menu.case_number_max_digits, 14)
    state, actions = run(machine, [m.Start("", False), m.Digits("1", False), m.Digits("9" * 500)])
    assert state.phase == m.Phase.CASE_NUMBER


def joined(machine, known=True):
    start = [m.Start("12345", known)] + ([m.RepeatResult(None)] if known else [])
    return run(machine, start + [m.Digits(""), m.Joined(4, 150.0)])


def test_joining_announces_position_and_wait_and_offers_a_callback(machine):
    state, actions = joined(machine)
    prompts = actions[-1].prompts
    assert prompts[0] == "queue_joined"
    assert prompts[1:4] == ("position_ahead", "digit_3", "position_callers")
    assert prompts[4:7] == ("estimated_wait", "digit_3", "minutes")
    assert prompts[-1] == "callback_offer"


def test_a_withheld_number_is_not_offered_a_callback(machine):
    state, actions = joined(machine, known=False)
    assert "callback_offer" not in actions[-1].prompts
    state, more = run(machine, [m.Digits("1", False)], state)
    assert isinstance(more[0], m.Wait)


def test_waiting_repeats_the_announcement_every_interval(machine, operator_config):
    state, actions = joined(machine)
    state, actions = run(machine, [m.Digits("")], state)
    assert actions == [m.Wait(float(operator_config.queue.announce_every_seconds))]
    state, actions = run(machine, [m.WaitElapsed(2, 30.0)], state)
    assert actions[-1].prompts[:3] == ("position_ahead", "digit_1", "position_callers")
    assert "less_than_a_minute" in actions[-1].prompts


def test_pressing_one_while_waiting_keeps_the_place_for_a_callback(machine):
    state, _ = joined(machine)
    state, actions = run(machine, [m.Digits(""), m.Digits("1", False)], state)
    assert actions[-1] == m.RequestCallback()
    state, actions = run(machine, [m.CallbackResult(True)], state)
    assert actions == [m.Finish("callback"), m.Play(("callback_confirmed",)),
                       m.Return(m.Next.HANGUP)]


def test_a_refused_callback_keeps_the_caller_waiting(machine):
    state, _ = joined(machine)
    state, actions = run(machine, [m.Digits("1", False), m.CallbackResult(False)], state)
    assert isinstance(actions[-1], m.Wait) and state.phase == m.Phase.WAITING


def test_hanging_up_while_waiting_abandons_the_entry(machine):
    state, _ = joined(machine)
    state, actions = run(machine, [m.Digits(""), m.HungUp()], state)
    assert actions[1:] == [m.Abandon(), m.Finish("abandoned"), m.Return(m.Next.HANGUP)]


def test_hanging_up_in_the_menu_is_recorded_once_without_abandoning_a_queue(machine):
    state, actions = run(machine, [m.Start("12345", False), m.HungUp()])
    assert actions[1:] == [m.Finish("abandoned"), m.Return(m.Next.HANGUP)]
    state, actions = run(machine, [m.HungUp()], state)
    assert actions == [m.Return(m.Next.HANGUP)]


def test_an_offer_sets_the_dial_target_and_returns_to_the_dialplan(machine):
    state, _ = joined(machine)
    state, actions = run(machine, [m.Digits(""), m.Offered("a1", "PJSIP/8001", 15)], state)
    assert actions[1:] == [m.Connect("a1", "PJSIP/8001", 15), m.Return(m.Next.DIAL)]
    assert state.agent == "a1"


def dialing(machine):
    state, _ = joined(machine)
    return run(machine, [m.Digits(""), m.Offered("a1", "PJSIP/8001", 15)], state)[0]


@pytest.mark.parametrize("status,reason", [("NOANSWER", "no_answer"), ("BUSY", "rejected"),
                                           ("CHANUNAVAIL", "no_answer"), ("", "no_answer")])
def test_no_answer_puts_the_caller_back_at_the_head(machine, status, reason):
    state, actions = run(machine, [m.DialResult(status)], dialing(machine))
    assert actions == [m.Miss(reason)]
    state, actions = run(machine, [m.Joined(1, 10.0)], state)
    assert actions[-1].prompts[0] == "queue_joined"


def test_the_caller_hanging_up_while_the_agent_rings_is_an_abandonment(machine):
    _, actions = run(machine, [m.DialResult("CANCEL")], dialing(machine))
    assert actions[:2] == [m.Abandon(), m.Finish("abandoned")]


@pytest.mark.parametrize("key,rating", [("1", "satisfied"), ("2", "basically_satisfied"),
                                        ("3", "dissatisfied")])
def test_the_survey_records_one_rating(machine, key, rating):
    state, actions = run(machine, [m.DialResult("ANSWER")], dialing(machine))
    assert actions[0] == m.AgentDone() and actions[1].prompts == ("survey",)
    state, actions = run(machine, [m.Digits(key, False)], state)
    assert actions[0] == m.Finish("answered", rating)


def test_the_survey_tolerates_one_wrong_key_and_silence(machine):
    state, _ = run(machine, [m.DialResult("ANSWER")], dialing(machine))
    state, actions = run(machine, [m.Digits("8", False)], state)
    assert actions[-1].prompts == ("invalid_input", "survey")
    state, actions = run(machine, [m.Digits("", True)], state)
    assert actions[0] == m.Finish("answered")


def test_hanging_up_during_the_survey_records_an_answered_call(machine):
    state, _ = run(machine, [m.DialResult("ANSWER")], dialing(machine))
    _, actions = run(machine, [m.HungUp()], state)
    assert actions == [m.Finish("answered"), m.Return(m.Next.HANGUP)]


def test_a_vanished_entry_rejoins_the_same_line(machine):
    state, _ = joined(machine)
    state, actions = run(machine, [m.Digits(""), m.QueueGone()], state)
    assert actions[1:] == [m.JoinQueue("general", 0, False)]


def test_an_event_the_phase_does_not_expect_is_refused(machine):
    with pytest.raises(UnexpectedEvent):
        machine.step(m.State(), m.Digits("1"))


@pytest.mark.parametrize("phase", [m.Phase.JOINING, m.Phase.ANNOUNCING, m.Phase.WAITING,
                                   m.Phase.DIALING])
def test_a_resumed_caller_goes_on_waiting_without_a_new_announcement(machine, operator_config,
                                                                     phase):
    state, _ = joined(machine)
    state = dataclasses.replace(state, phase=phase, agent="a1")
    state, actions = run(machine, [m.Resumed(1, 20.0)], state)
    assert actions == [m.Wait(float(operator_config.queue.announce_every_seconds))]
    assert state.phase == m.Phase.WAITING and state.agent == ""
    assert state.path[-1] == "resume"


def test_a_resume_outside_the_queue_is_refused(machine):
    state, _ = run(machine, [m.Start("12345", False)])
    with pytest.raises(UnexpectedEvent):
        machine.step(state, m.Resumed(1, 0.0))


def test_a_draining_server_hands_the_waiting_caller_back_to_resume(machine):
    state, _ = joined(machine)
    state, actions = run(machine, [m.Digits(""), m.Handback()], state)
    assert actions[-1:] == [m.Return(m.Next.RESUME)]
    assert state.phase == m.Phase.WAITING            # still waiting: nothing recorded
    assert not any(isinstance(a, m.Finish) for a in actions)


def test_a_queue_out_of_reach_too_long_sends_the_caller_to_the_fallback_once(machine):
    state, _ = joined(machine)
    state, actions = run(machine, [m.Digits(""), m.QueueUnavailable()], state)
    assert actions[-2:] == [m.Finish("fallback"), m.Return(m.Next.FALLBACK)]
    assert state.phase == m.Phase.DONE
