"""Turn a prompt's display text into what espeak-ng should say (pure functions).

Telephone numbers are read digit by digit, as Chinese call centres do: 110 is
"幺幺零", never "一百一十"; in English "one one zero", never "one hundred and ten".
"""

from __future__ import annotations

import re

ZH_DIGITS = dict(zip("0123456789", "零幺二三四五六七八九"))
EN_DIGITS = dict(zip("0123456789", ["zero", "one", "two", "three", "four", "five", "six",
                                    "seven", "eight", "nine"]))
_DIGIT_RUN = re.compile(r"[0-9]+")
# Between two numbers, the enumeration comma makes espeak pause ~0.3 s; a space is enough.
_ZH_LIST_COMMA = re.compile(r"(?<=[0-9])、(?=[0-9])")


def speakable(text: str, lang: str) -> str:
    if lang == "zh":
        text = _ZH_LIST_COMMA.sub(" ", text)
        return _DIGIT_RUN.sub(lambda m: "".join(ZH_DIGITS[d] for d in m.group()), text)
    return _DIGIT_RUN.sub(lambda m: " ".join(EN_DIGITS[d] for d in m.group()), text)
