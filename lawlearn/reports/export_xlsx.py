"""The participation report as an XLSX workbook: 汇总 first, then 人员, 部门, 集中学法,
在线测试 and 普法活动.

Written with XlsxWriter in ``constant_memory`` mode: each row goes to disk when the next one
begins, so every sheet is written top to bottom and no list of cells is ever built; memory
stays flat however many people the report has. Numbers are numbers; rates and score rates
are percentage cells (``0.0%``: a score of 71.5 is stored as 0.715 and shows "71.5%", as the
page does); hours one decimal. The table sheets print on A4 landscape, one page wide, with
their heading rows on every page. Text is always written as text (never a formula);
text that a spreadsheet would read as a formula once edited (``=…``, ``+…``) also gets
Excel's quote prefix, the cell-format twin of :func:`lawlearn.exports.safe_text`.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from flask_babel import gettext as _

from lawlearn.exports import local_time
from lawlearn.outreach.export import total_values
from lawlearn.outreach.ledger import STATUS_SCOPE_LABELS
from lawlearn.reports.export_tables import (
    Field,
    Table,
    column_totals,
    department_table,
    headings,
    headline,
    headline_rows,
    outreach_headers,
    outreach_table,
    people_table,
    period_text,
    plan_rule_text,
    quiz_table,
    rate_rule_text,
    scope_text,
    session_table,
)
from lawlearn.reports.participation import ParticipationReport
from lawlearn.workbooks import Styles, print_setup, workbook_options, write_cell, write_values


def write_table(workbook, styles: Styles, table: Table) -> int:
    """A sheet holding ``table``: a group row over the headings when the fields have
    groups, frozen headings and first columns, a filter over the data rows, the headings
    repeated on every printed page. Returns the number of data rows."""
    sheet = workbook.add_worksheet(table.name)
    for column, width in enumerate(table.widths):
        sheet.set_column(column, column, width)
    row = 0
    if any(f.group for f in table.fields):
        _group_row(sheet, styles, table.fields)
        row = 1
    header_row = row
    sheet.freeze_panes(header_row + 1, table.frozen_columns)
    print_setup(sheet, title_rows=header_row + 1)
    for column, f in enumerate(table.fields):
        sheet.write_string(row, column, f.label, styles.header)
    kinds = [f.kind for f in table.fields]
    count = 0
    for values in table.rows:
        row += 1
        count += 1
        write_values(sheet, styles, row, values, kinds)
    if count:
        sheet.autofilter(header_row, 0, row, len(table.fields) - 1)
    if table.total is not None:
        write_values(sheet, styles, row + 1, table.total, kinds, emphasis=True)
    return count


def _group_row(sheet, styles: Styles, fields: list[Field]) -> None:
    """The groups (集中学法, 学习计划, …) above their columns, merged across each run."""
    start = 0
    for end in range(1, len(fields) + 1):
        if end < len(fields) and fields[end].group == fields[start].group:
            continue
        name = fields[start].group
        if end - start > 1:
            sheet.merge_range(0, start, 0, end - 1, name, styles.group)
        else:
            sheet.write_string(0, start, name, styles.group)
        start = end


def _summary(workbook, styles: Styles, report: ParticipationReport) -> None:
    """汇总: what the file covers, the headline figures, and every column's total."""
    sheet = workbook.add_worksheet(_("汇总"))
    sheet.set_column(0, 0, 26)
    sheet.set_column(1, 2, 14)
    print_setup(sheet, wide=False)
    sheet.write_string(0, 0, _("参学情况统计"), styles.title)
    row = 1
    for label, value in ((_("统计范围"), scope_text(report)),
                         (_("统计期间"), period_text(report)),
                         (_("生成时间"), local_time(report.generated_at)),
                         (_("参学率口径"), rate_rule_text(report.rule)),
                         (_("计划事项口径"), plan_rule_text(report.date_to, report.generated_at)),
                         (_("普法活动口径"), _("%(status)s的活动",
                                            status=STATUS_SCOPE_LABELS["reported"]))):
        sheet.write_string(row, 0, label, styles.bold)
        write_cell(sheet, styles, row, 1, value)
        row += 1
    row += 1
    sheet.write_string(row, 0, _("主要数据"), styles.header)
    sheet.write_string(row, 1, _("数值"), styles.header)
    for label, value, kind in headline_rows(headline(report)):
        row += 1
        write_values(sheet, styles, row, [label, value], ["text", kind])
    row += 2
    for column, text in enumerate((_("各项合计"), _("合计"), _("人均"))):
        sheet.write_string(row, column, text, styles.header)
    for group, label, total, per_capita, kind in column_totals(report):
        row += 1
        name = f"{group}·{label}" if group else label
        write_values(sheet, styles, row, [name, total, per_capita],
                     ["text", kind, "decimal"])


def _outreach(workbook, styles: Styles, report: ParticipationReport) -> None:
    """普法活动: totals by category, by campaign, then each event (three tables, one below
    the other, so the first column is frozen rather than a header row)."""
    section = report.outreach
    sheet = workbook.add_worksheet(_("普法活动"))
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 11)
    sheet.set_column(2, 5, 16)
    sheet.set_column(6, 15, 11)
    sheet.freeze_panes(0, 1)
    print_setup(sheet)
    counts = ["count"] * len(outreach_headers())
    row = 0
    for heading, name, groups in ((_("按类别统计"), _("类别"), section.by_category),
                                  (_("按主题宣传统计"), _("主题宣传"), section.by_campaign)):
        sheet.write_string(row, 0, heading, styles.title)
        row += 1
        for column, text in enumerate([name, *outreach_headers()]):
            sheet.write_string(row, column, text, styles.header)
        for group in groups:
            row += 1
            write_values(sheet, styles, row, [group.name, *total_values(group.totals)],
                         ["text", *counts])
        row += 1
        write_values(sheet, styles, row, [_("合计"), *total_values(section.totals)],
                     ["text", *counts], emphasis=True)
        row += 2
    sheet.write_string(row, 0, _("活动明细"), styles.title)
    row += 1
    events = outreach_table(report)  # the CSV's 普法活动 table
    for column, text in enumerate(headings(events.fields)):
        sheet.write_string(row, column, text, styles.header)
    kinds = [f.kind for f in events.fields]
    for values in events.rows:
        row += 1
        write_values(sheet, styles, row, values, kinds)
    write_values(sheet, styles, row + 1, events.total, kinds, emphasis=True)


def write_xlsx(report: ParticipationReport, target: str | Path | IO[bytes]) -> None:
    """Write the workbook to ``target`` (a path or a binary file object). The report must
    have been built with its tables (``with_tables=True``)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target,
                                   workbook_options())
    styles = Styles(workbook)
    _summary(workbook, styles, report)
    for table in (people_table(report), department_table(report), session_table(report),
                  quiz_table(report)):
        write_table(workbook, styles, table)
    if report.outreach is not None:
        _outreach(workbook, styles, report)
    workbook.close()
