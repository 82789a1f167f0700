"""The menu's view of the operator configuration, read once from config.OperatorConfig."""

from __future__ import annotations

from dataclasses import dataclass

from config.models import Menu
from config.operator import OperatorConfig

REPEAT_PRIORITY = 5         # queue priority (0..9) of a repeat caller on its case's line
MAX_INVALID = 2             # wrong keys tolerated per menu before the caller goes to a person
CASE_KEYPAD_DIGITS = 14     # 20261127000042: the case number without "12345-" and dashes
CASE_ENTRY_SECONDS = 8.0    # silence tolerated while typing the case number
CASE_HEARD_SECONDS = 4.0    # after the status: press 0 for a person, else goodbye
GREETING_SECONDS = 1.0      # after a repeat caller's / legacy number's notice: 9 still works
KEYS = "0123456789*#"


@dataclass(frozen=True)
class MenuSettings:
    menus: dict[str, Menu]
    entry: str
    silence_line: str
    emergency_target: str
    repeat_caller_days: int
    case_max_digits: int
    survey_seconds: float
    announce_every: float
    legacy_lines: dict[str, str]
    lines: frozenset[str]

    @classmethod
    def from_config(cls, cfg: OperatorConfig) -> "MenuSettings":
        m = cfg.menu
        return cls(
            menus=dict(m.menus),
            entry=m.entry,
            silence_line=m.silence_line,
            emergency_target=m.emergency_target,
            repeat_caller_days=m.repeat_caller_days,
            case_max_digits=max(m.case_number_max_digits, CASE_KEYPAD_DIGITS),
            survey_seconds=float(m.survey_wait_seconds),
            announce_every=float(cfg.queue.announce_every_seconds),
            legacy_lines={n.number: n.line for n in cfg.legacy_numbers.values()},
            lines=frozenset(cfg.lines),
        )


def clean_keys(text: str, limit: int) -> str:
    """Only keypad characters, at most ``limit`` of them."""
    return "".join(ch for ch in text if ch in KEYS)[:limit]
