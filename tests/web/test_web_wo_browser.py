"""Real browser (Debian's chromium, headless): a department handler signs for and replies to
an order on /department; screenshots go to test-artifacts/."""

from __future__ import annotations

import os

import pytest

from crm import workflow
from crm.audit import Actor
from crm.cases import NewCase, create_case
from crm.enums import Channel
from crm.models import User
from test_browser import ARTIFACTS, CHROMIUM, _log_in, page, server  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason="Debian's chromium is not installed at /usr/bin/chromium"),
]


def _dispatched(ctx) -> str:
    with ctx.sessions.begin() as db:
        agent = db.query(User).filter_by(username="agent1").one()
        actor = Actor(name=agent.username, user_id=agent.id, role=agent.role)
        case = create_case(db, NewCase(channel=Channel.WEB, request_type="complaint",
                                       category="consumer", site_id="guiyang",
                                       title="电器退货纠纷", content="商场拒绝退货"), actor)
        workflow.dispatch(db, case_id=case.id, actor=actor, department_id="guiyang_market")
        return case.number


def test_department_handler_signs_for_and_replies(server, page, web_ctx):  # noqa: F811
    from playwright.sync_api import expect

    number = _dispatched(web_ctx)
    _log_in(page, server, "dept1")
    expect(page).to_have_url(server + "/department")
    link = page.locator(f'#cases a[data-n="{number}"]')
    expect(link).to_be_visible()
    link.click()
    expect(page.locator("#detail-status")).to_have_text("已派单")
    expect(page.locator("#form-reply")).to_be_hidden()
    page.click("#btn-sign")
    expect(page.locator("#detail-status")).to_have_text("已签收")
    expect(page.locator("#detail-msg")).to_have_text("已签收")
    page.screenshot(path=str(ARTIFACTS / "department-signed.png"), full_page=True)
    page.fill("#reply-text", "已约谈商家，商家同意退货退款。")
    page.click("#btn-reply")
    expect(page.locator("#detail-status")).to_have_text("已回复")
    expect(page.locator('#timeline li[data-action="reply"]')).to_contain_text("已约谈商家")
    expect(page.locator("#btn-sign")).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / "department-replied.png"), full_page=True)


def test_supervisor_sees_kpi_charts_and_the_supervision_page(server, page, web_ctx):  # noqa: F811
    from playwright.sync_api import expect

    number = _dispatched(web_ctx)
    _log_in(page, server, "super1")
    page.goto(server + "/kpi")
    expect(page.locator("svg.kpi-chart")).to_have_count(7)
    expect(page.locator("#kpi-table tbody tr").first).to_contain_text("合计")
    expect(page.locator("#definitions")).to_contain_text("响应率")
    page.screenshot(path=str(ARTIFACTS / "supervisor-kpi.png"), full_page=True)
    page.goto(server + "/supervision")
    page.select_option("#scope", "open")
    page.locator(f'#orders a[data-n="{number}"]').click()
    expect(page.locator("#detail-status")).to_have_text("已派单")
    expect(page.locator('#timeline li[data-action="dispatch"]')).to_be_visible()
    expect(page.locator("#sec-dispatch")).to_be_hidden()
    page.click("#btn-sweep")
    expect(page.locator("#sweep-msg")).to_contain_text("检查完成")
    page.screenshot(path=str(ARTIFACTS / "supervisor-supervision.png"), full_page=True)
