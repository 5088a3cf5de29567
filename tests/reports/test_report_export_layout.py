"""How the exports read and print: the same words as the page in every file (参学率, 在线测试,
通过, 覆盖群众), departments without a slash in the DOCX prose, the XLSX print setup (A4
landscape, one page wide, headings on every page) and the DOCX tables' column widths in an
A4 landscape section."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest
from docx.enum.section import WD_ORIENT

from lawlearn.reports.export_csv import iter_csv
from lawlearn.reports.export_docx import TABLE_WIDTH, write_docx
from lawlearn.reports.export_tables import CSV_TABLES
from lawlearn.reports.export_xlsx import write_xlsx
from tests.reports.export_dataset import dataset_fixture, report_for  # noqa: F401  (fixture)
from tests.reports.test_report_exports import YEAR_OVER

# Words of the report's glossary that a file must not use (a different word for the same
# thing elsewhere).
OTHER_WORDS = ("出勤率", "平均参学率", "线上测试", "合格", "受众", "应到", "应计场次")


def xlsx_bytes(report) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(report, buffer)
    return buffer.getvalue()


def docx_of(report):
    buffer = io.BytesIO()
    write_docx(report, buffer)
    buffer.seek(0)
    return docx.Document(buffer)


def xlsx_texts(book) -> str:
    return "\n".join(str(value) for sheet in book.worksheets
                     for row in sheet.iter_rows(values_only=True) for value in row
                     if isinstance(value, str))


def docx_texts(document) -> str:
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_every_export_uses_the_reports_words(ctx, dataset):
    report = report_for()
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(report)))
    texts = {"xlsx": xlsx_texts(book), "docx": docx_texts(docx_of(report)),
             "csv": "\n".join(b"".join(iter_csv(report, table)).decode("utf-8-sig")
                              for table in CSV_TABLES)}
    for name, text in texts.items():
        for word in OTHER_WORDS:
            assert word not in text, (name, word)
    for word in ("参学率", "在线测试", "通过率", "覆盖群众（人次）", "签到结束后计入统计"):
        assert word in texts["xlsx"] and word in texts["docx"], word
    assert "最高得分率" in texts["csv"] and "通过人数" in texts["csv"]


def test_docx_prose_names_a_section_without_a_slash(ctx, dataset):
    report = report_for(dataset.section)
    report.generated_at = YEAR_OVER
    document = docx_of(report)
    paragraphs = [p.text for p in document.paragraphs]
    assert "统计范围：执法局法制科；统计期间：2025年1月1日至2025年12月31日" in paragraphs
    # The section took part in the office's sessions (it did not organise them).
    assert any(p.startswith("执法局法制科全年参加集中学法") for p in paragraphs)
    assert not any("执法局/法制科" in p for p in paragraphs)
    # A table may keep the full name.
    assert document.tables[0].rows[1].cells[0].text == "执法局/法制科"
    unit = [p.text for p in docx_of(report_for(dataset.unit)).paragraphs]
    assert "统计范围：执法局（含下属科室）；统计期间：2025年1月1日至2025年12月31日" in unit


@pytest.mark.parametrize(("sheet", "title_rows"), [("人员", "$1:$2"), ("部门", "$1:$2"),
                                                   ("集中学法", "$1:$1"),
                                                   ("在线测试", "$1:$1")])
def test_xlsx_table_sheets_print_on_a4_landscape_one_page_wide(ctx, dataset, sheet,
                                                                title_rows):
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(report_for())))
    printed = book[sheet]
    assert printed.page_setup.paperSize == 9  # A4
    assert printed.page_setup.orientation == "landscape"
    assert printed.sheet_properties.pageSetUpPr.fitToPage
    # One page wide (1 is the attribute's default, so it may be left out), any number down.
    assert (printed.page_setup.fitToWidth or 1, printed.page_setup.fitToHeight) == (1, 0)
    assert printed.print_title_rows == title_rows  # the headings on every page
    assert "&P" in printed.oddFooter.center.text


def test_xlsx_summary_and_outreach_print_on_a4(ctx, dataset):
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(report_for())))
    assert book["汇总"].page_setup.paperSize == 9
    assert book["汇总"].page_setup.orientation != "landscape"
    assert book["普法活动"].page_setup.orientation == "landscape"
    assert book["普法活动"].sheet_properties.pageSetUpPr.fitToPage
    assert book["普法活动"].page_setup.fitToHeight == 0


def test_docx_tables_in_an_a4_landscape_section_with_fitting_columns(ctx, dataset):
    document = docx_of(report_for())
    text, tables = document.sections
    assert text.orientation == WD_ORIENT.PORTRAIT
    assert (round(text.page_width.mm), round(text.page_height.mm)) == (210, 297)
    assert tables.orientation == WD_ORIENT.LANDSCAPE
    assert (round(tables.page_width.mm), round(tables.page_height.mm)) == (297, 210)
    usable = tables.page_width.mm - tables.left_margin.mm - tables.right_margin.mm
    assert usable == pytest.approx(TABLE_WIDTH, abs=0.5)
    for table in document.tables:
        widths = [cell.width.mm for cell in table.rows[0].cells]
        assert sum(widths) <= usable + 0.5
        assert [column.width.mm for column in table.columns] == pytest.approx(widths)
        # The headings repeat on every page the table runs onto.
        assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")
    sessions = next(t for t in document.tables if t.rows[0].cells[1].text == "时间")
    width = {cell.text: cell.width.mm for cell in sessions.rows[0].cells}
    assert width["名称"] > width["时间"] > width["出席"]
    # "2025-02-10 09:00" at 9 points fits on one line (about 1.7 mm a character).
    assert width["时间"] >= 16 * 1.7 + 2
    departments = document.tables[0]
    first, second = (cell.width.mm for cell in departments.rows[0].cells[:2])
    assert first > 2 * second  # names wide, numbers narrow
