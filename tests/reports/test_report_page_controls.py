"""The report page's controls: the export buttons (part of the filter form, so a file covers
what the fields say), the people pager (numbers, landing on #people), a dept_lead's fixed
department, department names as the tables give them, and the report's words."""

from __future__ import annotations

import pytest

from tests.reports.test_report_pages import (
    as_page,
    client_for,
    office_fixture,  # noqa: F401  (the fixture "office")
    report_url,
    table_rows,
)


@pytest.mark.parametrize(("pages", "page", "numbers"), [
    (1, 1, [1]), (5, 3, [1, 2, 3, 4, 5]), (40, 1, [1, 2, 3, None, 40]),
    (40, 20, [1, None, 18, 19, 20, 21, 22, None, 40]), (40, 5, [1, 2, 3, 4, 5, 6, 7, None, 40]),
    (40, 39, [1, None, 37, 38, 39, 40]),
])
def test_the_pager_offers_the_first_last_and_nearby_pages(pages, page, numbers):
    from lawlearn.reports.views import page_numbers

    assert page_numbers(page, pages) == numbers


def test_export_buttons_submit_the_filter_form_to_the_export(client, login, office):
    """The buttons belong to the filter form: what the fields say when one is pressed is
    what the file covers, even if 统计 was not pressed after changing them."""
    login(office.leader)
    page = as_page(client.get(report_url(department=office.unit)))
    form = page.xpath('//form[contains(@class, "report-filters")]')[0]
    buttons = form.xpath('.//div[contains(@class, "report-exports")]//button')
    assert [(b.get("name"), b.get("value")) for b in buttons] == [
        ("format", "xlsx"), ("format", "docx"), ("table", "people"), ("table", "departments"),
        ("table", "sessions"), ("table", "quizzes"), ("table", "outreach")]
    assert {b.get("formaction") for b in buttons} == {"/reports/export"}
    assert form.get("method") == "get"
    # 统计 comes first: pressing Enter in a field shows the page rather than a download.
    assert form.xpath('.//button[@type="submit"]')[0].text == "统计"
    assert form.xpath('.//select[@name="department"]/option[@selected]/@value') == \
        [str(office.unit)]
    assert not page.xpath('//a[contains(@href, "/reports/export")]')
    # The values a browser would send with the 部门 CSV button: that table of that scope.
    response = client.get(f"/reports/export?from=2026-03-01&to=2026-03-31"
                          f"&department={office.office}&table=departments")
    assert response.status_code == 200 and response.content_type.startswith("text/csv")
    assert "participation-departments-dept" in response.headers["Content-Disposition"]


def test_a_dept_lead_reads_their_department_as_text(app, client, login, office):
    login(office.unit_lead)
    page = as_page(client.get(report_url()))
    form = page.xpath('//form[contains(@class, "report-filters")]')[0]
    assert form.xpath('string(.//span[@class="field-label"])') == "部门"
    assert form.xpath('string(.//p[@class="static"])') == "执法局（含下属科室）"
    other = client_for(app, office.office_lead)  # 办公室 has no sections
    form = as_page(other.get(report_url())).xpath('//form[contains(@class, "report-filters")]')[0]
    assert form.xpath('string(.//p[@class="static"])') == "办公室"
    assert "含下属科室" not in form.text_content()


def test_the_department_select_names_sections_as_the_tables_do(client, login, office):
    login(office.admin)
    page = as_page(client.get(report_url()))
    options = page.xpath('//select[@name="department"]/option/text()')
    assert options == ["全单位（全部部门）", "办公室", "执法局", "执法局/法制科"]
    assert "执法局/法制科" in {row[2] for row in table_rows(page, "people")}


def test_the_page_uses_the_report_words(client, login, office):
    login(office.admin)
    text = as_page(client.get(report_url())).text_content()
    for word in ("参学率", "在线测试", "覆盖群众（人次）", "应参学", "签到结束后计入统计"):
        assert word in text
    for word in ("出勤率", "平均参学率", "线上测试", "合格", "受众", "应到", "应计场次"):
        assert word not in text, word
