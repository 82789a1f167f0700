"""Staff login and sessions under attack: login CSRF, stale rights, odd tokens, login bursts.

Also the citizen lookup's per-case limit, whatever way the case number is written.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import update

from crm.models import User
from web.ratelimit import MAX_FAILURES_PER_USER, LoginLimiter
from web.routes.auth import LOGIN_CSRF_COOKIE
from web.sessions import TokenSigner
from web_helpers import PASSWORD, login
from live_server import serving

TOKEN_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
CASE_BODY = {"request_type": "help", "category": "health", "content": "c", "site_id": "guiyang"}
PUBLIC_ORIGIN = "http://127.0.0.1:8000"  # Settings.public_base_url's default
BURST = 40
NON_ASCII = "令牌é"
CITIZEN_PHONE = "13985012345"
CITIZEN_FORM = {"category": "urban", "request_type": "complaint", "site_id": "guiyang",
                "address": "南明区花果园大街1号", "content": "小区门口路灯坏了一个月，夜间出行不便。",
                "phone": CITIZEN_PHONE}


def _form_token(client, path: str = "/login") -> str:
    page = client.get(path)
    assert page.status_code == 200
    return TOKEN_RE.search(page.text).group(1)


def _form_login(client, username: str = "super1", headers: dict | None = None, **extra):
    data = {"username": username, "password": PASSWORD, **extra}
    return client.post("/login", data=data, headers=headers or {}, follow_redirects=False)


def _user_id(client, admin: dict, username: str) -> int:
    items = client.get("/api/users", headers=admin).json()["items"]
    return next(u["user_id"] for u in items if u["username"] == username)


def _set_in_crm(web_ctx, username: str, **values) -> None:
    """Change an account behind the web's back (SQL, a CLI), so nothing revokes sessions."""
    with web_ctx.sessions.begin() as db:
        db.execute(update(User).where(User.username == username).values(**values))


def _bearer(client, username: str, password: str = PASSWORD) -> dict:
    headers = login(client, username, password)
    client.cookies.clear()
    return headers


# 1. Login CSRF -------------------------------------------------------------------------

def test_a_forged_login_form_without_its_token_logs_nobody_in(client):
    resp = _form_login(client)  # what a cross-site auto-submitting form sends
    assert resp.status_code == 403 and "页面已过期" in resp.text
    assert "hotline_session" not in resp.headers.get("set-cookie", "")
    assert client.get("/api/me").status_code == 401


def test_the_login_form_with_its_token_logs_in(client):
    token = _form_token(client)
    assert client.cookies.get(LOGIN_CSRF_COOKIE) == token
    resp = _form_login(client, csrf_token=token)
    assert resp.status_code == 303 and resp.headers["location"] == "/"
    assert client.get("/api/me").json()["username"] == "super1"


def test_a_token_from_another_browser_is_not_enough(client, app):
    from fastapi.testclient import TestClient

    with TestClient(app) as attacker:
        stolen = _form_token(attacker)  # the attacker's own page and token
    resp = _form_login(client, csrf_token=stolen)  # the victim has no matching cookie
    assert resp.status_code == 403
    assert client.get("/api/me").status_code == 401


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site"},
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
])
def test_a_cross_site_login_form_is_refused_even_with_a_token(client, headers):
    token = _form_token(client)
    resp = _form_login(client, headers=headers, csrf_token=token)
    assert resp.status_code == 403
    assert client.get("/api/me").status_code == 401


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "same-origin", "Origin": PUBLIC_ORIGIN},
    {"Origin": "http://testserver"},  # the host the browser asked
])
def test_a_same_origin_login_form_is_accepted(client, headers):
    token = _form_token(client)
    assert _form_login(client, headers=headers, csrf_token=token).status_code == 303


