"""The report page and 我的学法档案 in a browser: 360 px phones (nothing wider than the screen,
wide tables scrolling in their box with the first column kept), the filters, the export
buttons (they export what the fields say), paging that lands on the people table clear of
the top bar; and the report page on a desktop."""

from __future__ import annotations

import re

import openpyxl
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
    # Eleven figures: 测试参测率 the seventh, beside 在线测试参测人次
    expect(page.locator(".report-headlines .stat")).to_have_count(11)
    expect(page.locator(".report-headlines .stat").nth(6)).to_contain_text("测试参测率")
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

    # The export buttons sit under the filters, clear of the fields' labels.
    exports = page.locator(".report-exports")
    button = page.get_by_role("button", name="统计").bounding_box()
    label = page.locator(".report-filters label", has_text="开始日期").bounding_box()
    assert exports.bounding_box()["y"] >= button["y"] + button["height"]
    assert exports.bounding_box()["y"] >= label["y"] + label["height"] + 8
    for box in (b.bounding_box() for b in exports.get_by_role("button").all()
                if b.is_visible()):
        assert box["height"] >= 44

    # Search among the people keeps the filters.
    page.get_by_placeholder("按姓名或用户名查找").fill("文员")
    page.get_by_role("button", name="查找").click()
    expect(page.locator(".report-scope")).to_contain_text("办公室")
    assert people_names(page) == ["文员庚"]
    screenshot(page, f"reports-report-phone-{who}")


def test_exports_cover_what_the_fields_say_even_before_statistics(live_server, phone, office,
                                                                    tmp_path):
    page = phone.new_page()
    log_in(page, live_server, office.leader.username)
    page.goto(f"{live_server}/reports/?from=2026-01-01&to=2026-06-30")
    # Change the fields, do not press 统计, export.
    field(page, "部门（含下属科室）").select_option(label="办公室")
    field(page, "开始日期").fill("2026-03-01")
    field(page, "结束日期").fill("2026-03-31")
    with page.expect_download() as info:
        page.get_by_role("button", name="导出 XLSX").click()
    download = info.value
    for part in ("format=xlsx", "from=2026-03-01", "to=2026-03-31",
                 f"department={office.office}"):
        assert part in download.url
    path = tmp_path / "report.xlsx"
    download.save_as(path)
    summary = {row[0]: row[1] for row in openpyxl.load_workbook(path)["汇总"].iter_rows(
        values_only=True) if row[0]}
    assert summary["统计范围"] == "办公室"
    assert summary["统计期间"] == "2026年3月1日 至 2026年3月31日"
    expect(page.locator(".report-scope")).to_contain_text("全单位")  # the page as it was

    # Each table as CSV from the small menu, with the same fields. (Loaded afresh first:
    # the app's double-submit guard holds a form for 5 s after a submission, and a
    # download leaves the page where it was.)
    report = f"{live_server}/reports/?from=2026-01-01&to=2026-06-30"
    page.goto(report)
    field(page, "开始日期").fill("2026-03-01")
    page.get_by_text("导出 CSV").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="部门（CSV）").click()
    assert "table=departments" in info.value.url and "from=2026-03-01" in info.value.url
    assert info.value.suggested_filename.startswith("参学统计_部门_")

    # A bad period: the refusal leads back to the report with the same fields.
    page.goto(report)
    field(page, "结束日期").fill("2025-12-01")
    page.get_by_role("button", name="导出 DOCX（报告稿）").click()
    expect(page.get_by_text("结束日期不能早于开始日期")).to_be_visible()
    page.get_by_role("link", name="返回统计报表").click()
    expect(page.locator('input[name="to"]')).to_have_value("2025-12-01")
    expect(page.locator(".report-filters")).to_contain_text("结束日期不能早于开始日期")
    assert_fits_phone(page)


