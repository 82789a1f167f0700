"""The AMI adapter against the real Asterisk: originate, events, transfer, listen, callbacks."""

from __future__ import annotations

import secrets
import threading

import pytest

from ami.callbacks import AmiDialer
from ami.client import AmiClient
from ami.errors import AmiConnectError
from pbx_harness import wait_channels_gone

pytestmark = pytest.mark.asterisk


def _token() -> str:
    return secrets.token_hex(6)


def _held_call(ami, ami_events, seconds: int = 30) -> dict:
    """A call sitting in [test-event] for ``seconds``; returns its OriginateResponse."""
    token = _token()
    action_id = ami.originate("Local/s@test-supervisor", context="test-event", exten="s",
                              variables={"TEST_TOKEN": token, "TEST_HOLD": seconds})
    ami_events.wait_for("UserEvent", UserEvent="HotlineTestEvent", Token=token)
    return ami_events.wait_for("OriginateResponse", ActionID=action_id, Response="Success")


def test_wrong_secret_is_refused(asterisk, asterisk_settings):
    client = AmiClient(asterisk_settings.ami_host, asterisk_settings.ami_port,
                       asterisk_settings.ami_user, "not-the-secret")
    with pytest.raises(AmiConnectError):
        client.connect()


def test_originate_passes_variables_and_events_come_back(ami, ami_events):
    token = _token()
    action_id = ami.originate("Local/s@test-supervisor", context="test-event", exten="s",
                              variables={"TEST_TOKEN": token, "HOTLINE_CALL_ID": token})
    reached = ami_events.wait_for("UserEvent", UserEvent="HotlineTestEvent", Token=token)
    answered = ami_events.wait_for("OriginateResponse", ActionID=action_id)
    assert answered["Response"] == "Success"
    assert answered["Channel"] == reached["Channel"]
    # manager.conf channelvars: events carry ChanVariable headers, which silently killed
    # stock pyst2's reader thread; ours parses them and keeps answering.
    hangup = ami_events.wait_for("Hangup", Channel=reached["Channel"])
    assert hangup["ChanVariable"]["HOTLINE_CALL_ID"] == token
    assert ami.ping()


def test_concurrent_actions_each_get_their_own_response(ami):
    results, errors = [], []

    def worker():
        try:
            for _ in range(20):
                results.append(ami.ping())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and results == [True] * 100


def test_one_key_transfer_reaches_the_110_target(asterisk, ami, ami_events):
    call = _held_call(ami, ami_events)
    ami.transfer_to_emergency(call["Channel"], "110", context="test-110")
    reached = ami_events.wait_for("UserEvent", UserEvent="HotlineTest110",
                                  Channel=call["Channel"])
    assert reached["Number"] == "110"
    wait_channels_gone(asterisk, call["Channel"].split(";")[0])


def test_supervisor_listens_in_with_chanspy(ami, ami_events):
    call = _held_call(ami, ami_events)
    ami.listen("Local/s@test-supervisor", call["Channel"], whisper=True)
    spy = ami_events.wait_for("ChanSpyStart", SpyeeChannel=call["Channel"])
    assert spy["SpyerChannel"].startswith("Local/s@test-supervisor")
    ami.hangup(call["Channel"])
    ami_events.wait_for("ChanSpyStop", SpyeeChannel=call["Channel"])


def test_hangup_ends_the_call(asterisk, ami, ami_events):
    call = _held_call(ami, ami_events)
    ami.hangup(call["Channel"])
    ami_events.wait_for("Hangup", Channel=call["Channel"])
    wait_channels_gone(asterisk, call["Channel"].split(";")[0])


def test_callback_rings_the_agent_first_then_the_citizen(asterisk, ami, ami_events):
    asterisk.cli("database put test-agent 8101 1:5")
    token, number = _token(), "13800000101"
    ami.place_callback("Local/8101@test-agent", number, {"__TEST_TOKEN": token},
                       context="test-callback")
    citizen = ami_events.wait_for("UserEvent", UserEvent="HotlineTestCalleeAnswered",
                                  Token=token, timeout=20)
    agent = ami_events.wait_for("UserEvent", UserEvent="HotlineTestAgentAnswered", Agent="8101")
    assert citizen["Number"] == number
    assert float(agent["Timestamp"]) < float(citizen["Timestamp"])  # order, not speed
    # the agent leg is the one Originate placed; it shows the citizen's number
    assert citizen["ConnectedLineNum"] == number or citizen["CallerIDNum"] == number


@pytest.mark.parametrize("behaviour, expected", [("1:3", True), ("never", False)])
def test_callback_outcome_is_reported_to_the_queue(asterisk, asterisk_settings, behaviour,
                                                   expected):
    agent = "8102" if expected else "8103"
    asterisk.cli(f"database put test-agent {agent} {behaviour}")
    reported = []
    done = threading.Event()

    def report(call_id, ok):
        reported.append((call_id, ok))
        done.set()

    dialer = AmiDialer(lambda: AmiClient.from_settings(asterisk_settings), report,
                       context="test-callback", ring_s=2)
    try:
        dialer.place_callback(f"Local/{agent}@test-agent", "13800000102",
                              {"HOTLINE_CALLBACK_FOR": f"call-{agent}"})
        assert done.wait(20)
    finally:
        dialer.close()
    assert reported == [(f"call-{agent}", expected)]
