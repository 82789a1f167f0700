"""`hotline prompts build`: every configured prompt rendered for Asterisk, short welcome."""

from __future__ import annotations

import array
import wave

import pytest

from hotline.prompts import (
    LANGUAGES,
    WELCOME_BUDGET_S,
    PromptBuildError,
    build_prompts,
)
from hotline.speakable import speakable


def test_every_prompt_is_8khz_mono_16bit_with_sound(built_prompts, operator_config):
    expected = {(pid, lang) for pid in operator_config.prompts for lang in LANGUAGES}
    assert {(i.prompt_id, i.lang) for i in built_prompts.items} == expected
    for item in built_prompts.items:
        with wave.open(str(item.path), "rb") as w:
            assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
            spoken = any(ch.isalnum() for ch in getattr(operator_config.prompts[item.prompt_id],
                                                        item.lang))
            assert w.getnframes() >= 0.1 * 8000, item.path  # Asterisk gets a playable file
            peak = max(abs(x) for x in array.array("h", w.readframes(w.getnframes())))
            # a text with something to say is speech (normalised to -3 dBFS); "." is silence
            assert (peak > 16000) if spoken else (peak == 0), item.path
    assert built_prompts.hold_music.exists()


def test_mandarin_welcome_before_the_queue_is_about_six_seconds(built_prompts):
    # GB/T 33358: a person first; welcome + emergency notice + shortcuts stay short.
    assert built_prompts.welcome_seconds("zh") <= WELCOME_BUDGET_S * 1.05


def test_mandarin_is_spoken_in_mandarin(built_prompts):
    # espeak-ng's plain `cmn` voice on Debian 12 reads 您好 as "nin two hao three" in English,
    # which takes several times longer; a single digit must be a short Mandarin syllable.
    assert built_prompts.duration("digit_1", "zh") < 0.6


def test_rebuild_renders_only_changed_prompts(tmp_path, operator_config):
    prompts = dict(list(operator_config.prompts.items())[:3])
    first = build_prompts(prompts, tmp_path)
    assert first.rendered_count == 6
    assert build_prompts(prompts, tmp_path).rendered_count == 0
    changed_id = next(iter(prompts))
    prompts[changed_id] = prompts[changed_id].model_copy(update={"zh": "测试。"})
    again = build_prompts(prompts, tmp_path)
    assert [(i.prompt_id, i.lang) for i in again.items if i.rendered] == [(changed_id, "zh")]


def test_missing_tools_are_named_with_their_package(tmp_path, monkeypatch, operator_config):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PromptBuildError) as err:
        build_prompts(operator_config.prompts, tmp_path / "out")
    assert err.value.code == "prompt_tools_missing"
    assert "apt-get install espeak-ng sox" in err.value.message


@pytest.mark.parametrize("text, lang, said", [
    ("急事请拨110、119，按9转110。", "zh", "急事请拨幺幺零 幺幺九，按九转幺幺零。"),
    ("您好，12345。", "zh", "您好，幺二三四五。"),
    ("dial 110 or press 9", "en", "dial one one zero or press nine"),
])
def test_numbers_are_read_digit_by_digit(text, lang, said):
    assert speakable(text, lang) == said
