"""The participation report's exports opened back: the XLSX with openpyxl (sheet order,
frozen headings, numbers as numbers, percentage cells, every figure equal to the report's),
the CSV (BOM, parsed back), the DOCX with python-docx (the draft section's sentences with
the right figures, the tables, A4 and Chinese fonts). A column added to the sources shows
up in every export.

The data set is tests/reports/export_dataset.py; the hand-built ``office`` of
tests/reports/conftest.py checks the same against a richer half year."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from sqlalchemy import select

from lawlearn.extensions import db
from lawlearn.reports import participation, sources
from lawlearn.reports.columns import Column
from lawlearn.reports.export_csv import iter_csv
from lawlearn.reports.export_docx import write_docx
from lawlearn.reports.export_tables import export_fallback, export_name, headline
from lawlearn.reports.export_xlsx import write_xlsx
from lawlearn.reports.participation import build_report
from lawlearn.rounding import percent_text
from tests.reports.export_dataset import (  # noqa: F401  (fixture)
    INJECTION,
    NOW,
    YEAR,
    dataset_fixture,
    report_for,
)

# The dataset is built as of March 2025; its 2025 reports are drafted once the year is over.
YEAR_OVER = datetime(2026, 1, 5, 2, 0)
SHEETS = ["汇总", "人员", "部门", "集中学法", "在线测试", "普法活动"]


def xlsx_of(report) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    write_xlsx(report, buffer)
    buffer.seek(0)
    return openpyxl.load_workbook(buffer)


def docx_of(report):
    buffer = io.BytesIO()
    write_docx(report, buffer)
    buffer.seek(0)
    return docx.Document(buffer)


def csv_rows(report, table: str = "people") -> tuple[bytes, list[list[str]]]:
    data = b"".join(iter_csv(report, table))
    return data, list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def sheet_rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def close(a, b) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) < 1e-9


def in_cell(value, kind: str):
    """What the XLSX holds for a report value: a score (percent 0..100) as the fraction
    its 0.0% cell shows, as a rate is."""
    return value / 100 if kind == "score" and value is not None else value


# --- XLSX ------------------------------------------------------------------------------------


def test_xlsx_sheets_in_order_with_frozen_headings(ctx, dataset):
    book = xlsx_of(report_for())
    assert book.sheetnames == SHEETS
    assert book["人员"].freeze_panes == "C3"
    assert book["部门"].freeze_panes == "B3"
    assert book["集中学法"].freeze_panes == "D2"
    assert book["在线测试"].freeze_panes == "C2"
    assert book["普法活动"].freeze_panes == "B1"


def check_people_sheet(report, sheet) -> list[tuple]:
    """Every person's row equals their figures in the report, in the report's order."""
    rows = sheet_rows(sheet)
    columns = report.visible_columns
    assert list(rows[1]) == ["姓名", "用户名", "部门", "状态", *[str(c.label) for c in columns]]
    assert len(rows) == 2 + len(report.people)
    for person, row in zip(report.people, rows[2:], strict=True):
        assert row[:3] == (person.name, person.username, person.department)
        assert row[3] == ("在用" if person.active else "已停用")
        for column, value in zip(columns, row[4:], strict=True):
            assert close(value, in_cell(person.values.get(column.key), column.kind)), \
                (person.name, column.key)
    return rows


def check_department_sheet(report, sheet) -> list[tuple]:
    """Every department's row, then the total, equal the report's, per-capita included."""
    rows = sheet_rows(sheet)
    headers = list(rows[1])
    assert headers[:2] == ["部门", "人数"]
    assert len(rows) == 2 + len(report.departments) + 1
    for department, row in zip([*report.departments, report.total], rows[2:], strict=True):
        assert row[0] == department.name and row[1] == department.people
        for column in report.visible_columns:
            assert close(row[headers.index(str(column.label))],
                         in_cell(department.values.get(column.key), column.kind)), \
                (department.name, column.key)
            if column.per_capita:
                assert close(row[headers.index(f"人均{column.label}")],
                             department.per_capita(column.key))
    return rows


def test_xlsx_people_sheet_matches_the_report(ctx, dataset):
    report = report_for()
    sheet = xlsx_of(report)["人员"]
    rows = check_people_sheet(report, sheet)
    columns = report.visible_columns
    # The group row names each column's group above it (merged over the group).
    assert rows[0][4] == str(columns[0].group)
    width = sum(1 for c in columns if c.group == columns[0].group)
    last = openpyxl.utils.get_column_letter(4 + width)
    assert f"E1:{last}1" in {str(r) for r in sheet.merged_cells.ranges}
    retired = next(row for row in rows[2:] if row[1] == "retired")
    assert retired[3] == "已停用"
    # Number formats: rates and score rates as percentages (as the page shows them), hours
    # with one decimal, counts whole.
    formats = {str(c.label): sheet.cell(3, 5 + i).number_format for i, c in enumerate(columns)}
    kinds = {str(c.label): c.kind for c in columns}
    for label, number_format in formats.items():
        assert number_format == {"rate": "0.0%", "hours": "0.0", "score": "0.0%",
                                 "count": "#,##0"}[kinds[label]], label
    rate_cell = sheet.cell(3, 5 + [c.key for c in columns].index("attendance_rate"))
    assert rate_cell.data_type == "n" and rate_cell.number_format == "0.0%"
    clerk = next(row for row in rows[2:] if row[1] == "clerk")
    assert clerk[4 + [c.key for c in columns].index("best_score")] == pytest.approx(1.0)


def test_xlsx_department_sheet_with_per_capita_and_total(ctx, dataset):
    report = report_for()
    sheet = xlsx_of(report)["部门"]
    rows = check_department_sheet(report, sheet)
    headers = list(rows[1])
    for column in report.visible_columns:
        if column.per_capita:  # right after the figure it divides
            assert headers.index(f"人均{column.label}") == headers.index(str(column.label)) + 1
    assert rows[-1][0] == "合计"
    assert sheet.cell(len(rows), 1).font.b  # the total row stands out
    names = [row[0] for row in rows[2:-1]]
    assert "执法局" in names and "执法局/法制科" in names and "办公室" in names


def test_the_hand_built_half_year_exports_its_figures(office):
    """Sections, a person who moved, deactivated people, plans and hours: the exports show
    the report's figures for the whole office and for one unit."""
    from tests.reports.conftest import NOW as HALF_YEAR_NOW
    from tests.reports.conftest import PERIOD

    for department_id in (None, office.unit):
        report = build_report(*PERIOD, department_id=department_id, now=HALF_YEAR_NOW)
        book = xlsx_of(report)
        check_people_sheet(report, book["人员"])
        check_department_sheet(report, book["部门"])
        assert [row[2] for row in sheet_rows(book["集中学法"])[1:]] == \
            [s.title for s in report.sessions]
        _data, rows = csv_rows(report)
        assert [row[1] for row in rows[1:]] == [p.username for p in report.people]
        text = "\n".join(paragraphs(docx_of(report)))
        figures = headline(report)
        # The office organised its sessions and quizzes; a department's people took part.
        organised, took = ("组织", "开展") if department_id is None else ("参加", "参加")
        if figures.sessions_held:
            assert f"{organised}集中学法 {figures.sessions_held} 次" in text
        if figures.quizzes_held:
            assert figures.quiz_expected  # the quizzes are for everyone
            assert f"{took}在线测试 {figures.quizzes_held} 场，参测 {figures.quiz_takers} 人次" \
                in text
            assert f"应参测 {figures.quiz_expected} 人次，已参测 " in text


