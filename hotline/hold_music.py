"""A soft, royalty-free hold tune for music on hold, synthesised with the standard library."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

HOLD_FILE = "hold.wav"
SAMPLE_RATE = 8000
AMPLITUDE = 0.18 * 32767          # quiet: the position announcements must stand out
NOTE_S = 0.5
# A slow C-major arpeggio, up and down, twice (16 s, then Asterisk loops the file).
NOTES_HZ = [261.63, 329.63, 392.00, 523.25, 392.00, 329.63, 261.63, 196.00] * 4


def _note(freq: float) -> list[int]:
    n = int(SAMPLE_RATE * NOTE_S)
    out = []
    for i in range(n):
        envelope = math.sin(math.pi * i / n)  # fade in and out: no clicks between notes
        out.append(int(AMPLITUDE * envelope * math.sin(2 * math.pi * freq * i / SAMPLE_RATE)))
    return out


def write_hold_music(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    samples = [s for freq in NOTES_HZ for s in _note(freq)]
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(struct.pack(f"<{len(samples)}h", *samples))
    return path
