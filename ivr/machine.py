"""The voice menu's transitions: ``Machine(settings).step(state, event) -> (state, actions)``.

Human first: a short welcome with the emergency notice, then a person when nothing is
pressed; keys are one-level shortcuts and every menu offers 0 for a person.
"""

from __future__ import annotations

from ivr import speech
from ivr import waiting
from ivr.errors import UnexpectedEvent
from ivr.model import (
    CaseInfo, CaseResult, Collect, Digits, Emergency, Finish, HungUp, LookupCase, LookupRepeat,
    Next, Phase, Play, RepeatResult, Resumed, Return, Start, State, SurveyStart, with_path,
)
from ivr.settings import (
    CASE_ENTRY_SECONDS, CASE_HEARD_SECONDS, CASE_KEYPAD_DIGITS, GREETING_SECONDS, MAX_INVALID,
    REPEAT_PRIORITY, MenuSettings, clean_keys,
)

Result = tuple[State, list]


class Machine:
    """Pure: the same state and event always give the same state and actions."""

    def __init__(self, settings: MenuSettings):
        self.s = settings

    def step(self, state: State, event) -> Result:
        if isinstance(event, HungUp):
            return waiting.hung_up(state)
        if isinstance(event, SurveyStart):
            return waiting.survey(state, self.s)
        if isinstance(event, Resumed):
            return waiting.resumed(self.s, state, event)
        handler = _HANDLERS.get(state.phase)
        if handler is None:
            return waiting.step(self.s, state, event)
        return handler(self, state, event)

    # ---- arrival -------------------------------------------------------------------------
    def _start(self, state: State, event) -> Result:
        _expect(state, event, Start)
        dnid = clean_keys(event.dnid, 20)
        legacy = self.s.legacy_lines.get(dnid, "")
        state = with_path(state, f"legacy:{dnid}" if legacy else "in",
                          caller_known=event.caller_known, line=legacy)
        if event.caller_known and self.s.repeat_caller_days > 0:
            return with_path(state, phase=Phase.LOOKUP), [LookupRepeat(self.s.repeat_caller_days)]
        return self._route(state, None)

    def _lookup(self, state: State, event) -> Result:
        _expect(state, event, RepeatResult)
        return self._route(state, event.case)

    def _route(self, state: State, case: CaseInfo | None) -> Result:
        if case is not None and case.line in self.s.lines:
            state = with_path(state, "repeat", phase=Phase.GREETING, line=case.line,
                              priority=REPEAT_PRIORITY, repeat_case=case.number)
            prompts = ("welcome", "emergency_notice", "repeat_caller",
                       *speech.case_number(case.number), "case_status", speech.status(case.status))
            return state, [Collect(prompts, 1, GREETING_SECONDS)]
        if state.line:
            state = with_path(state, phase=Phase.GREETING)
            return state, [Collect(("welcome", "emergency_notice"), 1, GREETING_SECONDS)]
        return self._enter_menu(state, self.s.entry)

    def _greeting(self, state: State, event) -> Result:
        _expect(state, event, Digits)
        if clean_keys(event.text, 1) == "9":
            return self._emergency(state)
        return waiting.join(state, state.line, state.priority, repeat=bool(state.repeat_case))

    # ---- the menu ------------------------------------------------------------------------
    def _enter_menu(self, state: State, name: str, retry: bool = False) -> Result:
        menu = self.s.menus[name]
        prompts = (("invalid_input",) if retry else ()) + tuple(menu.prompts)
        state = with_path(state, *(() if retry else (f"menu:{name}",)), phase=Phase.MENU, menu=name)
        return state, [Collect(prompts, 1, float(menu.wait_seconds))]

    def _menu(self, state: State, event) -> Result:
        _expect(state, event, Digits)
        key = clean_keys(event.text, 1)
        if not key:
            return waiting.join(with_path(state, "silence"), self.s.silence_line)
        target = self.s.menus[state.menu].keys.get(key)
        if target is None:
            return self._invalid(state, key)
        state = with_path(state, f"key:{key}", invalid=0)
        if target.action == "queue":
            return waiting.join(state, target.line)
        if target.action == "emergency":
            return self._emergency(state)
        if target.action == "menu":
            return self._enter_menu(state, target.menu)
        return self._ask_case(state)

    def _invalid(self, state: State, key: str) -> Result:
        state = with_path(state, f"bad:{key}", invalid=state.invalid + 1)
        if state.invalid >= MAX_INVALID:
            return waiting.join(with_path(state, invalid=0), self.s.silence_line)
        return self._enter_menu(state, state.menu, retry=True)

    def _emergency(self, state: State) -> Result:
        state = with_path(state, "emergency", phase=Phase.DONE)
        return state, [Finish("emergency_transfer"), Emergency(self.s.emergency_target),
                       Play(("emergency_transfer",)), Return(Next.EMERGENCY)]

    # ---- case progress -------------------------------------------------------------------
    def _ask_case(self, state: State, retry: bool = False) -> Result:
        prompts = (("invalid_input",) if retry else ()) + ("case_enter_number",)
        state = with_path(state, phase=Phase.CASE_NUMBER)
        return state, [Collect(prompts, self.s.case_max_digits, CASE_ENTRY_SECONDS, "#")]

    def _case_number(self, state: State, event) -> Result:
        _expect(state, event, Digits)
        typed = clean_keys(event.text, self.s.case_max_digits)
        if typed == "0":
            return waiting.join(with_path(state, "case:agent"), self.s.silence_line)
        if len(typed) == CASE_KEYPAD_DIGITS and typed.isdigit():
            return with_path(state, phase=Phase.CASE_LOOKUP), [LookupCase(typed)]
        state = with_path(state, "case:bad", invalid=state.invalid + 1)
        if state.invalid >= MAX_INVALID:
            return self._case_unknown(with_path(state, invalid=0))
        return self._ask_case(state, retry=True)

    def _case_lookup(self, state: State, event) -> Result:
        _expect(state, event, CaseResult)
        case = event.case
        if case is None:
            return self._case_unknown(with_path(state, "case:unknown"))
        prompts = ("case_status", speech.status(case.status))
        if case.due is not None:
            prompts += ("case_deadline", *speech.a_date(case.due))
        state = with_path(state, "case:heard", phase=Phase.CASE_HEARD, heard_status=True)
        return state, [Collect(prompts + ("case_more",), 1, CASE_HEARD_SECONDS)]

    def _case_unknown(self, state: State) -> Result:
        state, actions = waiting.join(state, self.s.silence_line)
        return state, [Play(("case_not_found",)), *actions]

    def _case_heard(self, state: State, event) -> Result:
        _expect(state, event, Digits)
        if clean_keys(event.text, 1) == "0":
            return waiting.join(with_path(state, "key:0"), self.s.silence_line)
        state = with_path(state, "bye", phase=Phase.DONE)
        return state, [Finish("self_service"), Play(("goodbye",)), Return(Next.HANGUP)]


def _expect(state: State, event, kind: type) -> None:
    if not isinstance(event, kind):
        raise UnexpectedEvent(f"{type(event).__name__} in phase {state.phase}")


_HANDLERS = {
    Phase.START: Machine._start,
    Phase.LOOKUP: Machine._lookup,
    Phase.GREETING: Machine._greeting,
    Phase.MENU: Machine._menu,
    Phase.CASE_NUMBER: Machine._case_number,
    Phase.CASE_LOOKUP: Machine._case_lookup,
    Phase.CASE_HEARD: Machine._case_heard,
}
