"""POST /api/workorders/{number}/survey by phone places the survey call over the telephony
interface: the Originate that rings the citizen into the case_survey AGI script, and a
telephony failure that leaves the order exactly as it was."""

from __future__ import annotations

import re
import socket
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from ami.errors import AmiUnsafeValue
from ami.survey import survey_originate
from crm.enums import Role
from crm.models import Case
from web.telephony import NoTelephony
from wo_web_support import case_row, changes, dispatched_order, step

CITIZEN = "+8613985012345"
SAFE = re.compile(r"[A-Za-z0-9/@+.:?=_\-]+")   # no , | " ; & spaces or line breaks


class FakeAmiClient:
    """Stands in for ami.client.AmiClient at the socket: records Originate actions."""

    def __init__(self):
        self.originated: list[tuple[str, dict]] = []
        self.connected = True

    def connect(self):
        return self

    def on_event(self, name, callback):
        pass

    def originate(self, channel, **kw):
        self.originated.append((channel, kw))
        return f"hotline-{len(self.originated)}"

    def close(self):
        self.connected = False


def reviewed_order(client, as_role, web_ctx, number_to_call: str | None = CITIZEN) -> str:
    """An order answered by the department and reviewed: ready for the callback survey."""
    number = dispatched_order(client, as_role(Role.AGENT))
    dept, sup = as_role(Role.DEPARTMENT), as_role(Role.SUPERVISOR)
    step(client, dept, number, "sign")
    step(client, dept, number, "reply", {"text": "已约谈商家，同意退货。"})
    step(client, sup, number, "review", {"approved": True})
    with web_ctx.sessions.begin() as db:   # the citizen's number, as a call would have left it
        db.execute(update(Case).where(Case.number == number)
                   .values(contact_number=number_to_call))
    return number


def app_with(web_ctx, telephony) -> TestClient:
    from web.app import create_app

    return TestClient(create_app(web_ctx, telephony=telephony, background=False))


def ami_bridge(web_ctx, monkeypatch, fake: FakeAmiClient | None = None, **settings):
    from web import ami_bridge as bridge

    if fake is not None:
        monkeypatch.setattr(bridge.AmiClient, "from_settings", classmethod(lambda cls, s: fake))
    ctx = SimpleNamespace(settings=web_ctx.settings.model_copy(update=settings),
                          operator=web_ctx.operator)
    return bridge.AmiTelephony(ctx)


def test_by_phone_the_web_asks_the_telephony_to_place_the_survey_call(client, as_role, web_ctx,
                                                                      telephony):
    number = reviewed_order(client, as_role, web_ctx)
    out = step(client, as_role(Role.SUPERVISOR), number, "survey", {"channel": "phone"})
    assert out["status"] == "callback_survey" and out["survey_call"] == {"placed": True}
    assert telephony.calls == [("place_survey", {"case_number": number,
                                                 "citizen_number": CITIZEN})]
    assert changes(web_ctx, number)[-1] == ("start_survey", "callback_survey", "super1")


def test_calling_again_while_in_the_survey_places_another_call(client, as_role, web_ctx,
                                                               telephony):
    number = reviewed_order(client, as_role, web_ctx)
    sup = as_role(Role.SUPERVISOR)
    step(client, sup, number, "survey", {"channel": "phone"})
    out = step(client, as_role(Role.ADMIN), number, "survey", {"channel": "phone"})
    assert out["status"] == "callback_survey" and len(telephony.calls) == 2
    assert changes(web_ctx, number)[-1] == ("survey_call", None, "admin1")


