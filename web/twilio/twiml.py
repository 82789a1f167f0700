"""Render the voice menu's actions as TwiML with twilio's VoiceResponse (a pure adapter)."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

log = logging.getLogger("hotline.twilio.twiml")

LANGUAGE = "zh-CN"
PROMPT_LANG = "zh"
MIN_GATHER_TIMEOUT = 1           # Twilio's Gather timeout is a whole number of seconds >= 1
MIN_PAUSE_SECONDS = 1
CLIENT_PREFIX = "client:"
SIP_PREFIXES = ("sip:", "sips:")


@dataclass(frozen=True)
class Urls:
    """Absolute webhook URLs, built from the public base URL Twilio calls (never the Host)."""

    base: str

    def voice(self, step: str, **query: str) -> str:
        url = f"{self.base}/twilio/voice/{step}"
        return f"{url}?{urlencode(query)}" if query else url


class Renderer:
    """Prompts as zh-CN <Say> (or <Play> of built audio), menus as <Gather input="dtmf">."""

    def __init__(self, prompts: dict, urls: Urls, *, voice: str = "", language: str = LANGUAGE,
                 prompt_base_url: str = "", hold_audio_url: str = "", agent_sip_domain: str = ""):
        self.prompts = prompts
        self.urls = urls
        self.voice = voice
        self.language = language or LANGUAGE
        self.prompt_base_url = prompt_base_url.rstrip("/")
        self.hold_audio_url = hold_audio_url
        self.agent_sip_domain = agent_sip_domain

    # ---- prompts ---------------------------------------------------------------------------
    def speak(self, verb, names: Iterable[str]) -> None:
        """Append prompts to a Response or Gather: each built file played, or one spoken text."""
        names = [n for n in names if self._known(n)]
        if not names:
            return
        if self.prompt_base_url:
            for name in names:
                verb.play(f"{self.prompt_base_url}/{PROMPT_LANG}/{name}.wav")
            return
        text = "".join(self.prompts[n].zh for n in names)
        kwargs = {"language": self.language}
        if self.voice:
            kwargs["voice"] = self.voice
        verb.say(text, **kwargs)

    def _known(self, name: str) -> bool:
        if name in self.prompts:
            return True
        log.warning("prompt %r is not in prompts.toml; skipped", name)
        return False

    # ---- menu steps ------------------------------------------------------------------------
    def collect(self, resp: VoiceResponse, prompts, max_digits: int, timeout: float,
                terminator: str, action: str) -> None:
        """Prompts inside a DTMF Gather; Twilio posts to ``action`` even when nothing is typed."""
        gather = Gather(
            input="dtmf", action=action, method="POST", num_digits=max_digits,
            timeout=max(MIN_GATHER_TIMEOUT, math.ceil(timeout)), finish_on_key=terminator or "",
            action_on_empty_result=True, language=LANGUAGE,
        )
        self.speak(gather, prompts)
        resp.append(gather)

    def hold(self, resp: VoiceResponse, seconds: float, key_action: str, next_url: str) -> None:
        """One turn of the wait loop: hold audio (a key may interrupt), then Redirect."""
        gather = Gather(input="dtmf", action=key_action, method="POST", num_digits=1,
                        timeout=MIN_GATHER_TIMEOUT, language=LANGUAGE)
        if self.hold_audio_url:
            gather.play(self.hold_audio_url)
        else:
            gather.pause(length=max(MIN_PAUSE_SECONDS, math.ceil(seconds)))
        resp.append(gather)
        resp.redirect(next_url, method="POST")

    def connect(self, resp: VoiceResponse, dial_target: str, timeout: int, action: str,
                answered_url: str) -> None:
        """Dial the agent; ``answered_url`` runs on the agent's leg when they pick up."""
        dial = Dial(action=action, method="POST", timeout=max(MIN_GATHER_TIMEOUT, int(timeout)))
        kind, address = self.agent_address(dial_target)
        if kind == "sip":
            dial.sip(address, url=answered_url, method="POST")
        else:
            dial.client(address, url=answered_url, method="POST")
        resp.append(dial)

    def agent_address(self, dial_target: str) -> tuple[str, str]:
        """("client", identity) or ("sip", uri) for an agent's dial target.

        ``client:alice`` is a Twilio Client identity; ``sip:8001@pbx`` a SIP URI; an
        Asterisk-style ``PJSIP/8001`` becomes ``sip:8001@<agent SIP domain>`` when one is
        configured, else the Client identity ``8001``.
        """
        target = dial_target.strip()
        if target.startswith(CLIENT_PREFIX):
            return "client", target[len(CLIENT_PREFIX):]
        if target.startswith(SIP_PREFIXES):
            return "sip", target
        extension = target.rsplit("/", 1)[-1]
        if self.agent_sip_domain:
            return "sip", f"sip:{extension}@{self.agent_sip_domain}"
        return "client", extension

    @staticmethod
    def emergency(resp: VoiceResponse, target: str) -> None:
        resp.dial(target)

    @staticmethod
    def hangup(resp: VoiceResponse) -> None:
        resp.hangup()

    @staticmethod
    def pause_then(resp: VoiceResponse, seconds: int, next_url: str) -> None:
        resp.pause(length=seconds)
        resp.redirect(next_url, method="POST")
