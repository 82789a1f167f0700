"""The AMI adapter's fixes that need no Asterisk: parsing and refusing unsafe values."""

from __future__ import annotations

import pytest

from ami.client import AmiClient, variable_headers
from ami.errors import AmiUnsafeValue
from ami.manager import _Message, check_header_value

# An event as Asterisk 22 sends it with manager.conf channelvars (recorded text).
HANGUP_EVENT = [
    "Event: Hangup\r\n", "Privilege: call,all\r\n",
    "Channel: Local/s@test-event-00000003;1\r\n", "Uniqueid: 1795748566.3\r\n",
    "ChanVariable: HOTLINE_CALL_ID=1795748566.3\r\n", "ChanVariable: HOTLINE_LINE=general\r\n",
    "Cause: 16\r\n",
]


def test_chanvariable_headers_become_a_dict_instead_of_killing_the_reader():
    message = _Message(HANGUP_EVENT)
    assert message.headers["ChanVariable"] == {"HOTLINE_CALL_ID": "1795748566.3",
                                               "HOTLINE_LINE": "general"}
    assert message.headers["Cause"] == "16"


def test_chanvariable_naming_its_channel_is_parsed_too():
    message = _Message(["Event: OriginateResponse\r\n",
                        "ChanVariable(Local/8102@test-agent-00000001;1): HOTLINE_LINE=\r\n"])
    assert message.headers["ChanVariable"] == {"HOTLINE_LINE": ""}


def test_a_command_body_stays_data():
    message = _Message(["Response: Follows\r\n", "ActionID: x\r\n",
                        "Asterisk 22.10 built by nobody\n", "--END COMMAND--\r\n"])
    assert message.headers["Response"] == "Follows"
    assert "built by nobody" in message.data


@pytest.mark.parametrize("variables", [
    {"HOTLINE_DIAL": "PJSIP/8001,HOTLINE_AGENT=evil"},   # a comma adds a variable
    {"HOTLINE_LINE": "general\r\nAction: Originate"},     # a line break adds an action
    {"BAD NAME": "x"},
    {"X": 'quoted"value'},
])
def test_unsafe_originate_variables_are_refused(variables):
    with pytest.raises(AmiUnsafeValue):
        variable_headers(variables)


def test_inherited_variables_keep_their_underscores():
    assert variable_headers({"__TEST_TOKEN": "a-1", "HOTLINE_LINE": "general"}) == \
        ["__TEST_TOKEN=a-1", "HOTLINE_LINE=general"]


def test_header_values_with_line_breaks_are_refused():
    with pytest.raises(AmiUnsafeValue):
        check_header_value("Channel", "PJSIP/8001\r\nAction: Hangup")


@pytest.mark.parametrize("number", ["110;rm", "1380000000\n1", "Local/1@x", "12", ""])
def test_callback_refuses_a_number_that_is_not_digits(number):
    client = AmiClient("127.0.0.1", 1, "u", "s")  # never connects: refused before sending
    with pytest.raises(AmiUnsafeValue):
        client.place_callback("PJSIP/8001", number, {})
