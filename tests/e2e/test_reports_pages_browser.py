"""The report page and 我的学法档案 in a browser: 360 px phones (nothing wider than the screen,
wide tables scrolling in their box with the first column kept), the filters, the export
links; and the report page on a desktop."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_browser import assert_fits_phone, field, log_in
from tests.reports.test_report_pages import office_fixture  # noqa: F401  (the fixture "office")


def people_names(page) -> list[str]:
    return page.locator("section[aria-labelledby=people] tbody th").all_inner_texts()


@pytest.mark.parametrize("who", ["leader", "admin"])
def test_the_report_on_a_phone(live_server, phone, office, who):
    page = phone.new_page()
    log_in(page, live_server, getattr(office, who).username)
    page.goto(f"{live_server}/reports/")
    expect(page.get_by_role("heading", name="学法参学统计报表")).to_be_visible()
    expect(page.locator(".report-headlines .stat")).to_have_count(9)
    assert_fits_phone(page)

    # The people table is wider than the phone: it scrolls in its own box, names in view.
    box = page.locator("section[aria-labelledby=people] .table-scroll")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    name = page.locator("section[aria-labelledby=people] tbody th").first
    before = name.bounding_box()
    box.evaluate("e => { e.scrollLeft = 400; }")
    assert box.evaluate("e => e.scrollLeft") > 0
    after = name.bounding_box()
    assert abs(after["x"] - before["x"]) < 1, "the first column should stay in view"
    assert_fits_phone(page)

    # Filter: one department, a shorter period.
    field(page, "部门（含下属科室）").select_option(label="办公室")
    field(page, "开始日期").fill("2026-03-01")
    field(page, "结束日期").fill("2026-03-31")
    page.get_by_role("button", name="统计").click()
    expect(page).to_have_url(re.compile(rf"department={office.office}"))
    expect(page.locator(".report-scope")).to_contain_text("办公室")
    expect(page.locator(".report-scope")).to_contain_text("2026年3月1日 至 2026年3月31日")
    assert sorted(people_names(page)) == sorted(["主任丁", "文员庚"])
    assert_fits_phone(page)

    # The exports cover what is shown.
    exports = page.locator(".report-exports a")
    expect(exports).to_have_count(3)
    for i, fmt in enumerate(("xlsx", "csv", "docx")):
        href = exports.nth(i).get_attribute("href")
        for part in (f"format={fmt}", "from=2026-03-01", "to=2026-03-31",
                     f"department={office.office}"):
            assert part in href

    # Search among the people keeps the filters.
    page.get_by_placeholder("按姓名或用户名查找").fill("文员")
    page.get_by_role("button", name="查找").click()
    expect(page.locator(".report-scope")).to_contain_text("办公室")
    assert people_names(page) == ["文员庚"]
    screenshot(page, f"reports-report-phone-{who}")


def test_my_record_on_a_phone(live_server, phone, office):
    page = phone.new_page()
    log_in(page, live_server, office.clerk.username)
    page.goto(f"{live_server}/me")
    page.get_by_role("link", name="我的学法档案").click()
    expect(page.get_by_role("heading", name="我的学法档案")).to_be_visible()
    expect(page.locator(".record-card").first).to_contain_text("100.0%")
    expect(page.locator("section[aria-labelledby=record-sessions] li")).to_have_count(2)
    assert_fits_phone(page)

    field(page, "开始日期").fill("2026-03-15")
    field(page, "结束日期").fill("2026-06-30")
    page.get_by_role("button", name="查看").click()
    expect(page).to_have_url(re.compile(r"from=2026-03-15"))
    sessions = page.locator("section[aria-labelledby=record-sessions] li")
    expect(sessions).to_have_count(1)
    expect(sessions.first).to_contain_text("民法典专题学法")
    expect(page.locator("section[aria-labelledby=record-quizzes] li")).to_have_count(0)
    downloads = page.locator(".record-downloads a")
    expect(downloads).to_have_count(2)
    for i, fmt in enumerate(("xlsx", "csv")):
        href = downloads.nth(i).get_attribute("href")
        assert f"format={fmt}" in href and "from=2026-03-15" in href and "to=2026-06-30" in href
    for link in downloads.all():
        box = link.bounding_box()
        assert box["height"] >= 44  # thumb-sized
    assert_fits_phone(page)

    # A bad period: the error under the field, no figures.
    field(page, "开始日期").fill("2026-07-01")
    page.get_by_role("button", name="查看").click()
    expect(page.get_by_text("结束日期不能早于开始日期")).to_be_visible()
    expect(page.locator(".record-card")).to_have_count(0)
    assert_fits_phone(page)
    screenshot(page, "reports-my-record-phone")


def test_the_report_on_a_desktop(live_server, desktop, office):
    page = desktop.new_page()
    log_in(page, live_server, office.admin.username)
    page.goto(f"{live_server}/admin/users")
    page.get_by_role("navigation", name="管理导航").get_by_role("link", name="统计报表").click()
    expect(page.get_by_role("heading", name="学法参学统计报表")).to_be_visible()
    expect(page.get_by_role("navigation", name="管理导航").get_by_role("link", name="统计报表")
           ).to_have_attribute("aria-current", "page")
    field(page, "开始日期").fill("2026-01-01")
    field(page, "结束日期").fill("2026-06-30")
    page.get_by_role("button", name="统计").click()
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1]

    # Grouped headers over the figures; the department table with its total.
    departments = page.locator("section[aria-labelledby=departments] table")
    expect(departments.locator("thead th.group-head")).to_have_count(4)
    expect(departments.locator("tfoot th")).to_have_text("合计")
    expect(page.locator("section[aria-labelledby=people] tbody tr")).to_have_count(9)
    expect(page.locator("section[aria-labelledby=people] tbody")).to_contain_text("已停用")

    # The sections are one click away.
    page.get_by_role("navigation", name="报表各部分").get_by_role("link", name="在线测试").click()
    expect(page).to_have_url(re.compile(r"#quizzes$"))
    expect(page.locator("section[aria-labelledby=quizzes] tbody tr")).to_have_count(1)
    expect(page.locator("section[aria-labelledby=quizzes] tbody")).to_contain_text("63.3%")
    expect(page.locator("section[aria-labelledby=outreach] .stat").first).to_contain_text("2")
    expect(page.locator(".report-exports a")).to_have_count(3)
    screenshot(page, "reports-report-desktop")
