"""A report of a period still running (this year, drafted on 1 December) counts the plan
items due by today, and says so; a period that has not begun is refused in words, on the
page, in the export and in the command (it gave a page of zeros and a draft "2027年以来
（截至2026年12月1日）")."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest

from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.localtime import local_day
from lawlearn.reports.export_tables import plan_rule_text
from lawlearn.reports.export_xlsx import write_xlsx
from lawlearn.reports.participation import build_report
from tests.reports.conftest import NOW, PERIOD

YEAR_2025 = (date(2025, 1, 1), date(2025, 12, 31))
NEXT_JANUARY = datetime(2026, 1, 5, 4)


def test_a_period_not_over_counts_the_items_due_by_today(office, tmp_path):
    so_far = build_report(*PERIOD, now=NOW)  # 1 January to today, 30 June
    whole_year = build_report(*YEAR_2025, now=NOW)
    # The year's streak item is due 30 September: not late on 30 June, so not yet counted
    # (it lowered the rate a report of "this year" sends upward).
    assert whole_year.total.values["items_due"] == so_far.total.values["items_due"]
    assert whole_year.total.values["items_rate"] == so_far.total.values["items_rate"]
    clerk = office.user("clerk").id
    due = {p.user_id: p.values["items_due"] for p in whole_year.people}
    assert due[clerk] == {p.user_id: p.values["items_due"] for p in so_far.people}[clerk]

    over = build_report(*YEAR_2025, now=NEXT_JANUARY)  # the same year, once it has ended
    assert over.total.values["items_due"] > whole_year.total.values["items_due"]
    assert {p.user_id: p.values["items_due"] for p in over.people}[clerk] > due[clerk]

    def rule(report) -> str:
        return plan_rule_text(report.date_to, report.generated_at)

    assert rule(whole_year) == ("应完成事项为统计期间内截至 2025年6月30日 已到期的"
                                "必修计划事项；期间尚未结束，此后到期的暂不计入。")
    assert rule(over) == rule(so_far) == "应完成事项为统计期间内到期的必修计划事项。"
    path = tmp_path / "report.xlsx"
    with path.open("wb") as file:
        write_xlsx(whole_year, file)
    summary = {row[0]: row[1] for row in openpyxl.load_workbook(path)["汇总"].iter_rows(
        values_only=True) if row[0]}
    assert summary["计划事项口径"] == rule(whole_year)


def test_a_period_that_has_not_begun_is_refused(office):
    with pytest.raises(ValidationFailed, match="开始日期晚于今天（2025年6月30日）"):
        build_report(date(2025, 7, 1), *YEAR_2025[1:], now=NOW)
    build_report(date(2025, 6, 30), *YEAR_2025[1:], now=NOW)  # today is within it: fine


def test_the_page_and_the_export_refuse_a_period_not_begun(app, admin_client):
    with app.app_context():
        next_year = local_day(utcnow()).year + 1
    period = f"from={next_year}-01-01&to={next_year}-12-31"
    page = admin_client.get(f"/reports/?{period}")
    assert page.status_code == 400  # as for every period refused
    html = page.get_data(as_text=True)
    assert "开始日期晚于今天" in html and "应完成事项" not in html
    for export_format in ("xlsx", "docx"):
        export = admin_client.get(f"/reports/export?{period}&format={export_format}")
        assert export.status_code == 400 and "开始日期晚于今天" in export.get_data(as_text=True)
    this_year = admin_client.get(
        f"/reports/?from={next_year - 1}-01-01&to={next_year - 1}-12-31")
    assert "开始日期晚于今天" not in this_year.get_data(as_text=True)
    assert "应完成事项为统计期间内" in this_year.get_data(as_text=True)


def test_the_report_offers_this_year_and_last_year_a_tap_each(app, admin_client, office):
    """Typing two dates was the only way to the periods an office reports on."""
    from lxml import html as lxml_html

    with app.app_context():
        today = local_day(utcnow())
    page = lxml_html.fromstring(admin_client.get(
        f"/reports/?from={today.year}-01-01&to={today.isoformat()}&department={office.unit}")
        .get_data(as_text=True))
    links = {a.text_content(): a.get("href")
             for a in page.xpath("//p[@class='quick-periods small']/a")}
    assert links == {
        "今年（截至今天）": f"/reports/?from={today.year}-01-01&to={today.isoformat()}"
                        f"&department={office.unit}",
        f"{today.year - 1}年全年": f"/reports/?from={today.year - 1}-01-01"
                                 f"&to={today.year - 1}-12-31&department={office.unit}"}
    last_year = admin_client.get(links[f"{today.year - 1}年全年"]).get_data(as_text=True)
    assert f"{today.year - 1}年1月1日 至 {today.year - 1}年12月31日" in last_year
