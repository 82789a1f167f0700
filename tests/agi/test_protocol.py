"""The pyst2 adapter against protocol text as Asterisk's res_agi.c writes it."""

from __future__ import annotations

import io

import pytest
from asterisk.agi import AGIInvalidCommand, AGIUsageError

from agi_scripts.env import agi_args, parse_env_line, read_env, script_name
from agi_scripts.protocol import AgiHangup, AgiProtocolError, HotlineAGI, quote

ENV = (
    "agi_network: yes\nagi_network_script: menu?lang=zh\nagi_request: agi://127.0.0.1/menu\n"
    "agi_channel: PJSIP/trunk-00000001\nagi_uniqueid: 1764234000.42\nagi_callerid: \n"
    "agi_calleridname: unknown\nagi_dnid: 12315\nagi_rdnis: unknown\nagi_accountcode: \n"
    "agi_arg_1: a:b\nagi_arg_2: x\n\n"
)


def agi(replies: str) -> tuple[HotlineAGI, io.StringIO]:
    out = io.StringIO()
    return HotlineAGI(io.StringIO(replies), out, {}), out


def test_the_environment_block_is_split_on_the_first_colon_and_unknown_is_empty():
    rfile = io.StringIO(ENV + "200 result=1\n")
    env = read_env(lambda: rfile.readline().rstrip("\n"))
    assert env["agi_callerid"] == "" and env["agi_calleridname"] == "" and env["agi_rdnis"] == ""
    assert env["agi_dnid"] == "12315" and env["agi_accountcode"] == ""
    assert agi_args(env) == ["a:b", "x"]
    assert script_name(env) == "menu"
    assert rfile.readline() == "200 result=1\n"  # nothing beyond the blank line was read


@pytest.mark.parametrize("text", ["no colon here", "HTTP/1.1 200 OK", "agi_x y", ": value"])
def test_garbage_in_the_environment_is_a_protocol_error(text):
    with pytest.raises(AgiProtocolError):
        parse_env_line(text)


def test_eof_inside_the_environment_is_a_protocol_error():
    rfile = io.StringIO("agi_network: yes\n")

    def readline():
        line = rfile.readline()
        if not line:
            raise AgiHangup("EOF")
        return line.rstrip("\n")
    with pytest.raises(AgiProtocolError):
        read_env(readline)


def test_a_script_name_with_odd_characters_routes_nowhere():
    assert script_name({"agi_network_script": "../etc;rm"}) == ""
    assert script_name({"agi_network_script": "after_dial?x=1"}) == "after_dial"


def test_get_data_returns_digits_and_keeps_the_timeout_flag():
    a, out = agi("200 result=20261127 (timeout)\n200 result= (timeout)\n200 result=1\n")
    assert a.read_digits("hotline/case_enter_number", 8000, 16) == ("20261127", True)
    assert a.read_digits("hotline/shortcuts", 2000, 1) == ("", True)
    assert a.read_digits("hotline/survey", 5000, 1) == ("1", False)
    assert out.getvalue().splitlines()[0] == 'GET DATA "hotline/case_enter_number" 8000 16'


def test_stream_file_returns_the_key_pressed():
    a, out = agi("200 result=57 endpos=1234\n200 result=0 endpos=8000\n")
    assert a.play("hotline/emergency_notice", "0123456789") == "9"
    assert a.play("hotline/welcome") == ""


def test_an_inline_hangup_after_a_result_makes_the_next_command_a_hangup():
    a, _ = agi("200 result=-1 endpos=0\nHANGUP\n511 Command Not Permitted on a dead channel\n")
    assert a.play("hotline/welcome") == ""
    assert a.suspect
    with pytest.raises(AgiHangup):
        a.wait_digit(500)


def test_a_missing_prompt_is_not_a_hangup_when_the_next_command_works():
    a, _ = agi("200 result=-1 endpos=0\n200 result=0\n")
    assert a.play("hotline/missing") == ""
    assert a.wait_digit(500) == "" and not a.dead


def test_dead_channel_commands_still_work_after_hangup_and_others_are_refused_locally():
    a, out = agi("HANGUP\n200 result=1\n200 result=1 (ANSWER)\n")
    a.set_var("HOTLINE_DONE", "1")
    assert a.dead
    assert a.get_var("DIALSTATUS") == "ANSWER"
    with pytest.raises(AgiHangup):
        a.play("hotline/survey")
    assert "STREAM FILE" not in out.getvalue()


def test_511_is_a_hangup():
    a, _ = agi("511 Command Not Permitted on a dead channel or intercept routine\n")
    with pytest.raises(AgiHangup):
        a.read_digits("hotline/survey", 5000, 1)