def test_xlsx_sessions_quizzes_and_outreach(ctx, dataset):
    report = report_for()
    book = xlsx_of(report)
    sessions = sheet_rows(book["集中学法"])
    assert sessions[0] == ("序号", "时间", "名称", "类型", "应参学", "出席", "迟到", "请假",
                           "缺席", "参学率")
    assert [row[2] for row in sessions[1:]] == [s.title for s in report.sessions]
    for session, row in zip(report.sessions, sessions[1:], strict=True):
        assert row[4:9] == (session.expected, session.present, session.late, session.excused,
                            session.absent)
        assert close(row[9], session.rate)
    # Local time (Shanghai), not UTC.
    assert sessions[1][1] == datetime(2025, 2, 10, 9, 0)
    assert book["集中学法"].cell(2, 10).number_format == "0.0%"

    quizzes = sheet_rows(book["在线测试"])
    assert [row[1] for row in quizzes[1:]] == ["宪法小测", "年度考试"]
    assert quizzes[0][3:9] == ("应参加人数", "其中已参加", "参加率", "参加人数", "通过人数",
                               "通过率")
    expected = report.quizzes[0].expected
    assert expected and expected == report.quizzes[1].expected  # both for everyone
    assert quizzes[1][2:9] == ("测验", expected, 3, pytest.approx(3 / expected), 3, 2,
                               pytest.approx(2 / 3))
    assert quizzes[2][2:9] == ("考试", expected, 1, pytest.approx(1 / expected), 1, 1, 1)
    for column in (6, 9, 11):
        assert book["在线测试"].cell(2, column).number_format == "0.0%"
    assert quizzes[1][10] == pytest.approx(report.quizzes[0].average_score / 100)

    outreach = sheet_rows(book["普法活动"])
    assert outreach[0][0] == "按类别统计"
    by_category = {row[0]: row for row in outreach[2:10]}
    assert by_category["进社区"][1:5] == (1, 300, 20, 320)
    assert by_category["进学校"][1:5] == (1, 150, 0, 150)
    total = next(row for row in outreach if row[0] == "合计")
    assert total[1:] [:9] == (2, 450, 20, 470, 0, 45, 0, 2, 500)
    heading = [row[0] for row in outreach].index("活动明细")
    assert outreach[heading + 1][:3] == ("活动名称", "日期", "类别")
    events = outreach[heading + 2:]
    assert [row[0] for row in events] == ["宪法进社区", "宪法进校园", "合计（2 场）"]
    # The events add up to the totals above them.
    assert events[-1][6:14] == total[2:10] == (450, 20, 470, 0, 45, 0, 2, 500)


