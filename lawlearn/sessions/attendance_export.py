"""Exports of attendance: absentee lists and per-person summaries as CSV."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from lawlearn.exports import csv_bytes, local_time
from lawlearn.rounding import percent_text
from lawlearn.sessions.attendance import AttendanceSummary
from lawlearn.sessions.models import StudySession
from lawlearn.sessions.roster import absentees_by_department


def export_absentees(session: StudySession, now: datetime | None = None) -> bytes:
    """The absentee list as CSV; every row names the session and its time."""
    rows: list[list[Any]] = [[_("活动"), _("活动时间"), _("部门"), _("姓名"), _("用户名")]]
    when = local_time(session.starts_at)
    for group in absentees_by_department(session, now):
        for person in group.people:
            rows.append([session.title, when, group.name, person.name, person.username])
    return csv_bytes(rows)


def export_summary(summary: AttendanceSummary, scope: str) -> bytes:
    """The per-person table as CSV; every row names the period, scope and rule."""
    period = _("%(start)s 至 %(end)s", start=summary.date_from.isoformat(),
               end=summary.date_to.isoformat())
    rows: list[list[Any]] = [[_("统计期间"), _("范围"), _("姓名"), _("用户名"), _("部门"),
                              _("应到"), _("出席"), _("迟到"), _("请假"), _("缺席"),
                              _("参学率")]]
    for person in summary.people:
        c = person.counts
        rows.append([period, scope, person.name, person.username,
                     person.department or _("未分配部门"), c.expected, c.present, c.late,
                     c.excused, c.absent, percent_text(person.rate)])
    return csv_bytes(rows)
