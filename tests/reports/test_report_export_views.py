"""Downloads from the web: who may export which report (admin and leader any department, a
dept_lead only their own, staff and anonymous visitors not at all), the types and names of
the files, Chinese messages and no file for bad input, each person's own record, a
constant number of queries, and nothing changed by a GET."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from urllib.parse import quote

import docx
import openpyxl
import pytest
from sqlalchemy import func, select

from lawlearn.extensions import db
from lawlearn.reports.participation import build_report, my_figures
from lawlearn.reports.sources import visible_columns
from tests.reports.export_dataset import (  # noqa: F401  (fixture)
    NOW,
    YEAR,
    add_session,
    attend,
    dataset_fixture,
)

EXPORT = "/reports/export?from=2025-01-01&to=2025-12-31"
MINE = "/reports/me/export?from=2025-01-01&to=2025-12-31"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def book_of(response) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(response.data))


def csv_of(response) -> list[list[str]]:
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def usernames(app, department_id=None) -> list[str]:
    with app.app_context():
        return [p.username for p in build_report(*YEAR, department_id=department_id,
                                                 now=NOW).people]


# --- who may export what ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "leader"])
def test_admin_and_leader_export_every_format(app, client, login, dataset, who):
    login(getattr(dataset, who))
    response = client.get(EXPORT + "&format=xlsx")
    assert response.status_code == 200
    assert response.content_type == XLSX
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="participation_2025-01-01_2025-12-31.xlsx"')
    assert "filename*=UTF-8''" + quote("参学统计_全部部门_2025-01-01_2025-12-31.xlsx") \
        in disposition
    people = book_of(response)["人员"]
    assert [row[1] for row in people.iter_rows(min_row=3, values_only=True)] == usernames(app)

    response = client.get(EXPORT + "&format=csv&table=sessions")
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert "participation-sessions_2025-01-01_2025-12-31.csv" in \
        response.headers["Content-Disposition"]
    assert [row[2] for row in csv_of(response)[1:]][0] == "宪法集中学法"

    response = client.get(EXPORT + f"&format=docx&department={dataset.office}")
    assert response.status_code == 200
    assert response.content_type == DOCX
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(response.data)).paragraphs)
    assert "办公室全年参加集中学法 2 次" in text  # a department takes part; the office organises


def test_csv_defaults_to_the_people(app, client, login, dataset):
    login(dataset.admin)
    rows = csv_of(client.get(EXPORT + "&format=csv"))
    assert rows[0][:4] == ["姓名", "用户名", "部门", "状态"]
    assert [row[1] for row in rows[1:]] == usernames(app)


def test_dept_lead_exports_their_own_department_only(app, client, login, dataset):
    login(dataset.unit_lead)
    own = usernames(app, dataset.unit)
    for url in (EXPORT + "&format=xlsx", EXPORT + f"&format=xlsx&department={dataset.unit}"):
        response = client.get(url)
        assert response.status_code == 200
        book = book_of(response)
        assert [row[1] for row in book["人员"].iter_rows(min_row=3, values_only=True)] == own
        summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True)}
        assert summary["统计范围"] == "执法局（含下属科室）"
    assert set(own) == {"clerk", "officer", "unitlead", "retired"}
    for other in (dataset.office, dataset.section):
        assert client.get(EXPORT + f"&format=csv&department={other}").status_code == 403


@pytest.mark.parametrize("url", [EXPORT + "&format=xlsx", EXPORT + "&format=csv",
                                 EXPORT + "&format=docx", "/reports/export"])
def test_staff_may_not_export_reports(client, login, dataset, url):
    login(dataset.clerk)
    response = client.get(url)
    assert response.status_code == 403
    assert "Content-Disposition" not in response.headers


def test_anonymous_visitors_are_sent_to_log_in(client, dataset):
    for url in (EXPORT + "&format=xlsx", MINE):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


# --- bad input: a message, no file ------------------------------------------------------------


@pytest.mark.parametrize(("query", "message"), [
    ("?from=2025-02-30&to=2025-12-31", "开始日期“2025-02-30”无效：应为 1900—2999 年间的日期"),
    ("?from=2025-01-01&to=明天", "结束日期“明天”无效"),
    ("?from=0001-01-01", "开始日期“0001-01-01”无效：应为 1900—2999 年间的日期"),
    ("?from=2025-12-31&to=2025-01-01", "结束日期不能早于开始日期"),
    ("?from=2025-01-01&to=2025-12-31&format=pdf", "不支持的导出格式“pdf”"),
    ("?from=2025-01-01&to=2025-12-31&format=csv&table=points", "不支持的表格“points”"),
    ("?from=2025-01-01&to=2025-12-31&department=abc", "部门参数“abc”不正确"),
    ("?from=2025-01-01&to=2025-12-31&department=9999", "部门不存在"),
])
def test_bad_input_answers_400_with_a_message(client, login, dataset, query, message):
    login(dataset.admin)
    response = client.get("/reports/export" + query)
    assert response.status_code == 400
    assert "Content-Disposition" not in response.headers
    assert response.content_type.startswith("text/html")
    assert message in response.get_data(as_text=True)


def test_the_refusal_leads_back_to_the_report_with_the_same_filters(client, login, dataset):
    from lxml import html

    login(dataset.admin)
    response = client.get(f"/reports/export?from=2025-12-31&to=2025-01-01"
                          f"&department={dataset.office}&format=pdf")
    assert response.status_code == 400
    page = html.fromstring(response.get_data(as_text=True))
    problems = page.xpath('//ul[@class="export-problems"]/li/text()')
    assert problems == ["不支持的导出格式“pdf”，可选：xlsx、csv、docx。"]
    tables = html.fromstring(client.get("/reports/export?format=csv&table=foo").get_data(
        as_text=True)).xpath('//ul[@class="export-problems"]/li/text()')
    assert tables == ["不支持的表格“foo”，可选：people（人员）、departments（部门）、"
                      "sessions（集中学法）、quizzes（在线测试）、outreach（普法活动）。"]
    back = page.xpath('//a[text()="返回统计报表"]/@href')
    assert back == [f"/reports/?from=2025-12-31&to=2025-01-01&department={dataset.office}"]
    # There the fields say what is wrong with the period.
    report = client.get(back[0])
    assert report.status_code == 400
    assert "结束日期不能早于开始日期" in report.get_data(as_text=True)

    login_page = client.get("/reports/me/export?from=2025-12-31&to=2025-01-01&format=csv")
    page = html.fromstring(login_page.get_data(as_text=True))
    assert page.xpath('//a[text()="返回我的学法档案"]/@href') == [
        "/reports/me?from=2025-12-31&to=2025-01-01"]


def test_a_table_alone_means_its_csv(client, login, dataset):
    """What the report page's per-table CSV buttons send: the filters and the table."""
    login(dataset.admin)
    for table, first in (("departments", "部门"), ("sessions", "序号"), ("quizzes", "序号"),
                         ("outreach", "活动名称")):
        response = client.get(EXPORT + f"&table={table}")
        assert response.status_code == 200 and response.content_type.startswith("text/csv")
        assert f"participation-{table}_" in response.headers["Content-Disposition"]
        assert csv_of(response)[0][0] == first
    assert client.get(EXPORT + "&table=departments&format=xlsx").content_type == XLSX


