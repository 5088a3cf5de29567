"""A session's sign-in sheet (签到表) as an XLSX workbook: the session's particulars and
figures on top, then everyone on its roster (as the 出勤 page lists them: by department in
the tree's order, then name) with their status, check-in time and way, the admin's note and
an empty column to sign in. Printed before the session it is the paper sheet for people
without a phone; printed after, the archive copy of who came (the office's 学法台账).

Written row by row in XlsxWriter's ``constant_memory`` mode from a streamed query of a few
columns: a city-wide session's tens of thousands of rows are never held as objects.
"""

from __future__ import annotations

import io
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from lawlearn.accounts.models import Department, User
from lawlearn.exports import FORMULA_START, local_time
from lawlearn.extensions import db
from lawlearn.i18n import display_time_range
from lawlearn.localtime import local_moment
from lawlearn.sessions.models import ATTENDANCE_STATUSES, CHECKIN_SOURCES, Attendance, StudySession
from lawlearn.sessions.roster import RosterCounts, roster_counts, roster_query
from lawlearn.workbooks import Styles, print_setup, workbook_options, write_cell

# (heading, column width in characters)
COLUMNS = ((lambda: _("序号"), 6), (lambda: _("部门"), 24), (lambda: _("姓名"), 12),
           (lambda: _("出勤"), 10), (lambda: _("签到时间"), 17), (lambda: _("签到方式"), 10),
           (lambda: _("备注"), 24), (lambda: _("本人签字"), 14))
STREAM_ROWS = 1000  # rows fetched at a time


def figures_line(counts: RosterCounts) -> str:
    statuses = counts.by_status
    return _("应到 %(expected)d 人 · 出席 %(present)d · 迟到 %(late)d · 请假 %(excused)d · "
             "缺席 %(absent)d · 未签到 %(none)d", expected=counts.expected,
             present=statuses["present"], late=statuses["late"], excused=statuses["excused"],
             absent=statuses["absent"], none=counts.not_checked_in)


def _heading_lines(study: StudySession, counts: RosterCounts, now: datetime) -> list[str]:
    lines = [_("时间：%(when)s", when=display_time_range(study.starts_at, study.ends_at))]
    details = [_("类型：%(kind)s", kind=study.kind.name)]
    if study.place:
        details.append(_("地点：%(place)s", place=study.place))
    if study.speaker:
        details.append(_("主讲：%(speaker)s", speaker=study.speaker))
    lines.append("　".join(details))
    lines.append(figures_line(counts))
    if study.cancelled_at is not None:
        lines.append(_("本次活动已取消：%(reason)s", reason=study.cancel_reason or ""))
    lines.append(_("导出时间：%(when)s", when=local_time(now)))
    return lines


def sheet_rows(study: StudySession, departments: list[Department]):
    """(department id, name, username, status, checked in at, source, note) of everyone on
    the roster, in its order, a batch at a time."""
    query = roster_query(study, departments=departments).with_only_columns(
        User.department_id, User.name, User.username, Attendance.status,
        Attendance.checked_in_at, Attendance.source, Attendance.note)
    return db.session.execute(query.execution_options(yield_per=STREAM_ROWS))


def sign_in_sheet(study: StudySession, now: datetime) -> bytes:
    """The workbook's bytes: one sheet, 签到表."""
    import xlsxwriter

    departments = list(db.session.scalars(select(Department)))
    full_names = {d.id: d.full_name for d in departments}
    counts = roster_counts(study)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, workbook_options())
    styles = Styles(workbook)
    cell = {"border": 1, "valign": "vcenter", "text_wrap": True}
    text = workbook.add_format(cell)
    quoted = workbook.add_format({**cell, "quote_prefix": True})  # see lawlearn.workbooks
    moment = workbook.add_format({**cell, "num_format": "yyyy-mm-dd hh:mm"})

    def write_text(row: int, column: int, value: str) -> None:
        if value:
            sheet.write_string(row, column, value, quoted if FORMULA_START.match(value) else text)
        else:
            sheet.write_blank(row, column, None, text)

    sheet = workbook.add_worksheet(_("签到表"))
    for column, (_heading, width) in enumerate(COLUMNS):
        sheet.set_column(column, column, width)
    sheet.write_string(0, 0, _("%(title)s 签到表", title=study.title), styles.title)
    lines = _heading_lines(study, counts, now)
    for row, line in enumerate(lines, start=1):
        write_cell(sheet, styles, row, 0, line)
    header_row = len(lines) + 2  # a blank row between
    print_setup(sheet, wide=False)
    sheet.fit_to_pages(1, 0)  # one page wide, portrait
    sheet.repeat_rows(header_row)
    sheet.freeze_panes(header_row + 1, 0)
    for column, (heading, _width) in enumerate(COLUMNS):
        sheet.write_string(header_row, column, heading(), styles.header)
    for number, (department_id, name, username, status, checked_in_at, source, note) in \
            enumerate(sheet_rows(study, departments), start=1):
        row = header_row + number
        sheet.set_row(row, 24)  # room for a signature
        sheet.write_number(row, 0, number, text)
        write_text(row, 1, full_names.get(department_id, _("未分配部门")))
        write_text(row, 2, _("%(name)s（%(username)s）", name=name, username=username))
        write_text(row, 3, str(ATTENDANCE_STATUSES[status]) if status else _("未签到"))
        if checked_in_at is not None:
            sheet.write_datetime(row, 4, local_moment(checked_in_at).replace(tzinfo=None),
                                 moment)
        else:
            sheet.write_blank(row, 4, None, text)
        write_text(row, 5, str(CHECKIN_SOURCES.get(source, "")) if source else "")
        write_text(row, 6, note or "")
        sheet.write_blank(row, 7, None, text)
    workbook.close()
    return buffer.getvalue()