def test_by_sms_or_without_a_number_no_call_is_placed(client, as_role, web_ctx, telephony):
    by_sms = reviewed_order(client, as_role, web_ctx)
    sup = as_role(Role.SUPERVISOR)
    # No SMS channel configured here: the survey cannot go out, so the order stays reviewed
    # (tests/channels/test_sms.py sends it through Twilio).
    step(client, sup, by_sms, "survey", {"channel": "sms"}, status=503)
    assert case_row(web_ctx, by_sms).status == "reviewed"
    no_number = reviewed_order(client, as_role, web_ctx, number_to_call=None)
    out = step(client, sup, no_number, "survey", {"channel": "phone"})
    assert out["status"] == "callback_survey"
    assert out["survey_call"] == {"placed": False, "reason": "no_contact_number"}
    assert telephony.calls == []
    step(client, sup, no_number, "survey", {"channel": "phone"}, status=409)  # nobody to ring


def test_the_originate_rings_the_citizen_into_the_case_survey_script(client, as_role, web_ctx,
                                                                      monkeypatch):
    number = reviewed_order(client, as_role, web_ctx)
    fake = FakeAmiClient()
    with app_with(web_ctx, ami_bridge(web_ctx, monkeypatch, fake)) as other:
        out = step(other, as_role(Role.SUPERVISOR), number, "survey", {"channel": "phone"})
    assert out["status"] == "callback_survey"
    ((channel, kw),) = fake.originated
    assert channel == f"PJSIP/{CITIZEN}@trunk"          # the callback's citizen-leg convention
    assert kw["application"] == "AGI"
    assert kw["data"] == f"agi://127.0.0.1:4573/case_survey?case={number}"
    assert SAFE.fullmatch(channel) and SAFE.fullmatch(kw["data"])
    assert "context" not in kw and "exten" not in kw    # no dialplan context is involved


def test_the_survey_dial_and_fastagi_address_come_from_settings(web_ctx, monkeypatch):
    fake = FakeAmiClient()
    bridge = ami_bridge(web_ctx, monkeypatch, fake, survey_dial="Local/{number}@survey-test",
                        fastagi_bind="0.0.0.0:4600")
    bridge.place_survey(case_number="12345-20261126-000007", citizen_number="+8685112345678")
    ((channel, kw),) = fake.originated
    assert channel == "Local/+8685112345678@survey-test"
    assert kw["data"] == "agi://127.0.0.1:4600/case_survey?case=12345-20261126-000007"


@pytest.mark.parametrize("case_number, citizen, template", [
    ("12345-20261126-000001,x", CITIZEN, "PJSIP/{number}@trunk"),
    ("12345-20261126-000001\n", CITIZEN, "PJSIP/{number}@trunk"),
    ("12345-20261126-000001", "139 8501 2345", "PJSIP/{number}@trunk"),
    ("12345-20261126-000001", "+86139,ANSWER", "PJSIP/{number}@trunk"),
    ("12345-20261126-000001", CITIZEN, "PJSIP/trunk"),
    ("12345-20261126-000001", CITIZEN, "PJSIP/{number}@{host}"),
])
def test_unsafe_survey_values_are_refused_before_anything_is_sent(case_number, citizen,
                                                                   template):
    with pytest.raises(AmiUnsafeValue):
        survey_originate(case_number, citizen, dial_template=template,
                         fastagi_bind="127.0.0.1:4573")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("already_in_survey", [False, True])
@pytest.mark.parametrize("down", ["no_ami_package", "ami_unreachable"])
def test_a_telephony_failure_answers_503_and_changes_nothing(client, as_role, web_ctx,
                                                            monkeypatch, down,
                                                            already_in_survey):
    number = reviewed_order(client, as_role, web_ctx)
    sup = as_role(Role.SUPERVISOR)
    if already_in_survey:
        step(client, sup, number, "survey", {"channel": "phone"})
    before, trail = case_row(web_ctx, number).status, changes(web_ctx, number)
    telephony = (NoTelephony("test") if down == "no_ami_package"
                 else ami_bridge(web_ctx, monkeypatch, ami_port=_closed_port()))
    with app_with(web_ctx, telephony) as other:
        resp = other.post(f"/api/workorders/{number}/survey", headers=sup,
                          json={"channel": "phone"})
    assert resp.status_code == 503 and resp.json()["error"] == "telephony_unavailable"
    assert case_row(web_ctx, number).status == before
    assert changes(web_ctx, number) == trail