def test_paging_and_search_land_on_the_people_below_the_top_bar(live_server, phone, office,
                                                                 make_user):
    for n in range(55):
        make_user(f"bulk{n:02d}", name=f"批量{n:02d}", department_id=office.office)
    page = phone.new_page()
    log_in(page, live_server, office.leader.username)
    page.goto(f"{live_server}/reports/?from=2026-01-01&to=2026-06-30")
    pager = page.get_by_role("navigation", name="人员明细分页")
    expect(pager.get_by_role("link", name="第 1 页")).to_have_attribute("aria-current", "page")
    pager.get_by_role("link", name="第 2 页").click()
    expect(page).to_have_url(re.compile(r"page=2#people$"))
    heading = page.get_by_role("heading", name="人员明细")
    expect(heading).to_be_in_viewport()
    top_bar = page.locator(".topbar").bounding_box()
    assert heading.bounding_box()["y"] >= top_bar["y"] + top_bar["height"]
    expect(pager.get_by_role("link", name="第 2 页")).to_have_attribute("aria-current", "page")
    assert page.evaluate("window.scrollY") > 0

    page.get_by_placeholder("按姓名或用户名查找").fill("批量07")
    page.get_by_role("button", name="查找").click()
    expect(page).to_have_url(re.compile(r"#people$"))
    search = page.get_by_placeholder("按姓名或用户名查找").bounding_box()
    top_bar = page.locator(".topbar").bounding_box()
    assert page.get_by_role("heading", name="人员明细").bounding_box()["y"] >= \
        top_bar["y"] + top_bar["height"]
    assert search["y"] >= top_bar["y"] + top_bar["height"]
    assert people_names(page) == ["批量07"]
    assert_fits_phone(page)


def test_a_dept_lead_sees_the_department_as_text(live_server, phone, office):
    page = phone.new_page()
    log_in(page, live_server, office.unit_lead.username)
    page.goto(f"{live_server}/reports/")
    filters = page.locator(".report-filters")
    expect(filters.locator(".field-label")).to_have_text("部门")
    expect(filters.locator(".static")).to_have_text("执法局（含下属科室）")
    rows = page.locator("section[aria-labelledby=departments] tbody th")
    expect(rows).to_have_text(["执法局", "本级", "法制科"])  # 本级: the lead, in no section
    indent = [row.bounding_box()["x"] + float(row.evaluate(
        "e => parseFloat(getComputedStyle(e).paddingLeft)")) for row in rows.all()]
    assert indent[1] > indent[0] and indent[2] == indent[1]  # both sit under their unit
    assert_fits_phone(page)
    screenshot(page, "reports-report-phone-dept-lead")


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
    attendance = page.locator(".record-attendance")
    expect(attendance).to_contain_text("出席 1 · 迟到 0 · 请假 0 · 缺席 0")
    expect(attendance).to_contain_text("应参学 1 场")
    expect(page.get_by_text("全部数据")).to_have_count(0)
    screenshot(page, "reports-my-record-phone-cards")

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
    with page.expect_navigation():  # measured on the new page, not during the navigation
        page.get_by_role("button", name="统计").click()
    assert_fits_phone(page)  # at this desktop width too: no page-level sideways scroll

    # Grouped headers over the figures; the department table with its total.
    departments = page.locator("section[aria-labelledby=departments] table")
    expect(departments.locator("thead th.group-head")).to_have_count(5)  # 答题 the fifth
    expect(departments.locator("tfoot th")).to_have_text("合计")
    expect(page.locator("section[aria-labelledby=people] tbody tr")).to_have_count(9)
    expect(page.locator("section[aria-labelledby=people] tbody")).to_contain_text("已停用")

    # The sections are one click away.
    page.get_by_role("navigation", name="报表各部分").get_by_role("link", name="在线测试").click()
    expect(page).to_have_url(re.compile(r"#quizzes$"))
    expect(page.locator("section[aria-labelledby=quizzes] tbody tr")).to_have_count(1)
    expect(page.locator("section[aria-labelledby=quizzes] tbody")).to_contain_text("63.3%")
    expect(page.locator("section[aria-labelledby=outreach] .stat").first).to_contain_text("2")
    expect(page.locator(".report-exports button")).to_have_count(7)  # XLSX, DOCX and five CSV tables
    # The people table is wider than the page: a line above it says it scrolls sideways.
    people = page.locator("section[aria-labelledby=people]")
    assert people.locator(".table-scroll").evaluate("box => box.scrollWidth > box.clientWidth")
    expect(people.locator(".scroll-hint")).to_have_text("表格较宽：左右滑动可查看更多列 →")
    screenshot(page, "reports-report-desktop")
    # A table that fits has no such line.
    quizzes = page.locator("section[aria-labelledby=quizzes]")
    assert quizzes.locator(".table-scroll").evaluate("box => box.scrollWidth <= box.clientWidth")
    expect(quizzes.locator(".scroll-hint:visible")).to_have_count(0)
