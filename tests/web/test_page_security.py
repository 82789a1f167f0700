"""Page hardening: hostile names stay text, a strict CSP the pages live with, a request body
size limit, and redirects that never follow the request's Host header."""

from __future__ import annotations

import json
import os
import re

import httpx
import pytest

from callqueue.models import AgentInfo
from crm.models import KnowledgeArticle
from hotline.setup import create_user
from test_browser import CHROMIUM, _log_in, page, server  # noqa: F401 (fixtures)
from web.security_headers import content_security_policy, relative_location
from web_helpers import PASSWORD

HOSTILE_NAMES = [  # each an agent's username, as the CLI allows
    "<img src=x onerror=window.__pwned=1>",
    "<script>window.__pwned=2</script>",
    'c" style="content-visibility:auto" oncontentvisibilityautostatechange="window.__pwned=3" x="',
    'q" autofocus onfocus="window.__pwned=4" x="',
]
HOSTILE_DISPLAY = "<script>window.__pwned=5</script>"
TWO_MB = 2 * 1024 * 1024
EVIL = "evil.example"
browser = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="no /usr/bin/chromium")


def _hidden_fields(html: str) -> dict:
    """The hidden inputs of a page's form (a CSRF token, if the form has one)."""
    fields = {}
    for tag in re.findall(r"<input[^>]*type=\"hidden\"[^>]*>", html):
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def _form_login(client, username: str, headers: dict | None = None):
    """POST /login as the login page's form does; returns the response, unfollowed."""
    fields = _hidden_fields(client.get("/login").text)
    return client.post("/login", data={**fields, "username": username, "password": PASSWORD},
                       headers=headers or {}, follow_redirects=False)


def _csp_problems(csp: str | None) -> list[str]:
    if not csp:
        return ["no Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    problems = [f"{name} is not 'self'" for name in ("script-src", "style-src", "form-action")
                if directives.get(name) != ["'self'"]]
    problems += [f"{name} is not 'none'" for name in ("object-src", "base-uri", "frame-ancestors")
                 if directives.get(name) != ["'none'"]]
    if "unsafe-inline" in csp or "unsafe-eval" in csp:
        problems.append("allows unsafe-inline/unsafe-eval")
    return problems


# ---- 1. stored XSS: hostile names are text, in a real browser ---------------------------

@pytest.fixture
def hostile_agents(web_ctx, queue):
    for n, name in enumerate(HOSTILE_NAMES):
        create_user(web_ctx, name, "agent", PASSWORD, extension=f"81{n:02d}", site="guiyang")
        queue.login(AgentInfo(name, "guiyang", {"general": 1}, dial=f"PJSIP/81{n:02d}"))
    create_user(web_ctx, "super_hostile", "supervisor", PASSWORD, name=HOSTILE_DISPLAY)
    return HOSTILE_NAMES


@pytest.mark.browser
@browser
def test_wallboard_shows_hostile_names_as_text_and_runs_none(  # noqa: F811
        server, page, hostile_agents):
    from playwright.sync_api import expect

    _log_in(page, server, "super_hostile")
    expect(page).to_have_url(server + "/wallboard")
    expect(page.locator("#agents tbody tr")).to_have_count(len(hostile_agents))
    page.wait_for_timeout(2500)  # the agent table is redrawn every second
    assert page.evaluate("typeof window.__pwned") == "undefined"
    injected = "#agents img, #agents script, #agents [onfocus], #agents [style]"
    assert page.locator(injected).count() == 0
    for name in hostile_agents:
        expect(page.locator("#agents tbody")).to_contain_text(name)
        force_pause = f'#agents button[data-act="pause"][data-id={json.dumps(name)}]'
        expect(page.locator(force_pause)).to_have_count(1)  # the button acts on that agent
    expect(page.locator("#who")).to_contain_text(HOSTILE_DISPLAY)


# ---- 1b. the CSP: on every HTML page, and the pages still work under it -----------------

PAGES_OF = {  # user -> pages they open
    "agent1": ["/agent", "/docs"],
    "super1": ["/wallboard", "/supervision", "/kpi", "/knowledge"],
    "dept1": ["/department"],
}
PUBLIC_PAGES = ["/login", "/citizen/", "/citizen/lookup"]


