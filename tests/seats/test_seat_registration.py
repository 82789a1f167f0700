"""What the generated seats tell Asterisk about registrations, and the test phones' objects."""

from __future__ import annotations

from seats.render import (
    REGISTRATION_MAX_EXPIRY_S,
    Seat,
    TestPhone,
    render_seats,
)


def _object(text: str, header: str) -> dict[str, str]:
    block = text.split(header + "\n", 1)[1].split("\n\n", 1)[0]
    return dict(line.split(" = ", 1) for line in block.splitlines())


def test_a_second_registration_of_a_seat_is_refused_and_a_stale_one_expires_within_120s():
    aor = _object(render_seats([Seat("8001", "pw")]), "[8001](agent-aor)")
    assert aor["max_contacts"] == "1" and aor["remove_existing"] == "no"
    assert aor["remove_unavailable"] == "yes"
    assert int(aor["maximum_expiration"]) == REGISTRATION_MAX_EXPIRY_S <= 120
    assert int(aor["default_expiration"]) <= REGISTRATION_MAX_EXPIRY_S


def test_a_test_phone_calls_into_the_inbound_context_under_a_name_that_cannot_break_the_file():
    text = render_seats([], [TestPhone(7, "pw-7", caller_name='李"老师<x>\n[evil]')])
    endpoint = _object(text, "[testphone-7](testphone-webrtc)")
    assert endpoint["auth"] == "testphone-7" and "aors" not in endpoint
    assert endpoint["callerid"] == '"测试话机 李老师xevil" <085112345678>'
    assert "[evil]" not in text and "pw-7" not in text
    template = _object(text, "[testphone-webrtc](!)")
    assert template["context"] == "hotline-inbound" and template["dtmf_mode"] == "rfc4733"
