"""The one typed settings object, read from HOTLINE_* variables and an optional .env.

Build it with :func:`load_settings` when a process starts; nothing here runs at import.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from config.errors import ConfigError

AGI_URL_RE = re.compile(r"agi://[A-Za-z0-9.\-]+:[0-9]{1,5}", re.ASCII)
PLACEHOLDER_SECRETS = {"", "change-me", "changeme", "secret", "placeholder"}
DEFAULT_CONFIG_DIR = Path(__file__).resolve().parent


def _host_port(value: str, name: str) -> str:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{name} must be host:port, got {value!r}")
    return value


class Settings(BaseSettings):
    """Everything a hotline process needs to know about where things are."""

    model_config = SettingsConfigDict(
        env_prefix="HOTLINE_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Literal["dev", "test", "production"] = "dev"
    var_dir: Path = Path("var")
    config_dir: Path = DEFAULT_CONFIG_DIR
    database_url: str | None = None
    redis_url: str | None = None
    # One process's Redis connections. A FastAGI server runs one thread per call: past this
    # many at once, a thread waits up to redis_pool_timeout_seconds for a free connection.
    redis_max_connections: int = Field(default=256, ge=1, le=100_000)
    redis_pool_timeout_seconds: float = Field(default=5.0, gt=0, le=300)
    fastagi_bind: str = "127.0.0.1:4573"
    # The FastAGI servers the dialplan tries, in order (its HOTLINE_AGI): comma-separated
    # agi://host:port URLs. Empty: the one server at fastagi_bind.
    agi_servers: str = ""
    # A stopping FastAGI server hands waiting callers back at once; calls in a prompt or the
    # survey get this long to end before the server exits.
    fastagi_drain_seconds: float = Field(default=30.0, ge=0, le=600)
    web_bind: str = "127.0.0.1:8000"
    # Largest request body the web app reads (web/bodylimit.py); bigger ones get 413 unread.
    web_max_body_bytes: int = Field(default=1024 * 1024, ge=1024, le=1024 * 1024 * 1024)
    secret_key: SecretStr = SecretStr("change-me")
    ami_host: str = "127.0.0.1"
    ami_port: int = 5038
    ami_user: str = "hotline"
    ami_secret: SecretStr = SecretStr("change-me")
    # The web keeps app_queue hotline-fallback's members equal to our queue's ready agents
    # (ami/fallback_members.py): at once on each agent state change, and a full resync from
    # Redis and QueueStatus every this many seconds and on AMI reconnect. 0 turns it off.
    fallback_sync_seconds: float = Field(default=10.0, ge=0, le=3600)
    # The browser phone (web/routes/seat.py): where JsSIP opens its SIP WebSocket (Asterisk's
    # http.conf server) and the SIP domain of the seats' URIs. wss:// off loopback.
    sip_ws_url: str = "ws://127.0.0.1:8088/ws"
    # Where Asterisk's SIP over UDP listens (pjsip.conf [transport-udp] bind): seats' desk
    # phones and the carrier trunk. Loopback by default; read the warning in pjsip.conf first.
    sip_bind: str = "127.0.0.1:5060"
    sip_domain: str = "127.0.0.1"
    # wss:// for browsers on other machines (hotline/tls_cert.py, hotline/asterisk_files.py):
    # Asterisk's HTTP server also serves TLS on <HOTLINE_WEB_BIND host>:sip_wss_port. The
    # certificate is the operator's (tls_cert and tls_key: PEM files, both or neither), else,
    # when HOTLINE_WEB_BIND is not loopback, a self-signed one made under <var_dir>/tls.
    # On loopback without a certificate: plain ws:// only. When the web binds one specific
    # non-loopback address and HOTLINE_SIP_WS_URL is not set, the phones use
    # wss://<that address>:<sip_wss_port>/ws.
    tls_cert: Path | None = None
    tls_key: Path | None = None
    sip_wss_port: int = Field(default=8089, ge=1, le=65535)
    # The carrier trunk: SIP INVITEs from these addresses are citizens calling 12345 or a legacy
    # number ([hotline-inbound], G.711 A-law). In dev a second loopback address, so that the
    # seats' own traffic from 127.0.0.1 is never taken for the carrier. Empty: no trunk.
    sip_trunk_match: str = "127.0.0.2"
    # Phone callback survey (ami/survey.py): the citizen's leg, like [hotline-callback]'s Dial.
    survey_dial: str = "PJSIP/{number}@trunk"
    public_base_url: str = "http://127.0.0.1:8000"
    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr = SecretStr("")
    # Twilio channels (web/twilio): SMS sender, prompt/hold audio URLs, agent SIP domain.
    twilio_sms_from: str = ""
    # Caller ID of Twilio-placed callbacks (web/twilio/callbacks.py); twilio_sms_from when empty.
    twilio_caller_id: str = ""
    twilio_prompt_base_url: str = ""
    twilio_hold_audio_url: str = ""
    twilio_say_voice: str = ""
    twilio_say_language: str = "zh-CN"
    twilio_agent_sip_domain: str = ""
    twilio_number_sites: dict[str, str] = {}
    log_level: str = "INFO"

    @field_validator("fastagi_bind", "web_bind", "sip_bind")
    @classmethod
    def _check_bind(cls, value: str, info) -> str:
        return _host_port(value, info.field_name.upper())

    @field_validator("agi_servers")
    @classmethod
    def _check_agi_servers(cls, value: str) -> str:
        urls = [u.strip() for u in value.split(",") if u.strip()]
        for url in urls:
            if not AGI_URL_RE.fullmatch(url):
                raise ValueError(f"each server must be agi://host:port, got {url!r}")
        return ",".join(urls)

    @field_validator("fallback_sync_seconds")
    @classmethod
    def _check_fallback_sync(cls, value: float) -> float:
        if 0 < value < 1:
            raise ValueError("must be 0 (off) or at least 1 second")
        return value

    @field_validator("public_base_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> "Settings":
        if self.env != "production":
            return self
        for name in ("secret_key", "ami_secret"):
            if getattr(self, name).get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
                raise ValueError(
                    f"HOTLINE_{name.upper()} is a placeholder; set a real secret in production"
                )
        return self

    @model_validator(mode="after")
    def _tls_pair(self) -> "Settings":
        if (self.tls_cert is None) != (self.tls_key is None):
            raise ValueError("HOTLINE_TLS_CERT and HOTLINE_TLS_KEY go together: "
                             "set both or neither")
        return self

    @model_validator(mode="after")
    def _wss_off_loopback(self) -> "Settings":
        host = split_bind(self.web_bind)[0]
        if "sip_ws_url" not in self.model_fields_set and not is_loopback(host) \
                and not is_wildcard(host):
            shown = f"[{host}]" if ":" in host else host
            self.sip_ws_url = f"wss://{shown}:{self.sip_wss_port}/ws"
        return self

    @property
    def web_on_loopback(self) -> bool:
        return is_loopback(split_bind(self.web_bind)[0])

    @property
    def sqlite_path(self) -> Path:
        return self.var_dir.resolve() / "hotline.sqlite3"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def embedded_redis(self) -> bool:
        return not self.redis_url

    @property
    def prompts_dir(self) -> Path:
        return self.var_dir.resolve() / "prompts"

    @property
    def log_dir(self) -> Path:
        return self.var_dir.resolve() / "log"


def split_bind(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host.strip("[]"), int(port)


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    """Every interface (0.0.0.0, ::, empty): no one address for a browser to reach."""
    return host in ("", "0.0.0.0", "::")


def _env_name(loc: tuple) -> str:
    return "HOTLINE_" + "_".join(str(p) for p in loc).upper() if loc else "settings"


def load_settings(**overrides) -> Settings:
    """Build settings from the environment; raise ConfigError with the variable named."""
    from pydantic import ValidationError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = [
            ("environment", _env_name(err["loc"]), err["msg"]) for err in exc.errors()
        ]
        raise ConfigError(problems) from None