def test_xlsx_text_is_never_a_formula(ctx, dataset):
    sheet = xlsx_of(report_for())["集中学法"]
    cell = next(row[2] for row in sheet.iter_rows(min_row=2) if row[2].value == INJECTION)
    assert cell.data_type == "s"
    assert cell.quotePrefix  # Excel keeps it text even when the cell is edited


def test_xlsx_summary_has_scope_rule_and_headline(ctx, dataset):
    report = report_for(dataset.unit)
    rows = sheet_rows(xlsx_of(report)["汇总"])
    values = {row[0]: row[1] for row in rows if row[0]}
    assert values["统计范围"] == "执法局（含下属科室）"
    assert values["统计期间"] == "2025年1月1日 至 2025年12月31日"
    assert "迟到计为参学" in values["参学率口径"]
    figures = headline(report)
    assert values["集中学法场次"] == figures.sessions_held == 2
    assert values["参学人次"] == report.total.values["sessions_attended"]
    assert close(values["参学率"], report.total.values["attendance_rate"])
    # The unit's people: the clerk and the officer took the practice quiz, the clerk passed
    # it and the exam.
    assert (values["在线测试场次"], values["参测人次"], values["通过人次"]) == (2, 3, 2)
    assert close(values["通过率"], 2 / 3)
    assert close(values["平均得分率"], report.total.values["average_score"] / 100)
    assert values["普法活动·活动场次"] == 1 and values["普法活动·覆盖群众（人次）"] == 320
    totals = {row[0]: row[1:] for row in rows[rows.index(("各项合计", "合计", "人均")) + 1:]}
    for column in report.visible_columns:
        total, per_capita = totals[f"{column.group}·{column.label}"]
        assert close(total, in_cell(report.total.values.get(column.key), column.kind))
        assert close(per_capita, report.total.per_capita(column.key) if column.per_capita
                     else None)


def test_xlsx_of_an_empty_period_is_still_a_workbook(ctx, dataset):
    report = report_for(period=(date(2024, 1, 1), date(2024, 1, 31)))
    book = xlsx_of(report)
    assert book.sheetnames == SHEETS
    assert sheet_rows(book["集中学法"]) == [("序号", "时间", "名称", "类型", "应参学", "出席",
                                             "迟到", "请假", "缺席", "参学率")]


# --- CSV -------------------------------------------------------------------------------------


