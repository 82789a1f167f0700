"""Render the prompts of config/prompts.toml to 8 kHz mono 16-bit WAV for Asterisk.

espeak-ng speaks the text and sox converts it; both are Debian packages. Output goes to
``<prompts_dir>/<lang>/<id>.wav``; a manifest of content hashes lets an unchanged prompt
be skipped, so a rebuild after editing one text renders only that one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from hotline.hold_music import HOLD_FILE, write_hold_music
from hotline.speakable import speakable

SAMPLE_RATE = 8000
LANGUAGES = ("zh", "en")
# Debian 12's espeak-ng 1.51 voice `cmn` reads Chinese characters as pinyin with the tone
# numbers spoken in English ("nin two"); `cmn-latn-pinyin` reads them as Mandarin. Both are
# the same Mandarin voice; the first one installed wins.
ZH_VOICES = ("cmn-latn-pinyin", "cmn")
EN_VOICES = ("en",)
# Words per minute. espeak's default, 175, makes Mandarin drag (the welcome alone took 3.6 s); 240 is about 4.7 syllables per second, a normal announcer pace.
RATES = {"zh": 240, "en": 175}
# Bump when the rendering pipeline changes, so every prompt is rendered again.
PIPELINE_VERSION = 4
EMPTY_PROMPT_S = 0.1
MANIFEST = "manifest.json"
# What a caller hears before reaching the queue with no key pressed (GB/T 33358: short).
WELCOME_PROMPTS = ("welcome", "emergency_notice", "shortcuts")
WELCOME_BUDGET_S = 6.0
REQUIRED_TOOLS = {"espeak-ng": "espeak-ng", "sox": "sox"}  # command -> Debian package


class PromptBuildError(RuntimeError):
    """A prompt could not be rendered. ``code`` is part of the CLI contract: never rename."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class Rendered:
    prompt_id: str
    lang: str
    path: Path
    duration_s: float
    rendered: bool  # False: unchanged, skipped


@dataclass(frozen=True)
class BuildReport:
    items: list[Rendered]
    hold_music: Path

    @property
    def rendered_count(self) -> int:
        return sum(1 for item in self.items if item.rendered)

    def duration(self, prompt_id: str, lang: str = "zh") -> float:
        return next(i.duration_s for i in self.items if i.prompt_id == prompt_id and i.lang == lang)

    def welcome_seconds(self, lang: str = "zh") -> float:
        return sum(self.duration(pid, lang) for pid in WELCOME_PROMPTS)


def check_tools() -> None:
    missing = [pkg for cmd, pkg in REQUIRED_TOOLS.items() if not shutil.which(cmd)]
    if missing:
        raise PromptBuildError(
            "prompt_tools_missing",
            f"missing {', '.join(missing)}: install with `apt-get install {' '.join(missing)}`",
        )


def pick_voice(lang: str) -> str:
    """The first installed voice for ``lang`` (see ZH_VOICES)."""
    candidates = ZH_VOICES if lang == "zh" else EN_VOICES
    for voice in candidates:
        probe = subprocess.run(["espeak-ng", "-q", "-v", voice, "a"], capture_output=True)
        if probe.returncode == 0:
            return voice
    raise PromptBuildError("prompt_voice_missing",
                           f"espeak-ng has none of the voices {candidates} for {lang}")


def content_hash(text: str, lang: str, voice: str) -> str:
    key = json.dumps([PIPELINE_VERSION, lang, voice, RATES[lang], speakable(text, lang)],
                     ensure_ascii=False)
    return hashlib.sha256(key.encode()).hexdigest()


def wav_duration(path: Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / w.getframerate()


def render(text: str, lang: str, voice: str, out: Path) -> None:
    """espeak-ng -> 8 kHz mono 16-bit, normalised to -3 dBFS, leading/trailing silence cut."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hotline-prompt-") as tmp:
        raw = Path(tmp) / "raw.wav"
        _run(["espeak-ng", "-v", voice, "-s", str(RATES[lang]), "-w", str(raw), "--",
              speakable(text, lang)])
        part = out.with_suffix(".part.wav")
        _run(["sox", "-V1", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16",
              "-e", "signed-integer", str(part), "gain", "-n", "-3",
              "silence", "1", "0.02", "0.5%", "reverse", "silence", "1", "0.02", "0.5%",
              "reverse"])
        if wav_duration(part) == 0:  # nothing to say (e.g. en "."): a short silence instead
            _run(["sox", "-D", "-n", "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16",
                  "-e", "signed-integer", str(part), "trim", "0", str(EMPTY_PROMPT_S)])
        os.replace(part, out)


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise PromptBuildError("prompt_render_failed",
                               f"{cmd[0]} failed ({proc.returncode}): {proc.stderr.strip()}")


def _load_manifest(out_dir: Path) -> dict:
    try:
        return json.loads((out_dir / MANIFEST).read_text())
    except (FileNotFoundError, ValueError):
        return {}


def build_prompts(
    prompts: Mapping[str, object],
    out_dir: Path,
    on_step: Callable[[str], None] | None = None,
) -> BuildReport:
    """Render every prompt in every language; skip those whose text and pipeline are unchanged.

    ``prompts`` maps id -> an object with ``zh`` and ``en`` texts (config.models.Prompt).
    A prompt without English text is rendered from its Chinese text in the zh voice only.
    """
    check_tools()
    voices = {lang: pick_voice(lang) for lang in LANGUAGES}
    manifest, items = _load_manifest(out_dir), []
    for prompt_id, prompt in sorted(prompts.items()):
        for lang in LANGUAGES:
            text = getattr(prompt, lang) or prompt.zh
            voice = voices[lang] if getattr(prompt, lang) else voices["zh"]
            items.append(_build_one(prompt_id, lang, text, voice, out_dir, manifest))
            if on_step:
                on_step(f"{lang}/{prompt_id}")
    hold = out_dir / "moh" / HOLD_FILE
    if not hold.exists():
        write_hold_music(hold)
    (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return BuildReport(items=items, hold_music=hold)


def _build_one(prompt_id, lang, text, voice, out_dir: Path, manifest: dict) -> Rendered:
    out = out_dir / lang / f"{prompt_id}.wav"
    digest, key = content_hash(text, lang, voice), f"{lang}/{prompt_id}"
    fresh = manifest.get(key, {}).get("hash") != digest or not out.exists()
    if fresh:
        render(text, lang, voice, out)
        manifest[key] = {"hash": digest, "duration_s": round(wav_duration(out), 3)}
    return Rendered(prompt_id, lang, out, wav_duration(out), fresh)


def prompt_count(prompts: Mapping[str, object]) -> int:
    return len(prompts) * len(LANGUAGES)