def test_every_html_page_carries_the_strict_csp(client):
    seen = {}
    for path in PUBLIC_PAGES:
        seen[path] = client.get(path)
    seen["/login (wrong password)"] = client.post(
        "/login", data={"username": "agent1", "password": "wrong-password-1"})
    for username, paths in PAGES_OF.items():
        client.cookies.clear()
        assert _form_login(client, username).status_code == 303
        for path in paths:
            seen[path] = client.get(path)
    for path, resp in seen.items():
        assert resp.headers["content-type"].startswith("text/html"), path
        assert _csp_problems(resp.headers.get("content-security-policy")) == [], path
        assert resp.headers.get("x-content-type-options") == "nosniff", path
        assert resp.headers.get("referrer-policy") == "same-origin", path
        assert "<script>" not in resp.text and " style=" not in resp.text, path


def test_the_csp_admits_the_browser_phone_websocket_only():
    csp = content_security_policy("wss://pbx.example:8089/ws", "")
    assert "connect-src 'self' wss://pbx.example:8089;" in csp
    assert _csp_problems(csp) == []
    assert "connect-src 'self';" in content_security_policy()


def test_static_files_and_json_are_nosniff(client, as_role):
    for resp in (client.get("/static/common.js"), client.get("/static/app.css"),
                 client.get("/api/me", headers=as_role("agent"))):
        assert resp.status_code == 200
        assert resp.headers["x-content-type-options"] == "nosniff"
        assert resp.headers["referrer-policy"] == "same-origin"


def _watch_csp(page) -> list[str]:
    """Console lines of CSP violations (Chromium logs each one) and script errors."""
    problems = []

    def note(message):
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            problems.append(message.text)
    page.on("console", note)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return problems


PAGE_WORKS = {  # a sign that the page's script ran and drew data
    "/agent": ("#state", "未签入"),
    "/docs": ("#ops table", "/api/agent/login"),
    "/wallboard": ("#chart", "现在"),
    "/supervision": ("#sup-orders tbody", "无督办单"),
    "/kpi": ("#kpi-table tbody", "合计"),
    "/knowledge": ("#kb-list tbody", HOSTILE_NAMES[0]),  # an article of that title
    "/department": ("#cases tbody", "暂无工单"),
}


@pytest.mark.browser
@browser
def test_pages_work_under_the_csp_without_violations(server, page):  # noqa: F811
    from playwright.sync_api import expect

    with httpx.Client(base_url=server) as http:
        token = http.post("/api/auth/login", json={"username": "super1", "password": PASSWORD})
        article = {"title": HOSTILE_NAMES[0], "body": HOSTILE_NAMES[1]}
        created = http.post("/api/kb", json=article,
                            headers={"Authorization": f"Bearer {token.json()['token']}"})
        assert created.status_code in (200, 201), created.text
    problems = _watch_csp(page)
    for username, paths in PAGES_OF.items():
        page.context.clear_cookies()
        _log_in(page, server, username)
        for path in paths:
            resp = page.goto(server + path)
            assert _csp_problems(resp.headers.get("content-security-policy")) == [], path
            selector, text = PAGE_WORKS[path]
            expect(page.locator(selector)).to_contain_text(text)
            page.wait_for_load_state("networkidle")
            assert page.evaluate("typeof window.__pwned") == "undefined", path
    page.context.clear_cookies()
    for path in PUBLIC_PAGES:
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
    assert problems == []


# ---- 2. request body size limit ----------------------------------------------------------

def _chunks(total: int, size: int = 64 * 1024):
    sent = 0
    while sent < total:
        yield b"a" * min(size, total - sent)
        sent += size


def _assert_refused(resp):
    assert resp.status_code == 413, resp.text[:200]
    assert resp.json()["error"] == "body_too_large"


