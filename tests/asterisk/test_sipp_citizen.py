"""Citizens over real SIP: SIPp on the carrier trunk's address (127.0.0.2) calls 12345 with
G.711 A-law audio and RFC 4733 keys, through the real Asterisk and our FastAGI server."""

from __future__ import annotations

import pytest

from e2e_harness import wait_for
from sipp_harness import SIPP, SKIP_REASON, citizen, finish, row_of
from sipp_harness import sipp_processes  # noqa: F401  (autouse: ends SIPp left running)

pytestmark = [pytest.mark.asterisk, pytest.mark.voice,
              pytest.mark.skipif(SIPP is None, reason=SKIP_REASON)]


def test_a_sip_citizen_in_silence_reaches_an_agent_and_is_recorded_once(hotline, tmp_path):
    agent = hotline.agent("8301", "1:3")
    proc = citizen(tmp_path, caller="13985010301", talk_ms=45_000)
    row = wait_for(lambda: row_of(hotline, "13985010301"), 90, "no Call row for the SIP call")
    finish(proc)
    assert row.outcome == "answered" and row.agent == agent
    assert row.dnid == "12345"
    assert row.menu_path.split(">")[:3] == ["in", "menu:main", "silence"]
    assert len([r for r in hotline.rows() if r.caller_raw == row.caller_raw]) == 1


def test_key_9_over_rfc4733_reaches_110(hotline, tmp_path):
    proc = citizen(tmp_path, caller="13985010309", keys="9", keys_after_ms=1500, talk_ms=20_000)
    row = wait_for(lambda: row_of(hotline, "13985010309"), 60, "no Call row for the SIP call")
    finish(proc)
    assert row.outcome == "emergency_transfer", row.menu_path
    assert row.dnid == "12345"


def test_a_legacy_number_over_sip_lands_on_its_line(hotline, tmp_path):
    hotline.agent("8302", "1:2")
    proc = citizen(tmp_path, caller="13985010302", service="12333", talk_ms=40_000)
    row = wait_for(lambda: row_of(hotline, "13985010302"), 90, "no Call row for the SIP call")
    finish(proc)
    assert row.line == "social_security" and row.dnid == "12333"
    assert row.outcome == "answered"
