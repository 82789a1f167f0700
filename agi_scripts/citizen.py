"""A simulated citizen: random keys, patience and hang-ups, answering the fake Asterisk."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

from agi_scripts.fake_asterisk import HANGUP

PROMPT_SECONDS = 0.02      # simulated playback of one prompt file
SILENCE_SECONDS = 0.1      # a timed-out key read, shortened
MENU_CHOICES = [("", 55), ("0", 10), ("2", 8), ("3", 7), ("1", 8), ("9", 3), ("7", 4), ("hangup", 5)]
SURVEY_CHOICES = [("1", 45), ("2", 15), ("3", 8), ("", 17), ("hangup", 15)]


def _pick(rng: random.Random, choices):
    keys, weights = zip(*choices)
    return rng.choices(keys, weights)[0]


@dataclass
class Plan:
    menu_key: str
    case_keys: str
    case_after: str
    callback: bool
    patience: float
    survey_key: str
    hang_up_talking: bool

    @classmethod
    def random(cls, rng: random.Random, mean_patience: float, known_cases: list[str]) -> "Plan":
        case = rng.choice(known_cases) if known_cases and rng.random() < 0.6 else \
            "2026" + "".join(rng.choice("0123456789") for _ in range(10))
        return cls(menu_key=_pick(rng, MENU_CHOICES), case_keys=case + "#",
                   case_after=rng.choice(["", "0"]), callback=rng.random() < 0.1,
                   patience=rng.expovariate(1.0 / mean_patience),
                   survey_key=_pick(rng, SURVEY_CHOICES), hang_up_talking=rng.random() < 0.05)


class Citizen:
    """Decides per prompt; keeps its own clock of how long it has been waiting."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.waiting_since: float | None = None
        self.menu_heard = 0
        self.asked_callback = False

    def _gone(self) -> bool:
        return self.waiting_since is not None and \
            time.monotonic() - self.waiting_since > self.plan.patience

    def start_waiting(self) -> None:
        if self.waiting_since is None:
            self.waiting_since = time.monotonic()

    def on_prompt(self, name: str, escape: str):
        base = name.rsplit("/", 1)[-1]
        if base == "queue_joined":
            self.start_waiting()
        time.sleep(PROMPT_SECONDS)
        if self._gone():
            return HANGUP
        if base == "callback_offer" and self.plan.callback and "1" in escape:
            self.asked_callback = True
            return "1"
        if base == "shortcuts" and self.plan.menu_key == "hangup":
            return HANGUP
        return ""

    def on_get_data(self, name: str, timeout_ms: int, max_digits: int):
        base = name.rsplit("/", 1)[-1]
        time.sleep(PROMPT_SECONDS)
        if base == "shortcuts":
            self.menu_heard += 1
            key = self.plan.menu_key if self.menu_heard == 1 else ""
            if key == "hangup":
                return HANGUP
            return self._typed(key, max_digits)
        if base == "case_enter_number":
            return self._typed(self.plan.case_keys, max_digits)
        if base == "case_more":
            return self._typed(self.plan.case_after, 1)
        if base == "survey":
            if self.plan.survey_key == "hangup":
                return HANGUP
            return self._typed(self.plan.survey_key, 1)
        return self._typed("", max_digits)

    def _typed(self, keys: str, max_digits: int):
        if not keys:
            time.sleep(SILENCE_SECONDS)
            return "", True
        digits = keys.split("#", 1)[0][:max_digits]
        return digits, "#" not in keys and len(digits) < max_digits

    def on_wait(self, timeout_ms: int):
        self.start_waiting()
        left = self.plan.patience - (time.monotonic() - self.waiting_since)
        if left <= 0:
            return HANGUP
        time.sleep(min(timeout_ms / 1000.0, left))
        return HANGUP if self._gone() else ""
