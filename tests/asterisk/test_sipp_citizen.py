"""Citizens over real SIP: SIPp on the carrier trunk's address (127.0.0.2) calls 12345 with
G.711 A-law audio and RFC 4733 keys, through the real Asterisk and our FastAGI server."""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path
from string import Template

import pytest

from e2e_harness import wait_for

SIPP = shutil.which("sipp")
SIPP_SHARE = Path("/usr/share/sip-tester")
SCENARIO = Path(__file__).with_name("sipp") / "citizen.xml"
CARRIER_ADDRESS = "127.0.0.2"  # HOTLINE_SIP_TRUNK_MATCH's default
ASTERISK_SIP = "127.0.0.1:5060"

pytestmark = [
    pytest.mark.asterisk, pytest.mark.voice,
    pytest.mark.skipif(SIPP is None, reason="SIPp is not installed (apt-get install sip-tester; "
                                            "scripts/system-packages does)"),
]


def _free_udp_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def citizen(tmp_path, *, caller: str, keys: str = "", keys_after_ms: int = 2000,
            talk_ms: int = 20_000, service: str = "12345") -> subprocess.Popen:
    """Start one SIPp citizen (in the background); ``keys``: one RFC 4733 digit or none."""
    keys_pcap = SIPP_SHARE / f"dtmf_2833_{keys}.pcap" if keys else SIPP_SHARE / "g711a.pcap"
    scenario = tmp_path / f"citizen-{caller}.xml"
    scenario.write_text(Template(SCENARIO.read_text()).substitute(
        audio_pcap=SIPP_SHARE / "g711a.pcap", keys_pcap=keys_pcap,
        keys_after_ms=keys_after_ms, talk_ms=talk_ms))
    cmd = [SIPP, ASTERISK_SIP, "-sf", str(scenario), "-s", service, "-key", "caller", caller,
           "-i", CARRIER_ADDRESS, "-p", str(_free_udp_port(CARRIER_ADDRESS)),
           "-mi", CARRIER_ADDRESS, "-mp", str(_free_udp_port(CARRIER_ADDRESS) & ~1),
           "-m", "1", "-l", "1", "-nostdin", "-timeout", "120s", "-timeout_error",
           "-trace_err", "-error_file", str(tmp_path / f"sipp-{caller}-errors.log")]
    return subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def _finish(proc: subprocess.Popen, timeout: float = 150) -> str:
    out, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, out[-3000:]
    return out


def _row_of(hotline, number: str):
    rows = [r for r in hotline.rows() if number in (r.caller_raw or "")]
    return rows[0] if len(rows) == 1 else None


def test_a_sip_citizen_in_silence_reaches_an_agent_and_is_recorded_once(hotline, tmp_path):
    agent = hotline.agent("8301", "1:3")
    proc = citizen(tmp_path, caller="13985010301", talk_ms=45_000)
    row = wait_for(lambda: _row_of(hotline, "13985010301"), 90, "no Call row for the SIP call")
    _finish(proc)
    assert row.outcome == "answered" and row.agent == agent
    assert row.dnid == "12345"
    assert row.menu_path.split(">")[:3] == ["in", "menu:main", "silence"]
    assert len([r for r in hotline.rows() if r.caller_raw == row.caller_raw]) == 1


def test_key_9_over_rfc4733_reaches_110(hotline, tmp_path):
    proc = citizen(tmp_path, caller="13985010309", keys="9", keys_after_ms=1500, talk_ms=20_000)
    row = wait_for(lambda: _row_of(hotline, "13985010309"), 60, "no Call row for the SIP call")
    _finish(proc)
    assert row.outcome == "emergency_transfer", row.menu_path
    assert row.dnid == "12345"


def test_a_legacy_number_over_sip_lands_on_its_line(hotline, tmp_path):
    hotline.agent("8302", "1:2")
    proc = citizen(tmp_path, caller="13985010302", service="12333", talk_ms=40_000)
    row = wait_for(lambda: _row_of(hotline, "13985010302"), 90, "no Call row for the SIP call")
    _finish(proc)
    assert row.line == "social_security" and row.dnid == "12333"
    assert row.outcome == "answered"