def test_every_bad_value_is_named(client, login, dataset):
    login(dataset.admin)
    response = client.get("/reports/export?from=x&to=y&format=pdf")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    for message in ("开始日期“x”", "结束日期“y”", "不支持的导出格式“pdf”"):
        assert message in text


# --- my own record ------------------------------------------------------------------------------


def test_my_record_as_xlsx(app, client, login, dataset):
    login(dataset.clerk)
    response = client.get(MINE + "&user=" + str(dataset.admin.id))  # ``user`` is ignored
    assert response.status_code == 200
    assert response.content_type == XLSX
    disposition = response.headers["Content-Disposition"]
    assert 'filename="my-record_2025-01-01_2025-12-31.xlsx"' in disposition
    assert quote("我的学法档案_科员戊_2025-01-01_2025-12-31.xlsx") in disposition
    book = book_of(response)
    assert book.sheetnames == ["汇总", "集中学法", "在线测试"]
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True) if row[0]}
    assert summary["姓名"] == "科员戊" and summary["部门"] == "执法局/法制科"
    with app.app_context():
        from lawlearn.accounts.models import User

        figures = my_figures(db.session.get(User, dataset.clerk.id), *YEAR, now=NOW)
        columns = visible_columns()
    for column in columns:
        value = summary[f"{column.group}·{column.label}"]
        expected = figures.get(column.key)
        if column.kind == "score" and expected is not None:
            expected /= 100  # a 0.0% cell, as rates are
        assert value == pytest.approx(expected) if expected is not None else value is None
    sessions = list(book["集中学法"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[3]) for row in sessions] == [(datetime(2025, 2, 10, 9, 0), "出席"),
                                                      (datetime(2025, 2, 20, 9, 0), "出席")]
    attempts = list(book["在线测试"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[4], row[6], row[7]) for row in attempts] == [
        ("宪法小测", 9, 0.9, "通过"), ("年度考试", 10, 1, "通过")]
    assert book["在线测试"].cell(2, 7).number_format == "0.0%"  # 得分率 as on the page
    assert book["在线测试"].freeze_panes == "B2"