def test_csv_people_with_bom_and_percentages(ctx, dataset):
    report = report_for()
    data, rows = csv_rows(report)
    assert data.startswith(b"\xef\xbb\xbf")
    columns = report.visible_columns
    assert rows[0] == ["姓名", "用户名", "部门", "状态", *[str(c.label) for c in columns]]
    assert len(rows) == 1 + len(report.people)
    rate = 4 + [c.key for c in columns].index("attendance_rate")
    for person, row in zip(report.people, rows[1:], strict=True):
        assert row[1] == person.username
        value = person.values["attendance_rate"]
        assert row[rate] == ("" if value is None else f"{value * 100:.1f}%")
    clerk = next(row for row in rows if row[1] == "clerk")
    assert clerk[rate] == "100.0%"
    best = 4 + [c.key for c in columns].index("best_score")
    assert clerk[best] == "100.0%"  # a score rate, as the page shows it
    assert next(row for row in rows if row[1] == "retired")[3] == "已停用"


@pytest.mark.parametrize("table", ["departments", "sessions", "quizzes"])
def test_csv_other_tables(ctx, dataset, table):
    report = report_for()
    data, rows = csv_rows(report, table)
    assert data.startswith(b"\xef\xbb\xbf")
    if table == "departments":
        assert rows[0][:2] == ["部门", "人数"] and rows[-1][0] == "合计"
        assert len(rows) == 1 + len(report.departments) + 1
    elif table == "sessions":
        assert [row[2] for row in rows[1:]] == ["宪法集中学法", "'" + INJECTION]  # no formula
        assert rows[1][1] == "2025-02-10 09:00"
    else:
        assert rows[0][3:9] == ["应参加人数", "其中已参加", "参加率", "参加人数", "通过人数",
                                "通过率"]
        expected = report.quizzes[0].expected
        assert rows[1][1:11] == ["宪法小测", "测验", str(expected), "3",
                                 percent_text(3 / expected), "3", "2", "66.7%", "3", "73.3%"]


def test_csv_outreach_lists_the_events_behind_the_figures(ctx, dataset):
    """普法活动: one row per event the report counts, then 合计 — the figures of the
    report's outreach section and of the XLSX, so the office can show where they come
    from."""
    report = report_for()
    data, rows = csv_rows(report, "outreach")
    assert data.startswith(b"\xef\xbb\xbf")
    assert rows[0] == ["活动名称", "日期", "类别", "主题宣传", "组织单位", "地点", "参与人次",
                       "有奖问答完成人次", "覆盖群众（人次）", "志愿者（人次）", "解答咨询（人次）",
                       "线上浏览量", "发放资料种类", "发放资料份数", "状态"]
    assert [row[0] for row in rows[1:]] == ["宪法进社区", "宪法进校园", "合计（2 场）"]
    community = rows[1]
    assert community[2] == "进社区" and community[4] == "执法局/法制科"
    assert community[6:-1] == ["300", "20", "320", "0", "45", "0", "2", "500"]
    # Which events still await review (the page counts them): picked out by their 状态.
    assert {row[-1] for row in rows[1:-1]} <= {"已审核", "已提交"} and rows[-1][-1] == ""
    totals = report.outreach.totals
    assert rows[-1][6:-1] == [str(v) for v in (totals.participants, totals.quiz_completions,
                                               totals.reach, totals.volunteers,
                                               totals.consultations, totals.online_views,
                                               totals.material_kinds, totals.material_copies)]
    assert rows[-1][6:-1] == ["450", "20", "470", "0", "45", "0", "2", "500"]
    # A section's report: only the events its departments organised.
    section = report_for(dataset.section)
    assert [row[0] for row in csv_rows(section, "outreach")[1][1:]] == ["宪法进社区",
                                                                       "合计（1 场）"]


def test_csv_of_a_large_report_comes_in_chunks(ctx, dataset, monkeypatch):
    from lawlearn.reports import export_csv

    monkeypatch.setattr(export_csv, "ROWS_PER_CHUNK", 2)
    report = report_for()
    chunks = list(iter_csv(report))
    assert len(chunks) > 2
    assert b"".join(chunks) == csv_rows(report)[0]


# --- DOCX ------------------------------------------------------------------------------------


