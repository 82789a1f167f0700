"""The voice menu as TwiML, parsed with xml.etree and checked step by step."""

from __future__ import annotations

from sqlalchemy import select

from crm.audit import Actor
from crm.case_numbers import to_keypad
from crm.cases import NewCase, create_case
from crm.enums import Channel
from crm.models import Call
from channel_helpers import PUBLIC_BASE, parse_twiml, path_of
from web.twilio.twiml import Renderer, Urls

CALLER = "+8613985012345"
HOTLINE = "+12025550100"


def _call(sid: str) -> dict:
    return {"CallSid": sid, "From": CALLER, "To": HOTLINE, "AccountSid": "AC" + "1" * 32}


def _gather(root):
    gathers = root.findall("Gather")
    assert len(gathers) == 1, [c.tag for c in root]
    return gathers[0]


def _said(element) -> str:
    return "".join(say.text or "" for say in element.iter("Say"))


def _row(sessions, sid):
    with sessions() as s:
        return s.scalars(select(Call).where(Call.call_id == sid)).all()


def test_first_ring_is_a_short_welcome_with_keys_as_shortcuts(twilio, operator_config):
    root = parse_twiml(twilio.post("/twilio/voice", _call("CA" + "1" * 32)).text)
    gather = _gather(root)
    assert gather.get("input") == "dtmf"
    assert gather.get("numDigits") == "1"
    assert gather.get("actionOnEmptyResult") == "true"
    assert gather.get("action") == PUBLIC_BASE + "/twilio/voice/digits"
    say = gather.find("Say")
    assert say.get("language") == "zh-CN"
    prompts = operator_config.prompts
    assert say.text == prompts["welcome"].zh + prompts["emergency_notice"].zh + prompts["shortcuts"].zh


def test_key_9_transfers_to_110_and_the_call_is_recorded_once(twilio, sessions):
    sid = "CA" + "2" * 32
    twilio.post("/twilio/voice", _call(sid))
    root = parse_twiml(twilio.post("/twilio/voice/digits", {**_call(sid), "Digits": "9"}).text)
    assert [c.tag for c in root] == ["Say", "Dial"]
    assert "110" in _said(root)
    assert root.find("Dial").text == "110"
    for _ in range(2):  # Twilio may deliver the status callback twice
        assert twilio.post("/twilio/voice/status", {**_call(sid), "CallStatus": "completed"}
                           ).status_code == 204
    rows = _row(sessions, sid)
    assert len(rows) == 1
    assert rows[0].outcome == "emergency_transfer"
    assert rows[0].channel == "twilio"
    assert rows[0].menu_path == "in>menu:main>key:9>emergency"


def test_case_progress_by_keypad_then_goodbye(twilio, sessions, operator_config):
    with sessions.begin() as s:
        case = create_case(s, NewCase(channel=Channel.WEB, category="urban"), Actor.system("t"))
        number = case.number
    sid = "CA" + "3" * 32
    twilio.post("/twilio/voice", _call(sid))
    root = parse_twiml(twilio.post("/twilio/voice/digits", {**_call(sid), "Digits": "1"}).text)
    gather = _gather(root)
    assert gather.get("finishOnKey") == "#"
    assert int(gather.get("numDigits")) >= 14
    assert _said(gather) == operator_config.prompts["case_enter_number"].zh

    typed = {**_call(sid), "Digits": to_keypad(number), "FinishedOnKey": "#"}
    root = parse_twiml(twilio.post(path_of(gather.get("action")), typed).text)
    said = _said(_gather(root))
    assert said.startswith(operator_config.prompts["case_status"].zh)
    assert operator_config.prompts["status_registered"].zh in said

    root = parse_twiml(twilio.post("/twilio/voice/digits", {**_call(sid), "Digits": ""}).text)
    assert [c.tag for c in root] == ["Say", "Hangup"]
    assert _said(root) == operator_config.prompts["goodbye"].zh
    twilio.post("/twilio/voice/status", {**_call(sid), "CallStatus": "completed"})
    (row,) = _row(sessions, sid)
    assert row.outcome == "self_service"
    assert row.case_id is None  # reading a case's progress opens none


def test_a_hang_up_in_the_menu_is_recorded_as_abandoned(twilio, sessions):
    sid = "CA" + "4" * 32
    twilio.post("/twilio/voice", _call(sid))
    twilio.post("/twilio/voice/status", {**_call(sid), "CallStatus": "completed"})
    (row,) = _row(sessions, sid)
    assert row.outcome == "abandoned"
    assert row.caller_raw == CALLER
    assert row.dnid == HOTLINE
    assert row.queued_at is None and row.ended_at is not None


def test_renderer_plays_built_prompts_when_a_prompt_url_is_set(operator_config):
    from twilio.twiml.voice_response import VoiceResponse

    r = Renderer(operator_config.prompts, Urls(PUBLIC_BASE),
                 prompt_base_url="https://cdn.example.gov.cn/prompts/")
    resp = VoiceResponse()
    r.speak(resp, ["welcome", "no_such_prompt", "goodbye"])
    root = parse_twiml(str(resp))
    assert [p.text for p in root.findall("Play")] == [
        "https://cdn.example.gov.cn/prompts/zh/welcome.wav",
        "https://cdn.example.gov.cn/prompts/zh/goodbye.wav"]


def test_agent_dial_targets(operator_config):
    plain = Renderer(operator_config.prompts, Urls(PUBLIC_BASE))
    sip = Renderer(operator_config.prompts, Urls(PUBLIC_BASE), agent_sip_domain="pbx.example")
    assert plain.agent_address("client:zhang.wei") == ("client", "zhang.wei")
    assert plain.agent_address("sip:8001@pbx.other") == ("sip", "sip:8001@pbx.other")
    assert plain.agent_address("PJSIP/8001") == ("client", "8001")
    assert sip.agent_address("PJSIP/8001") == ("sip", "sip:8001@pbx.example")


def test_a_call_belongs_to_its_numbers_site_else_the_callers_city(ctx, queue):
    from channel_helpers import Ctx, make_settings
    from web.twilio.channel import build_channel

    settings = make_settings(twilio_number_sites={HOTLINE: "zunyi"})
    ch = build_channel(Ctx(settings, ctx.operator, ctx.sessions, ctx.redis), queue)
    assert ch.site_for(HOTLINE, CALLER) == "zunyi"
    assert ch.site_for("+12025550199", CALLER) == "guiyang"  # 139 8501 → 贵阳
    assert ch.site_for("+12025550199", "anonymous") == "province"
