"""SMS: an inbound text opens a case and is answered with its number; 1-5 rates a surveyed case."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from crm import workflow
from crm.audit import Actor
from crm.enums import CaseStatus, Channel, Rating, Role
from crm.errors import IllegalTransition
from crm.models import Case, CaseEvent
from crm.sla import Deadlines
from crm.users import add_user
from web.twilio.sms_routes import send_survey

CITIZEN = "+8613985012345"
OTHER = "+8613800000000"
SUPERVISOR = Actor(name="supervisor1", role=Role.SUPERVISOR)


def _sms(sid: str, body: str, sender: str = CITIZEN) -> dict:
    return {"MessageSid": sid, "SmsSid": sid, "From": sender, "To": "+12025550111",
            "Body": body, "NumMedia": "0", "AccountSid": "AC" + "1" * 32}


def _reply(resp) -> str:
    assert resp.status_code == 200
    root = ET.fromstring(resp.text)
    assert root.tag == "Response"
    (message,) = root.findall("Message")
    return message.text


def _cases(sessions):
    with sessions() as s:
        return s.scalars(select(Case).order_by(Case.id)).all()


def test_an_inbound_sms_opens_a_case_and_the_reply_names_it(twilio, sessions):
    reply = _reply(twilio.post("/twilio/sms", _sms("SM" + "1" * 32, "南明区花果园小区噪音扰民，晚上施工")))
    (case,) = _cases(sessions)
    assert case.channel == Channel.SMS
    assert case.content == "南明区花果园小区噪音扰民，晚上施工"
    assert case.contact_number == CITIZEN
    assert case.site_id == "guiyang"  # from the number's location
    assert case.number in reply
    assert "已受理" in reply


def test_a_retried_webhook_gets_the_same_reply_and_opens_no_second_case(twilio, sessions):
    first = _reply(twilio.post("/twilio/sms", _sms("SM" + "2" * 32, "公交站台广告牌松动有危险")))
    again = _reply(twilio.post("/twilio/sms", _sms("SM" + "2" * 32, "公交站台广告牌松动有危险")))
    assert first == again
    assert len(_cases(sessions)) == 1


def _only_case(sessions) -> Case:
    (case,) = _cases(sessions)
    return case


def _resolve_on_call(sessions, case_id: int) -> None:
    with sessions.begin() as s:
        workflow.resolve_on_call(s, case_id=case_id, actor=SUPERVISOR, answer="已电话答复")


def _walk_to_reviewed(sessions, operator_config, case_id: int) -> None:
    """Dispatch, sign for, reply and review: the order then awaits its callback survey."""
    deadlines = Deadlines.from_config(operator_config)
    with sessions.begin() as s:
        dept = next(iter(operator_config.departments))
        user = add_user(s, "handler1", "pw-handler-1", Role.DEPARTMENT, department_id=dept)
        handler = Actor(name="handler1", user_id=user.id, role=Role.DEPARTMENT)
        workflow.dispatch(s, case_id=case_id, actor=SUPERVISOR, department_id=dept,
                          deadlines=deadlines)
        workflow.sign_for(s, case_id=case_id, actor=handler)
        workflow.start(s, case_id=case_id, actor=handler)
        workflow.reply(s, case_id=case_id, actor=handler, text="已安排维修")
        workflow.review(s, case_id=case_id, actor=SUPERVISOR, approved=True)


def test_a_survey_by_sms_then_a_reply_rates_the_case(app, twilio, twilio_http, sessions):
    _reply(twilio.post("/twilio/sms", _sms("SM" + "3" * 32, "反映供暖不足的问题")))
    case = _only_case(sessions)
    _resolve_on_call(sessions, case.id)

    message_sid = send_survey(app.state.twilio, case.number)
    (sent,) = [r for r in twilio_http.requests if r.uri.endswith("/Messages.json")]
    assert sent.data["To"] == CITIZEN
    assert sent.data["From"] == "+12025550111"
    assert case.number in sent.data["Body"] and "5非常不满意" in sent.data["Body"]
    assert message_sid.startswith("SM")

    reply = _reply(twilio.post("/twilio/sms", _sms("SM" + "4" * 32, " ２ ")))
    assert case.number in reply and "评价" in reply
    case = _only_case(sessions)
    assert case.rating == Rating.SATISFIED
    assert case.status == CaseStatus.RESOLVED_ON_CALL
    with sessions() as s:
        actions = s.scalars(select(CaseEvent.action).where(CaseEvent.case_id == case.id)).all()
    assert "survey_sms_sent" in actions

    # A second reply cannot change the rating (一事一评), and opens no case either.
    reply = _reply(twilio.post("/twilio/sms", _sms("SM" + "5" * 32, "5")))
    assert "未找到待评价的工单" in reply
    case = _only_case(sessions)
    assert case.rating == Rating.SATISFIED


def test_a_dissatisfied_sms_rating_reopens_a_reviewed_order(app, twilio, sessions,
                                                           operator_config):
    _reply(twilio.post("/twilio/sms", _sms("SM" + "9" * 32, "楼下餐馆油烟扰民，多次反映未解决")))
    case = _only_case(sessions)
    _walk_to_reviewed(sessions, operator_config, case.id)

    send_survey(app.state.twilio, case.number)
    assert _only_case(sessions).status == CaseStatus.CALLBACK_SURVEY
    _reply(twilio.post("/twilio/sms", _sms("SM" + "a" * 32, "4")))
    case = _only_case(sessions)
    assert (case.status, case.rating) == (CaseStatus.REOPENED, Rating.DISSATISFIED)


def test_a_case_still_being_handled_gets_no_survey(app, twilio, twilio_http, sessions):
    _reply(twilio.post("/twilio/sms", _sms("SM" + "b" * 32, "反映小区电梯故障的问题")))
    case = _only_case(sessions)
    with pytest.raises(IllegalTransition):
        send_survey(app.state.twilio, case.number)
    assert not [r for r in twilio_http.requests if r.uri.endswith("/Messages.json")]


def test_a_digit_from_someone_never_surveyed_rates_nothing(twilio, sessions):
    _reply(twilio.post("/twilio/sms", _sms("SM" + "6" * 32, "反映路面塌陷的问题")))
    reply = _reply(twilio.post("/twilio/sms", _sms("SM" + "7" * 32, "1", sender=OTHER)))
    assert "未找到待评价的工单" in reply
    (case,) = _cases(sessions)
    assert case.rating is None


def test_an_empty_sms_opens_no_case(twilio, sessions):
    reply = _reply(twilio.post("/twilio/sms", _sms("SM" + "8" * 32, "   ")))
    assert "请发送您的诉求内容" in reply
    assert _cases(sessions) == []


def test_all_five_levels_map_best_first():
    from crm.sms import RATING_BY_DIGIT

    assert [RATING_BY_DIGIT[d] for d in "12345"] == [
        Rating.VERY_SATISFIED, Rating.SATISFIED, Rating.BASICALLY_SATISFIED,
        Rating.DISSATISFIED, Rating.VERY_DISSATISFIED]


def _supervisor_headers(app_client, sessions) -> dict:
    with sessions.begin() as s:
        add_user(s, "super1", "pw-super-1", Role.SUPERVISOR)
    resp = app_client.post("/api/auth/login", json={"username": "super1", "password": "pw-super-1"})
    assert resp.status_code == 200, resp.text
    return {"Authorization": f"Bearer {resp.json()['token']}"}


def test_a_supervisor_sends_the_survey_by_sms_from_the_web(ctx, queue, twilio_http, sessions,
                                                             operator_config, monkeypatch):
    from fastapi.testclient import TestClient
    from twilio.rest import Client

    from channel_helpers import TwilioPoster
    from recording_http import ACCOUNT_SID
    from web.app import create_app
    from web.telephony import NoTelephony
    from web.twilio import routes as twilio_routes

    app = create_app(ctx, queue=queue, telephony=NoTelephony("test"), background=False)
    client = Client(ACCOUNT_SID, ctx.settings.twilio_auth_token.get_secret_value(),
                    http_client=twilio_http)
    twilio_routes.install(app, ctx, client=client, queue=queue)
    with TestClient(app) as web:
        headers = _supervisor_headers(web, sessions)
        _reply(TwilioPoster(web).post("/twilio/sms", _sms("SM" + "6" * 32, "小区路灯坏了")))
        case = _only_case(sessions)
        _walk_to_reviewed(sessions, operator_config, case.id)
        url = f"/api/workorders/{case.number}/survey"
        with monkeypatch.context() as m:  # no sender number configured: nothing goes out
            m.setattr(ctx.settings, "twilio_sms_from", "")
            resp = web.post(url, json={"channel": "sms"}, headers=headers)
        assert resp.status_code == 503 and resp.json()["error"] == "telephony_unavailable"
        assert _only_case(sessions).status == "reviewed"
        resp = web.post(url, json={"channel": "sms"}, headers=headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["survey_sms"]["sent"] is True
    sent = [r for r in twilio_http.requests if r.uri.endswith("/Messages.json")]
    assert len(sent) == 1 and sent[0].data["To"] == CITIZEN
    assert case.number in sent[0].data["Body"]
    assert _only_case(sessions).status == "callback_survey"