def test_api_clients_log_in_with_json_but_not_from_a_foreign_page(client):
    assert client.get("/api/me", headers=_bearer(client, "agent1")).status_code == 200
    body = {"username": "agent1", "password": PASSWORD}
    foreign = client.post("/api/auth/login", json=body, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403 and foreign.json()["error"] == "csrf_failed"
    assert "set-cookie" not in foreign.headers


# 2. Sessions follow the account --------------------------------------------------------

def test_disabling_an_account_ends_its_open_sessions(client, as_role):
    admin = as_role("admin")
    agent = _bearer(client, "agent1")
    assert client.post("/api/cases", json=CASE_BODY, headers=agent).status_code == 200
    uid = _user_id(client, admin, "agent1")
    changed = client.patch(f"/api/users/{uid}", json={"active": False}, headers=admin)
    assert changed.status_code == 200 and changed.json()["active"] is False
    assert client.post("/api/cases", json=CASE_BODY, headers=agent).status_code == 401
    refused = client.post("/api/auth/login", json={"username": "agent1", "password": PASSWORD})
    assert refused.status_code == 401


def test_a_session_of_an_account_disabled_in_the_crm_cannot_write(client, web_ctx):
    agent = _bearer(client, "agent1")
    _set_in_crm(web_ctx, "agent1", active=False)
    assert client.post("/api/cases", json=CASE_BODY, headers=agent).status_code == 401
    assert client.get("/api/me", headers=agent).status_code == 401


def _second_admin(client, admin: dict) -> dict:
    body = {"username": "admin2", "password": "another-pass-1", "role": "admin"}
    assert client.post("/api/users", json=body, headers=admin).status_code == 201
    return login(client, "admin2", "another-pass-1")


def test_demoting_an_admin_takes_their_admin_rights_away(client, as_role):
    admin = as_role("admin")
    demoted = _second_admin(client, admin)
    client.cookies.clear()
    assert client.get("/api/users", headers=demoted).status_code == 200
    uid = _user_id(client, admin, "admin2")
    change = {"role": "agent", "extension": "8009", "site_id": "guiyang"}
    assert client.patch(f"/api/users/{uid}", json=change, headers=admin).status_code == 200
    assert client.get("/api/users", headers=demoted).status_code == 401  # session ended
    again = _bearer(client, "admin2", "another-pass-1")
    assert client.get("/api/me", headers=again).json()["role"] == "agent"
    assert client.get("/api/users", headers=again).status_code == 403


def test_a_role_changed_in_the_crm_applies_to_open_sessions(client, web_ctx, as_role):
    demoted = _second_admin(client, as_role("admin"))
    client.cookies.clear()
    _set_in_crm(web_ctx, "admin2", role="supervisor")
    assert client.get("/api/users", headers=demoted).status_code == 403
    assert client.get("/api/me", headers=demoted).json()["role"] == "supervisor"


def test_resetting_a_password_ends_the_accounts_sessions(client, as_role):
    admin = as_role("admin")
    agent = _bearer(client, "agent1")
    uid = _user_id(client, admin, "agent1")
    reset = client.post(f"/api/users/{uid}/password", json={"password": "fresh-pass-99"},
                        headers=admin)
    assert reset.status_code == 200
    assert client.get("/api/me", headers=agent).status_code == 401
    assert client.get("/api/me", headers=admin).status_code == 200
    assert client.get("/api/me", headers=login(client, "agent1", "fresh-pass-99")).status_code \
        == 200


def test_an_admin_cannot_lock_themself_out(client, as_role):
    admin = as_role("admin")
    me = client.get("/api/me", headers=admin).json()["user_id"]
    resp = client.patch(f"/api/users/{me}", json={"active": False}, headers=admin)
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_input"
    assert client.get("/api/users", headers=admin).status_code == 200


def test_a_change_that_changes_nothing_keeps_the_sessions(client, as_role):
    admin = as_role("admin")
    agent = _bearer(client, "agent1")
    uid = _user_id(client, admin, "agent1")
    assert client.patch(f"/api/users/{uid}", json={"role": "agent"}, headers=admin).status_code \
        == 200
    assert client.get("/api/me", headers=agent).status_code == 200


# 3. Non-ASCII tokens --------------------------------------------------------------------

def test_the_signer_refuses_non_ascii_tokens():
    signer = TokenSigner("one-secret")
    assert signer.unsign("abc." + NON_ASCII) is None
    assert signer.unsign(NON_ASCII + "." + signer.sign("abc").split(".")[1]) is None


@pytest.mark.parametrize("header", ["authorization", "cookie"])
def test_a_non_ascii_token_is_not_logged_in(client, header):
    value = f"Bearer abc.{NON_ASCII}" if header == "authorization" \
        else f"hotline_session=abc.{NON_ASCII}"
    raw = {header: value.encode("utf-8")}  # as a client sends it; the server reads latin-1
    assert client.get("/api/me", headers=raw).status_code == 401
    assert client.post("/api/cases", json=CASE_BODY, headers=raw).status_code == 401


def test_a_non_ascii_csrf_header_is_refused(client):
    client.post("/api/auth/login", json={"username": "agent1", "password": PASSWORD})
    resp = client.post("/api/cases", json=CASE_BODY,
                       headers={"x-csrf-token": NON_ASCII.encode("utf-8")})
    assert resp.status_code == 403 and resp.json()["error"] == "csrf_failed"


def test_non_ascii_form_tokens_are_refused(client):
    _form_token(client)
    assert _form_login(client, csrf_token=NON_ASCII).status_code == 403
    _form_token(client, "/citizen/lookup")
    data = {"case_number": "12345-20260101-000001", "phone": CITIZEN_PHONE}
    page = client.post("/citizen/lookup", data={**data, "csrf_token": NON_ASCII})
    assert page.status_code == 403 and "页面已过期" in page.text


def test_non_ascii_form_cookies_are_ignored(client):
    for path, cookie in (("/citizen/lookup", "citizen_csrf"), ("/login", LOGIN_CSRF_COOKIE)):
        raw = {"cookie": f"{cookie}=abc.{NON_ASCII}".encode("utf-8")}
        page = client.get(path, headers=raw)
        assert page.status_code == 200 and TOKEN_RE.search(page.text)
        forged = client.post(path, data={"csrf_token": f"abc.{NON_ASCII}"}, headers=raw)
        assert forged.status_code == 403


# 4. Rate limits -------------------------------------------------------------------------


@pytest.fixture
def server(app):
    with serving(app) as base:
        yield base


def test_a_burst_of_logins_checks_at_most_the_limit_of_passwords(server):
    barrier = threading.Barrier(BURST)
    body = {"username": "agent1", "password": "wrong-password"}

    def attempt(_):
        with httpx.Client(base_url=server, timeout=60) as http:
            barrier.wait()
            return http.post("/api/auth/login", json=body).status_code

    with ThreadPoolExecutor(BURST) as pool:
        statuses = list(pool.map(attempt, range(BURST)))
    assert sorted(set(statuses)) == [401, 429]
    assert sum(s != 429 for s in statuses) == MAX_FAILURES_PER_USER
    with httpx.Client(base_url=server) as http:
        right = http.post("/api/auth/login", json={"username": "agent1", "password": PASSWORD})
    assert right.status_code == 429


def test_successful_logins_do_not_use_up_the_address(redis_client):
    limiter = LoginLimiter(redis_client, per_user=2, per_ip=3)
    for i in range(10):  # a shift of staff logging in behind one address
        assert limiter.acquire(f"staff{i}", "10.0.0.7") == 0
        limiter.succeeded(f"staff{i}", "10.0.0.7")
    for name in ("guess1", "guess1", "guess2"):  # failures still count against the address
        assert limiter.acquire(name, "10.0.0.7") == 0
    assert limiter.acquire("guess1", "10.0.0.8") > 0  # the username's limit
    assert limiter.acquire("staff0", "10.0.0.7") > 0  # the address's limit
    assert limiter.acquire("staff0", "10.0.0.9") == 0


def _citizen_case(client) -> str:
    page = client.post("/citizen/submit",
                       data={**CITIZEN_FORM, "csrf_token": _form_token(client, "/citizen/")})
    assert page.status_code == 200
    return re.search(r'id="case-number">([^<]+)<', page.text).group(1)


def _spellings(number: str) -> list[str]:
    _, day, seq = number.split("-")
    return [number, f"12345{day}{seq}", f"{day}{seq}", f"12345 {day} {seq}", f" {day}-{seq} "]


def test_every_spelling_of_a_case_number_shares_its_lookup_limit(client):
    from web.citizen.ratelimit import LOOKUP_PER_CASE

    number = _citizen_case(client)
    token = _form_token(client, "/citizen/lookup")
    spellings = _spellings(number)
    for i in range(LOOKUP_PER_CASE.max_hits):
        guess = {"case_number": spellings[i % len(spellings)], "phone": f"1380000{i:04d}",
                 "csrf_token": token}
        assert client.post("/citizen/lookup", data=guess).status_code == 404
    for spelling in spellings:
        right = {"case_number": spelling, "phone": CITIZEN_PHONE, "csrf_token": token}
        assert client.post("/citizen/lookup", data=right).status_code == 429


def test_a_case_number_in_full_width_digits_is_found(client):
    number = _citizen_case(client)
    full_width = number.translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    token = _form_token(client, "/citizen/lookup")
    data = {"case_number": full_width, "phone": CITIZEN_PHONE, "csrf_token": token}
    page = client.post("/citizen/lookup", data=data)
    assert page.status_code == 200 and number in page.text