def test_my_record_as_csv(client, login, dataset):
    login(dataset.officer)
    rows = csv_of(client.get(MINE + "&format=csv"))
    values = {row[0]: row[1] for row in rows[1:]}
    assert values["姓名"] == "干部己"
    assert values["集中学法·参学率"] == "50.0%"  # late (counted) once, absent once
    sessions = csv_of(client.get(MINE + "&format=csv&table=sessions"))
    assert [row[3] for row in sessions[1:]] == ["迟到", "缺席"]
    quizzes = csv_of(client.get(MINE + "&format=csv&table=quizzes"))
    assert quizzes[1][0] == "宪法小测" and quizzes[1][6:8] == ["50.0%", "未通过"]
    response = client.get(MINE + "&format=docx")
    assert response.status_code == 400 and "不支持的导出格式" in response.get_data(as_text=True)


def test_my_record_bad_dates(client, login, dataset):
    login(dataset.clerk)
    response = client.get("/reports/me/export?from=2025-12-31&to=2025-01-01")
    assert response.status_code == 400
    assert "结束日期不能早于开始日期" in response.get_data(as_text=True)


# --- queries and state ----------------------------------------------------------------------------


def _add_people(app, make_user, department_id: int, n: int, start: int) -> None:
    people = [make_user(f"extra{start + i:03d}", department_id=department_id) for i in range(n)]
    with app.app_context():
        for index, person in enumerate(people):
            session = add_session(f"加场学法{start + index}", datetime(2025, 4, 1, 1, 0)
                               + timedelta(days=start + index))
            attend(session, [(person, "present")])
        db.session.commit()


def test_export_runs_a_constant_number_of_queries(app, client, login, dataset, make_user,
                                                  count_queries):
    login(dataset.admin)
    counts = []
    for batch in range(2):
        _add_people(app, make_user, dataset.section if batch else dataset.office, 6 * batch + 3,
                    batch * 100)
        for url in (EXPORT + "&format=xlsx", EXPORT + "&format=docx",
                    MINE.replace("2025-12-31", "2025-12-30")):
            counts.append(count_queries(lambda url=url: client.get(url)))
    assert counts[:3] == counts[3:], counts


def _row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table))
                for table in db.metadata.sorted_tables}


def test_exports_change_nothing(app, client, login, dataset):
    before = _row_counts(app)
    login(dataset.admin)
    after_login = _row_counts(app)
    for url in (EXPORT + "&format=xlsx", EXPORT + "&format=csv", EXPORT + "&format=docx",
                MINE, MINE + "&format=csv"):
        assert client.get(url).status_code == 200
    assert _row_counts(app) == after_login
    assert set(before) == set(after_login)
