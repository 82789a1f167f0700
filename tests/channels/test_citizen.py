"""The citizen web form over HTTP: validation, CSRF, rate limits, and only one's own case shown."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from crm.citizen import CitizenRequest, lookup_case, submit_request, validate_request
from crm.enums import Channel
from crm.models import Case, CaseEvent
from web.citizen import csrf, ratelimit

PHONE = "13985012345"
FORM = {"category": "urban", "request_type": "complaint", "site_id": "guiyang",
        "address": "南明区花果园大街1号", "content": "小区门口路灯坏了一个月，夜间出行不便。",
        "phone": PHONE}
TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def _token(client, path="/citizen/") -> str:
    page = client.get(path)
    assert page.status_code == 200
    return TOKEN_RE.search(page.text).group(1)


def _count(sessions, model=Case) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(model))


def _submit(client, **changes):
    return client.post("/citizen/submit", data={**FORM, "csrf_token": _token(client), **changes})


def _number(page) -> str:
    return re.search(r'id="case-number">([^<]+)<', page.text).group(1)


def test_submit_returns_a_case_number_for_a_web_case(client, sessions):
    page = _submit(client)
    assert page.status_code == 200
    number = _number(page)
    with sessions() as s:
        case = s.scalar(select(Case).where(Case.number == number))
    assert case.channel == Channel.WEB
    assert (case.category, case.request_type, case.site_id) == ("urban", "complaint", "guiyang")
    assert case.contact_number == "+86" + PHONE
    assert case.address == FORM["address"]
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


@pytest.mark.parametrize("field,value,message", [
    ("category", "", "此项必填"),
    ("category", "bribery", "请从列表中选择"),
    ("site_id", "atlantis", "请从列表中选择"),
    ("content", "太短", "内容太短"),
    ("content", "长" * 2001, "内容太长"),
    ("phone", "12345", "有效的手机号码"),
])
def test_invalid_input_is_shown_in_chinese_and_opens_nothing(client, sessions, field, value,
                                                             message):
    page = _submit(client, **{field: value})
    assert page.status_code == 422
    assert message in page.text
    assert f'id="error-{field}"' in page.text
    assert _count(sessions) == 0


def test_a_post_without_the_csrf_token_is_refused(client, sessions):
    _token(client)  # the cookie is set, but the form carries no token
    assert client.post("/citizen/submit", data=FORM).status_code == 403
    forged = csrf.issue("someone-elses-secret")
    client.cookies.set(csrf.COOKIE, forged, path="/citizen")
    page = client.post("/citizen/submit", data={**FORM, "csrf_token": forged})
    assert page.status_code == 403
    assert _count(sessions) == 0


def test_submissions_are_rate_limited_per_address(client, sessions):
    for _ in range(ratelimit.SUBMIT_PER_ADDRESS.max_hits):
        assert _submit(client).status_code == 200
    page = _submit(client)
    assert page.status_code == 429
    assert "过于频繁" in page.text
    assert _count(sessions) == ratelimit.SUBMIT_PER_ADDRESS.max_hits


def test_lookup_shows_the_case_only_with_its_own_phone(client, sessions):
    number = _number(_submit(client))
    token = _token(client, "/citizen/lookup")
    page = client.post("/citizen/lookup",
                       data={"case_number": number, "phone": PHONE, "csrf_token": token})
    assert page.status_code == 200
    assert number in page.text and "已受理" in page.text and "城市管理" in page.text

    wrong = client.post("/citizen/lookup",
                        data={"case_number": number, "phone": "13800000000", "csrf_token": token})
    assert wrong.status_code == 404
    assert number not in wrong.text.replace(f'value="{number}"', "")
    assert "路灯" not in wrong.text
    with sessions() as s:
        events = s.scalars(select(CaseEvent).where(CaseEvent.action == "citizen_lookup")).all()
    assert [e.detail["ok"] for e in events] == [True, False]


def test_guessing_phones_for_one_case_number_is_rate_limited(client, sessions):
    number = _number(_submit(client))
    token = _token(client, "/citizen/lookup")
    for i in range(ratelimit.LOOKUP_PER_CASE.max_hits):
        guess = {"case_number": number, "phone": f"1380000{i:04d}", "csrf_token": token}
        assert client.post("/citizen/lookup", data=guess).status_code == 404
    right = {"case_number": number, "phone": PHONE, "csrf_token": token}
    assert client.post("/citizen/lookup", data=right).status_code == 429


def test_the_service_validates_and_looks_up_by_number_and_phone(sessions, operator_config):
    bad = CitizenRequest(category="urban", content="", phone="abc", site_id="guiyang")
    assert validate_request(bad, operator_config) == {"content": "required", "phone": "bad_phone"}
    req = CitizenRequest(category="health", content="医院挂号难的问题反映", phone="0851-86801234",
                         site_id="guiyang")
    with sessions.begin() as s:
        number = submit_request(s, req, operator_config).number
    with sessions.begin() as s:
        view = lookup_case(s, number, "085186801234")
        assert view is not None and view.number == number and view.category == "health"
        assert lookup_case(s, number, "13985012345") is None
        assert lookup_case(s, number.replace("-", "")[5:], "(0851) 8680 1234") is not None
