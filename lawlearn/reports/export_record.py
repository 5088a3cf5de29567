"""One person's own record (我的学法档案) as XLSX or CSV: their figures (the same as their
row in any report), their sessions of the period with their status, and the quiz answers
they submitted in the period. Reads only; nothing is finished or recorded on the way."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.exports import filename_part, local_time
from lawlearn.extensions import db
from lawlearn.i18n import display_date
from lawlearn.localtime import day_bounds
from lawlearn.reports.columns import Column
from lawlearn.reports.export_csv import BOM
from lawlearn.reports.export_tables import (
    Field,
    Table,
    headings,
    plan_rule_text,
    rate_rule_text,
    value_text,
)
from lawlearn.reports.participation import my_figures
from lawlearn.reports.sources import visible_columns
from lawlearn.sessions.attendance import PersonalRecord, my_record, status_label

RECORD_FORMATS = ("xlsx", "csv")
RECORD_TABLES = ("figures", "sessions", "quizzes")


@dataclass
class MyRecord:
    user: User
    date_from: date
    date_to: date
    generated_at: datetime
    columns: list[Column]
    values: dict[str, Any]
    sessions: PersonalRecord
    attempts: list[Any]  # quiz Attempts, with their quiz loaded


def my_attempts(user: User, date_from: date, date_to: date) -> list[Any]:
    """The quiz answers ``user`` submitted in the period, oldest first; one query."""
    from lawlearn.quiz.models import Attempt

    start, end = day_bounds(date_from, date_to)
    return list(db.session.scalars(
        select(Attempt).options(joinedload(Attempt.quiz))
        .where(Attempt.user_id == user.id, Attempt.submitted_at >= start,
               Attempt.submitted_at < end)
        .order_by(Attempt.submitted_at, Attempt.id)))


def build_my_record(user: User, date_from: date, date_to: date, *,
                    now: datetime | None = None) -> MyRecord:
    """Raises ValidationFailed (Chinese message) for a bad period."""
    now = now or utcnow()
    values = my_figures(user, date_from, date_to, now=now)
    return MyRecord(user, date_from, date_to, now, visible_columns(), values,
                    my_record(user, date_from, date_to, now=now),
                    my_attempts(user, date_from, date_to))


def _kind(column: Column) -> str:
    return column.kind if column.kind in ("count", "hours", "score", "rate") else "count"


def figure_rows(record: MyRecord) -> list[tuple[str, Any, str]]:
    """(label, value, kind) for each figure, "group·label" so that each reads alone."""
    return [(f"{c.group}·{c.label}" if c.group else str(c.label), record.values.get(c.key),
             _kind(c)) for c in record.columns]


def about_rows(record: MyRecord) -> list[tuple[str, str]]:
    user = record.user
    return [(_("姓名"), user.name), (_("用户名"), user.username),
            (_("部门"), user.department.full_name if user.department else _("未分配部门")),
            (_("统计期间"), _("%(start)s 至 %(end)s", start=display_date(record.date_from),
                           end=display_date(record.date_to))),
            (_("生成时间"), local_time(record.generated_at)),
            (_("参学率口径"), rate_rule_text(record.sessions.rule)),
            (_("计划事项口径"), plan_rule_text(record.date_to, record.generated_at))]


def session_table(record: MyRecord) -> Table:
    fields = [Field(_("时间"), "moment"), Field(_("名称")), Field(_("类型")), Field(_("状态"))]
    # The record lists the latest first, as the page does; a file reads oldest first.
    rows = ([entry.session.starts_at, entry.session.title, entry.session.kind.name,
             status_label(entry.status)] for entry in reversed(record.sessions.entries))
    return Table(_("集中学法"), fields, rows, frozen_columns=1, widths=[16, 30, 12, 10])


def quiz_table(record: MyRecord) -> Table:
    fields = [Field(_("测试名称")), Field(_("类型")), Field(_("第几次"), "count"),
              Field(_("提交时间"), "moment"), Field(_("得分"), "decimal"),
              Field(_("满分"), "decimal"), Field(_("得分率"), "score"), Field(_("结果"))]
    exam, quiz = _("考试"), _("测验")
    passed, failed = _("通过"), _("未通过")

    def row(attempt) -> list[Any]:
        rate = 100 * (attempt.score or 0) / attempt.max_score if attempt.max_score else None
        verdict = "" if attempt.passed is None else (passed if attempt.passed else failed)
        return [attempt.quiz.title, exam if attempt.quiz.is_exam else quiz, attempt.number,
                attempt.submitted_at, attempt.score, attempt.max_score, rate, verdict]

    return Table(_("在线测试"), fields, (row(a) for a in record.attempts), frozen_columns=1,
                 widths=[30, 8, 8, 16, 8, 8, 8, 8])


# --- writers -------------------------------------------------------------------------------


def write_my_xlsx(record: MyRecord, target: str | Path | IO[bytes]) -> None:
    """汇总 (who, period, each figure), 集中学法, 在线测试."""
    import xlsxwriter

    from lawlearn.reports.export_xlsx import write_table
    from lawlearn.workbooks import Styles, print_setup, workbook_options, write_cell, write_values

    workbook = xlsxwriter.Workbook(str(target) if isinstance(target, Path) else target,
                                   workbook_options())
    styles = Styles(workbook)
    sheet = workbook.add_worksheet(_("汇总"))
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 16)
    print_setup(sheet, wide=False)
    sheet.write_string(0, 0, _("我的学法档案"), styles.title)
    row = 0
    for label, value in about_rows(record):
        row += 1
        sheet.write_string(row, 0, label, styles.bold)
        write_cell(sheet, styles, row, 1, value)
    row += 2
    sheet.write_string(row, 0, _("项目"), styles.header)
    sheet.write_string(row, 1, _("数值"), styles.header)
    for label, value, kind in figure_rows(record):
        row += 1
        write_values(sheet, styles, row, [label, value], ["text", kind])
    write_table(workbook, styles, session_table(record))
    write_table(workbook, styles, quiz_table(record))
    workbook.close()


def iter_my_csv(record: MyRecord, table: str = "figures") -> Iterator[bytes]:
    """One table of the record as CSV (UTF-8 with a BOM): ``figures`` (项目, 数值),
    ``sessions`` or ``quizzes``."""
    if table not in RECORD_TABLES:
        raise ValueError(f"unknown table {table!r}")
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    if table == "figures":
        writer.writerow([_("项目"), _("数值")])
        for label, value in about_rows(record):
            writer.writerow([label, value_text(value, "text")])
        for label, value, kind in figure_rows(record):
            writer.writerow([label, value_text(value, kind)])
    else:
        chosen = session_table(record) if table == "sessions" else quiz_table(record)
        kinds = [f.kind for f in chosen.fields]
        writer.writerow(headings(chosen.fields))
        for values in chosen.rows:
            writer.writerow([value_text(v, k) for v, k in zip(values, kinds, strict=True)])
    yield buffer.getvalue().encode("utf-8")


def record_name(record: MyRecord, export_format: str, table: str = "figures") -> str:
    """我的学法档案_张三_2024-01-01_2024-12-31.xlsx (the CSV names its table)."""
    what = _("我的学法档案")
    if export_format == "csv":
        what += "_" + {"figures": _("统计"), "sessions": _("集中学法"),
                       "quizzes": _("在线测试")}[table]
    stem = f"{what}_{record.user.name}_{record.date_from.isoformat()}_{record.date_to.isoformat()}"
    return filename_part(stem, "my-record") + "." + export_format


def record_fallback(record: MyRecord, export_format: str, table: str = "figures") -> str:
    what = "my-record" + (f"-{table}" if export_format == "csv" else "")
    return (f"{what}_{record.date_from.isoformat()}_{record.date_to.isoformat()}"
            f".{export_format}")