def paragraphs(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def test_docx_sentences_carry_the_figures(ctx, dataset):
    report = report_for()
    report.generated_at = YEAR_OVER  # the year is over: "全年"
    document = docx_of(report)
    text = "\n".join(paragraphs(document))
    figures = headline(report)
    rate = f"{report.total.values['attendance_rate'] * 100:.1f}%"
    # 应参测: the two quizzes are for everyone; 参测率: of those, the papers' people.
    assert figures.quiz_expected == 2 * report.quizzes[0].expected
    take_rate = percent_text(4 / figures.quiz_expected)
    assert (f"全年组织集中学法 2 次，参学 {figures.attendances} 人次，参学率 {rate}；"
            f"开展在线测试 2 场，参测 4 人次，通过率 75.0%；应参测 {figures.quiz_expected} 人次，"
            f"已参测 4 人次，参测率 {take_rate}") in text
    # The dataset's two events are submitted, not yet verified: the draft says so.
    assert ("全年开展普法宣传活动 2 场（其中 2 场尚待审核），覆盖群众 470 人次，"
            "发放宣传资料 2 种 500 份，解答群众咨询 45 人次。") in text
    assert "其中，进社区 1 场、进学校 1 场。" in text
    assert paragraphs(document)[0] == "2025年度学法用法和普法宣传工作情况"
    for heading in ("一、学法用法情况", "二、普法宣传情况", "三、数据附表"):
        assert heading in paragraphs(document)


def test_docx_says_how_many_events_await_review(ctx, dataset):
    """The report counts submitted and verified events alike; the draft sent upward said
    nothing of those not yet checked."""
    from lawlearn.outreach.models import OutreachEvent

    school = db.session.scalar(select(OutreachEvent).filter_by(title="宪法进校园"))
    school.status, school.verified_at = "verified", YEAR_OVER
    db.session.flush()
    report = report_for()
    report.generated_at = YEAR_OVER
    assert report.outreach.awaiting_review == 1
    text = "\n".join(paragraphs(docx_of(report)))
    assert "全年开展普法宣传活动 2 场（其中 1 场尚待审核），覆盖群众 470 人次" in text
    for event in db.session.scalars(select(OutreachEvent)):
        event.status, event.verified_at = "verified", YEAR_OVER
    db.session.flush()
    report = report_for()
    report.generated_at = YEAR_OVER
    assert report.outreach.awaiting_review == 0
    assert "全年开展普法宣传活动 2 场，覆盖群众 470 人次" in "\n".join(paragraphs(docx_of(report)))


def test_a_year_drafted_before_it_ends_is_not_called_the_whole_year(ctx, dataset):
    report = report_for()
    report.generated_at = datetime(2025, 11, 30, 4, 0)  # December's draft, made in November
    text = "\n".join(paragraphs(docx_of(report)))
    assert "2025年以来（截至2025年11月30日），组织集中学法 2 次" in text
    assert "2025年以来（截至2025年11月30日），开展普法宣传活动 2 场" in text
    assert "全年" not in text


def test_the_year_so_far_is_drafted_as_the_year_to_date(ctx, dataset):
    """The report page's one-tap 今年（截至今天） (1 January to today) gave a draft without
    its year in the title ("学法用法和普法宣传工作情况") and "2025年1月1日至…" in every
    sentence; only typing 31 December gave the form an office sends upward."""
    from lawlearn.reports.participation import build_report

    generated = datetime(2025, 11, 30, 4, 0)
    report = build_report(date(2025, 1, 1), date(2025, 11, 30), now=generated)
    document = docx_of(report)
    assert paragraphs(document)[0] == "2025年度学法用法和普法宣传工作情况"
    text = "\n".join(paragraphs(document))
    assert "2025年以来（截至2025年11月30日），组织集中学法 2 次" in text
    assert "2025年1月1日至2025年11月30日，" not in text and "全年" not in text  # the openings
    # Another period keeps its dates.
    spring = docx_of(build_report(date(2025, 1, 1), date(2025, 6, 30), now=generated))
    assert paragraphs(spring)[0] == "学法用法和普法宣传工作情况"
    # Two years to today are no one year's (titled 2024年度 for 23 months, in review).
    both = docx_of(build_report(date(2024, 1, 1), date(2025, 11, 30), now=generated))
    assert paragraphs(both)[0] == "学法用法和普法宣传工作情况"
    assert "2025年1月1日至2025年6月30日，" in "\n".join(paragraphs(spring))


def test_docx_names_the_kinds_of_the_sessions_it_counts(ctx, dataset):
    report = report_for()
    report.generated_at = YEAR_OVER
    assert len(report.sessions) == 2
    text = "\n".join(paragraphs(docx_of(report)))
    assert "其中，" not in text.split("二、普法宣传情况")[0]  # one kind: nothing to add
    report.sessions[1].kind = "会前学法"
    text = "\n".join(paragraphs(docx_of(report)))
    assert "全年组织集中学法 2 次" in text and "其中，会前学法 1 次、集中学法 1 次。" in text


def test_docx_leaves_out_what_has_no_data(ctx, dataset):
    # 办公室 alone: one event without materials or consultations.
    office = report_for(dataset.office)
    office.generated_at = YEAR_OVER  # the year is over: "全年"
    text = "\n".join(paragraphs(docx_of(office)))
    assert "办公室全年开展普法宣传活动 1 场（其中 1 场尚待审核），覆盖群众 150 人次。" in text
    assert "发放宣传资料" not in text and "解答群众咨询" not in text
    empty = "\n".join(paragraphs(docx_of(report_for(period=(date(2024, 3, 1),
                                                             date(2024, 6, 30))))))
    assert "2024年3月1日至2024年6月30日，暂无集中学法、在线测试等学法记录。" in empty
    assert "暂无已提交的普法宣传活动。" in empty
    assert " 0 " not in empty and "0.0%" not in empty


def test_docx_tables_behind_the_text(ctx, dataset):
    report = report_for()
    document = docx_of(report)
    tables = document.tables
    headers = [[cell.text for cell in table.rows[0].cells] for table in tables]
    groups = list(dict.fromkeys(str(c.group) for c in report.visible_columns))
    department_tables = tables[:len(groups)]
    for table in department_tables:
        assert [cell.text for cell in table.rows[0].cells][:2] == ["部门", "人数"]
        assert len(table.rows) == 1 + len(report.departments) + 1
        assert table.rows[-1].cells[0].text == "合计"
    attendance = department_tables[0]
    rate_index = [cell.text for cell in attendance.rows[0].cells].index("参学率")
    total_rate = report.total.values["attendance_rate"]
    assert attendance.rows[-1].cells[rate_index].text == f"{total_rate * 100:.1f}%"
    sessions = tables[len(groups)]
    assert headers[len(groups)][:3] == ["序号", "时间", "名称"]
    assert [row.cells[2].text for row in sessions.rows[1:]] == ["宪法集中学法", INJECTION]
    quizzes = tables[len(groups) + 1]
    expected = report.quizzes[0].expected
    assert [cell.text for cell in quizzes.rows[1].cells][1:9] == [
        "宪法小测", "测验", f"{expected:,}", "3", percent_text(3 / expected), "3", "2", "66.7%"]
    outreach = tables[len(groups) + 2]
    assert [row.cells[0].text for row in outreach.rows[1:]] == ["进社区", "进学校", "合计"]
    assert outreach.rows[-1].cells[1].text == "2"


def test_docx_is_a4_with_chinese_fonts(ctx, dataset):
    document = docx_of(report_for())
    section = document.sections[0]
    # Word stores twips: within a tenth of a millimetre of A4.
    assert abs(section.page_width.mm - 210) < 0.1 and abs(section.page_height.mm - 297) < 0.1
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋"


# --- a new column reaches every export ---------------------------------------------------------


def test_a_column_added_to_the_sources_appears_everywhere(ctx, dataset, monkeypatch):
    extra = sources.Source("extra", (
        Column("lectures", "旁听讲座", per_capita=True, group="专题学习"),),
        lambda scope: {dataset.clerk.id: {"lectures": 3}})
    monkeypatch.setattr(sources, "SOURCES", (*sources.SOURCES, extra))
    monkeypatch.setattr(participation, "SOURCES", sources.SOURCES)
    report = report_for()
    assert report.total.values["lectures"] == 3

    book = xlsx_of(report)
    people = sheet_rows(book["人员"])
    index = list(people[1]).index("旁听讲座")
    assert people[0][index] == "专题学习"
    assert next(row for row in people if row[1] == "clerk")[index] == 3
    departments = sheet_rows(book["部门"])
    assert "人均旁听讲座" in departments[1]
    assert departments[-1][list(departments[1]).index("旁听讲座")] == 3
    summary = {row[0]: row[1] for row in sheet_rows(book["汇总"]) if row[0]}
    assert summary["专题学习·旁听讲座"] == 3

    assert "旁听讲座" in csv_rows(report)[1][0]
    assert "人均旁听讲座" in csv_rows(report, "departments")[1][0]
    document = docx_of(report)
    assert any("专题学习" in p for p in paragraphs(document))
    assert any("旁听讲座" in [cell.text for cell in table.rows[0].cells]
               for table in document.tables)


# --- file names --------------------------------------------------------------------------------


def test_file_names_say_what_the_file_holds(ctx, dataset):
    whole, unit = report_for(), report_for(dataset.section)
    assert export_name(whole, "xlsx") == "参学统计_全部部门_2025-01-01_2025-12-31.xlsx"
    assert export_name(unit, "csv", "sessions") == \
        "参学统计_集中学法_执法局_法制科_2025-01-01_2025-12-31.csv"
    assert export_name(whole, "docx") == "学法普法工作情况_全部部门_2025-01-01_2025-12-31.docx"
    assert export_fallback(unit, "csv", "sessions") == \
        f"participation-sessions-dept{dataset.section}_2025-01-01_2025-12-31.csv"
    assert export_fallback(whole, "docx") == "study-and-publicity_2025-01-01_2025-12-31.docx"


def test_docx_names_the_campaigns_with_their_own_table(ctx, dataset):
    """宪法宣传周 had a table on the page and in the workbook; the draft sent upward said
    nothing of it. It names each campaign's events and reach, and tabulates them (the
    events of no campaign on a row of their own, so the total is all of them)."""
    from datetime import date

    from sqlalchemy import select

    from lawlearn.outreach.models import OutreachEvent
    from tests.reports.conftest import make_campaign

    week = make_campaign("2025年宪法宣传周", date(2025, 2, 25), date(2025, 3, 4))
    community = db.session.scalar(select(OutreachEvent).filter_by(title="宪法进社区"))
    community.campaign_id = week.id
    db.session.flush()
    document = docx_of(report_for())
    assert "2025年宪法宣传周期间开展活动 1 场，覆盖群众 320 人次。" in paragraphs(document)
    assert "（五）主题宣传活动统计" in paragraphs(document)
    table = document.tables[-1]
    assert [row.cells[0].text for row in table.rows] == [
        "主题宣传", "2025年宪法宣传周", "（未归入主题宣传）", "合计"]
    assert [row.cells[1].text for row in table.rows[1:]] == ["1", "1", "2"]
    # Without a campaign, no such section.
    community.campaign_id = None
    db.session.flush()
    assert "（五）主题宣传活动统计" not in paragraphs(docx_of(report_for()))


def test_docx_says_the_hours_once(office):
    """"累计获得学时 371.5 学时" said 学时 twice."""
    from tests.reports.conftest import NOW as HALF_YEAR_NOW
    from tests.reports.conftest import PERIOD

    report = build_report(*PERIOD, now=HALF_YEAR_NOW)
    figures = headline(report)
    text = "\n".join(paragraphs(docx_of(report)))
    assert figures.hours_earned and f"干部职工累计学习 {figures.hours_earned:g} 学时" in text
    assert "获得学时" not in text


def test_docx_says_papers_beside_takers_when_some_took_a_quiz_again(ctx, dataset):
    """参测 人次 counts a person once a quiz; "参测 4 人次" beside a table of 5 papers read
    short of them, so the papers are said too."""
    from datetime import datetime

    from sqlalchemy import select

    from lawlearn.quiz.models import Attempt, Quiz

    text = "\n".join(paragraphs(docx_of(report_for())))
    assert "参测 4 人次，通过率" in text and "答卷" not in text.split("参测 4 人次")[1][:12]
    practice = db.session.scalar(select(Quiz.id).filter_by(title="宪法小测"))
    again = datetime(2025, 2, 13, 2, 0)
    db.session.add(Attempt(quiz_id=practice, user_id=dataset.officer.id, number=2,
                           started_at=again, submitted_at=again, score=7, max_score=10,
                           passed=True))
    db.session.flush()
    papers = db.session.scalar(select(db.func.count(Attempt.id)))
    text = "\n".join(paragraphs(docx_of(report_for())))
    assert f"参测 4 人次（每人每场计一次），答卷 {papers} 份，通过率" in text and papers == 5
