"""HOTLINE_SIP_BIND: where Asterisk's SIP over UDP listens (desk phones, the carrier trunk)."""

from __future__ import annotations

import pytest

from config.errors import ConfigError
from config.settings import load_settings
from hotline.asterisk_files import PROJECT_CONF_DIR, with_sip_bind
from hotline.asterisk_root import AsteriskEnvError

PJSIP = (PROJECT_CONF_DIR / "pjsip.conf").read_text()


def _binds(text: str) -> dict[str, str]:
    out, section = {}, ""
    for line in text.splitlines():
        if line.startswith("["):
            section = line.split("]", 1)[0][1:]
        elif line.startswith("bind"):
            out[section] = line.split("=", 1)[1].strip()
    return out


def test_sip_listens_on_loopback_unless_configured():
    settings = load_settings(env="test")
    assert settings.sip_bind == "127.0.0.1:5060"
    assert _binds(with_sip_bind(PJSIP, settings.sip_bind))["transport-udp"] == "127.0.0.1:5060"


def test_the_configured_address_replaces_only_the_udp_transports_bind():
    settings = load_settings(env="test", sip_bind="192.0.2.10:5070")
    binds = _binds(with_sip_bind(PJSIP, settings.sip_bind))
    assert binds["transport-udp"] == "192.0.2.10:5070"
    assert binds == {**_binds(PJSIP), "transport-udp": "192.0.2.10:5070"}


@pytest.mark.parametrize("bad", ["5060", "127.0.0.1", "127.0.0.1:5060;x", "host:port"])
def test_a_malformed_sip_bind_is_a_config_error_naming_the_setting(bad):
    with pytest.raises(ConfigError, match="SIP_BIND"):
        load_settings(env="test", sip_bind=bad)


def test_a_value_that_could_inject_configuration_is_refused_when_rendering():
    with pytest.raises(AsteriskEnvError):
        with_sip_bind(PJSIP, "127.0.0.1:5060\n[evil]")