def test_big_bodies_are_refused_before_anyone_reads_them(server, web_ctx):  # noqa: F811
    with httpx.Client(base_url=server, follow_redirects=False) as http:
        assert http.get("/login").status_code == 200
        fields = _hidden_fields(http.get("/login").text)
        padded = {**fields, "username": "agent1", "password": PASSWORD, "pad": "x" * TWO_MB}
        resp = http.post("/login", data=padded)
        _assert_refused(resp)
        assert "set-cookie" not in resp.headers  # not logged in, although the password was right
        big_json = {"username": "agent1", "password": PASSWORD, "pad": "x" * TWO_MB}
        _assert_refused(http.post("/api/auth/login", json=big_json))
        token = http.post("/api/auth/login", json={"username": "super1", "password": PASSWORD})
        bearer = {"Authorization": f"Bearer {token.json()['token']}"}
        article = {"title": "大文章", "body": "x" * TWO_MB}
        _assert_refused(http.post("/api/kb", json=article, headers=bearer))
        _assert_refused(http.post("/api/kb", headers={**bearer, "Content-Type": "application/json"},
                                  content=_chunks(TWO_MB)))  # chunked: no Content-Length
        _assert_refused(http.post("/login", content=_chunks(TWO_MB),
                                  headers={"Content-Type": "application/x-www-form-urlencoded"}))
        assert http.get("/api/kb?q=大文章", headers=bearer).json()["items"] == []
    with web_ctx.sessions() as db:
        assert db.query(KnowledgeArticle).count() == 0


def test_bodies_under_the_limit_still_work(client):
    small = {"username": "agent1", "password": PASSWORD}
    assert client.post("/api/auth/login", json=small).status_code == 200
    chunked = client.post("/api/auth/login", content=(c for c in [json.dumps(small).encode()]),
                          headers={"Content-Type": "application/json"})
    assert chunked.status_code == 200


def test_the_limit_is_a_setting(web_ctx, telephony):
    from fastapi.testclient import TestClient
    from web.app import create_app

    web_ctx.settings = web_ctx.settings.model_copy(update={"web_max_body_bytes": 2048})
    with TestClient(create_app(web_ctx, telephony=telephony, background=False)) as small:
        body = {"username": "agent1", "password": PASSWORD, "pad": "x" * 4096}
        resp = small.post("/api/auth/login", json=body)
        _assert_refused(resp)
        assert resp.json()["detail"]["max_bytes"] == 2048


# ---- 3. redirects never follow the Host header ------------------------------------------

def _location(resp) -> str:
    assert resp.status_code in (301, 302, 303, 307, 308), (resp.status_code, resp.text[:200])
    location = resp.headers["location"]
    assert EVIL not in location and location.startswith("/") and not location.startswith("//")
    return location


def test_redirects_are_relative_whatever_the_host_header(client):
    evil = {"Host": EVIL, "Accept": "text/html"}
    assert _location(client.get("/", headers=evil, follow_redirects=False)) == "/login"
    assert _location(client.get("/agent/", headers=evil, follow_redirects=False)) == "/agent"
    assert _location(client.get("/citizen/lookup/", headers=evil, follow_redirects=False)) \
        == "/citizen/lookup"
    assert _location(client.get("/citizen", headers=evil, follow_redirects=False)) == "/citizen/"
    logged_in = _form_login(client, "super1", headers=evil)
    assert _location(logged_in) == "/"
    assert _location(client.get("/", headers=evil, follow_redirects=False)) == "/wallboard"
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/wallboard").text).group(1)
    out = client.post("/logout", data={"csrf_token": csrf}, headers={**evil, "X-CSRF-Token": csrf},
                      follow_redirects=False)
    assert _location(out) == "/login"


def test_location_keeps_no_host_of_the_request():
    assert relative_location("http://evil.example/agent?x=1", EVIL) == "/agent?x=1"
    assert relative_location("https://EVIL.example", EVIL) == "/"
    assert relative_location("http://evil.example//other.example/", EVIL) == "/other.example/"
    assert relative_location("http://evil.example.other/x", EVIL) == "http://evil.example.other/x"
    assert relative_location("/login", EVIL) == "/login"


def test_real_server_redirects_stay_relative(server):  # noqa: F811
    evil = {"Host": EVIL, "Accept": "text/html"}
    with httpx.Client(base_url=server, follow_redirects=False, headers=evil) as http:
        assert _location(http.get("/wallboard/")) == "/wallboard"
        assert _location(http.get("/")) == "/login"