def test_eof_is_a_hangup_at_every_step():
    for command in (lambda a: a.play("x"), lambda a: a.read_digits("x", 1, 1),
                    lambda a: a.wait_digit(1), lambda a: a.set_var("A", "1"),
                    lambda a: a.get_var("A"), lambda a: a.run_app("StartMusicOnHold", "default")):
        a, _ = agi("")
        with pytest.raises(AgiHangup):
            command(a)


def test_wait_for_digit_minus_one_is_a_hangup():
    a, _ = agi("200 result=-1\n")
    with pytest.raises(AgiHangup):
        a.wait_digit(1000)


def test_usage_text_is_read_to_its_end_and_eof_inside_it_stops():
    a, _ = agi("520-Invalid command syntax.  Proper usage follows:\nUsage: GET DATA <file>\n"
               "520 End of proper usage.\n200 result=1\n")
    with pytest.raises(AGIUsageError):
        a.read_digits("x", 1, 1)
    a.set_var("A", "1")  # the stream is still in step
    a, _ = agi("520-Invalid command syntax.  Proper usage follows:\nUsage: GET DATA\n")
    with pytest.raises(AgiHangup):
        a.read_digits("x", 1, 1)


def test_510_is_an_invalid_command():
    a, _ = agi("510 Invalid or unknown command\n")
    with pytest.raises(AGIInvalidCommand):
        a.execute("FROB")


@pytest.mark.parametrize("line", ["hello", "200", "200 ok", "999 what", "\x00\x01", "2000 result=1"])
def test_garbage_replies_are_protocol_errors(line):
    a, _ = agi(line + "\n")
    with pytest.raises(AgiProtocolError):
        a.set_var("A", "1")


def test_a_reply_line_cannot_be_made_endless():
    a, _ = agi("200 result=1 (" + "x" * 20000 + ")\n")
    with pytest.raises(AgiProtocolError):
        a.get_var("A")


def test_values_are_quoted_with_escapes_and_no_control_characters():
    assert quote('say "hi"\\ now\n') == '"say \\"hi\\"\\\\ now"'
    a, out = agi("200 result=1\n")
    a.set_var("HOTLINE_X", 'a" "b\r\nEXEC Dial')
    assert out.getvalue() == 'SET VARIABLE "HOTLINE_X" "a\\" \\"bEXEC Dial"\n'


def test_the_classic_entry_point_speaks_agi_on_stdin(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    env["HOTLINE_VAR_DIR"] = str(tmp_path)
    block = "agi_request: hotline\nagi_uniqueid: 1.1\nagi_arg_1: probe\n\n"
    out = subprocess.run([sys.executable, "-m", "agi_scripts.classic", "probe"],
                         input=block + "200 result=1\n200 result=1\n", capture_output=True,
                         text=True, timeout=60, env=env, cwd=os.getcwd())
    assert out.stdout.splitlines() == ['SET VARIABLE "HOTLINE_NEXT" "hangup"',
                                       'SET VARIABLE "HOTLINE_DONE" "1"']
    out = subprocess.run([sys.executable, "-m", "agi_scripts.classic", "menu"],
                         input=block + "200 result=1\n200 result=1\n", capture_output=True,
                         text=True, timeout=60, env=env, cwd=os.getcwd())
    assert out.stdout.splitlines()[-2:] == ['SET VARIABLE "HOTLINE_NEXT" "fallback"',
                                            'SET VARIABLE "HOTLINE_DONE" "1"']


def test_work_during_a_command_runs_after_it_is_sent_and_before_its_reply_is_read():
    a, out = agi("200 result=49\n200 result=1\n")
    seen = []
    key = a.wait_digit(500, during=lambda: seen.append((out.getvalue(), a.stdin.tell())))
    assert key == "1"
    sent, read_at = seen[0]
    assert sent == "WAIT FOR DIGIT 500\n" and read_at == 0  # sent, reply not yet read
    a.set_var("A", "1")  # in step


def test_a_failure_during_a_command_still_reads_its_reply_then_is_raised():
    a, out = agi("200 result=0\n200 result=1\n")

    def broken():
        raise ConnectionError("redis went away")

    with pytest.raises(ConnectionError):
        a.wait_digit(500, during=broken)
    a.set_var("HOTLINE_NEXT", "fallback")  # the next reply is this command's, not the old one
    assert out.getvalue().splitlines() == ["WAIT FOR DIGIT 500",
                                           'SET VARIABLE "HOTLINE_NEXT" "fallback"']
    assert a.stdin.read() == ""


def test_a_hangup_after_a_failure_during_a_command_keeps_the_first_failure():
    a, _ = agi("")

    def broken():
        raise ConnectionError("redis went away")

    with pytest.raises(ConnectionError):
        a.wait_digit(500, during=broken)
