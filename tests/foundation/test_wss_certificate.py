"""wss:// for browsers on other machines: off loopback, Asterisk's http.conf serves TLS with a
self-signed certificate made under the var dir (or the operator's own); on loopback it stays
plain ws://."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from config.settings import load_settings
from hotline.asterisk_files import (
    HTTP_CONF,
    PROJECT_CONF_DIR,
    TLS_CERT_FILE,
    TLS_KEY_FILE,
    tls_plan,
    with_tls,
)

LAN_HOST = "192.0.2.10"  # TEST-NET-1: never routed, only written into the configuration
needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")


def _base_files() -> dict[str, str]:
    return {HTTP_CONF: (PROJECT_CONF_DIR / HTTP_CONF).read_text()}


def _http_values(text: str) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in text.splitlines()
             if "=" in line and not line.lstrip().startswith(";"))
    return {k.strip(): v.strip() for k, v in pairs}


def _openssl(*args: str, stdin: str) -> str:
    return subprocess.run(["openssl", *args], input=stdin, capture_output=True, text=True,
                          check=True).stdout


@needs_openssl
def test_off_loopback_http_conf_serves_tls_with_a_created_self_signed_certificate(tmp_path):
    settings = load_settings(env="test", var_dir=tmp_path, web_bind=f"{LAN_HOST}:8000")
    files = with_tls(_base_files(), tls_plan(settings))
    values = _http_values(files[HTTP_CONF])
    assert values["tlsenable"] == "yes"
    assert values["tlsbindaddr"] == f"{LAN_HOST}:8089"
    assert values["tlscertfile"] == f"/etc/asterisk/{TLS_CERT_FILE}"
    assert values["tlsprivatekey"] == f"/etc/asterisk/{TLS_KEY_FILE}"
    assert values["bindaddr"] == "127.0.0.1"  # plain ws:// stays on loopback
    created = list((tmp_path / "tls").glob("*.crt"))
    assert len(created) == 1 and files[TLS_CERT_FILE] == created[0].read_text()
    assert (created[0].with_suffix(".key").stat().st_mode & 0o077) == 0
    names = _openssl("x509", "-noout", "-ext", "subjectAltName", stdin=files[TLS_CERT_FILE])
    assert f"IP Address:{LAN_HOST}" in names
    cert_key = _openssl("x509", "-noout", "-pubkey", stdin=files[TLS_CERT_FILE])
    assert cert_key == _openssl("pkey", "-pubout", stdin=files[TLS_KEY_FILE])
    assert settings.sip_ws_url == f"wss://{LAN_HOST}:8089/ws"
    again = with_tls(_base_files(), tls_plan(settings))
    assert again[TLS_CERT_FILE] == files[TLS_CERT_FILE]  # made once, then reused


def test_on_loopback_http_conf_stays_plain_ws(tmp_path):
    settings = load_settings(env="test", var_dir=tmp_path, web_bind="127.0.0.1:8000")
    files = with_tls(_base_files(), tls_plan(settings))
    assert files == _base_files()
    assert "tlsenable" not in _http_values(files[HTTP_CONF])
    assert not (tmp_path / "tls").exists()
    assert settings.sip_ws_url.startswith("ws://127.0.0.1:")


def test_the_operators_certificate_is_used_as_configured(tmp_path):
    cert, key = tmp_path / "site.crt", tmp_path / "site.key"
    cert.write_text("-----BEGIN CERTIFICATE-----\nsite\n-----END CERTIFICATE-----\n")
    key.write_text("-----BEGIN PRIVATE KEY-----\nsite\n-----END PRIVATE KEY-----\n")
    settings = load_settings(env="test", var_dir=tmp_path, web_bind=f"{LAN_HOST}:8000",
                             tls_cert=cert, tls_key=key)
    files = with_tls(_base_files(), tls_plan(settings))
    assert _http_values(files[HTTP_CONF])["tlsenable"] == "yes"
    assert files[TLS_CERT_FILE] == cert.read_text() and files[TLS_KEY_FILE] == key.read_text()
    assert not (tmp_path / "tls").exists()


def test_a_certificate_without_its_key_is_refused():
    from config.errors import ConfigError

    with pytest.raises(ConfigError, match="HOTLINE_TLS_CERT"):
        load_settings(env="test", tls_cert="/tmp/only.crt")
