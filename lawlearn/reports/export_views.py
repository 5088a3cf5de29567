"""Downloads: the participation report (XLSX, CSV, DOCX) for those who may see it, and each
person's own record (我的学法档案). GET only; nothing is changed.

A bad query string (a date that is not a date, a period the report refuses, an unknown
format or table) answers 400 with every problem in Chinese, no file, and a link back to the
page the export came from with the same filters (where the fields say what to correct).
"""

from __future__ import annotations

import io
from datetime import date

from flask import Response, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lawlearn.converters import record_id
from lawlearn.errors import ValidationFailed
from lawlearn.exports import CSV_MIMETYPE, XLSX_MIMETYPE, attachment_headers, download
from lawlearn.localtime import YEARS, parse_day
from lawlearn.reports import reports_bp
from lawlearn.reports.access import report_department
from lawlearn.reports.export_csv import iter_csv
from lawlearn.reports.export_docx import write_docx
from lawlearn.reports.export_record import (
    RECORD_FORMATS,
    RECORD_TABLES,
    build_my_record,
    iter_my_csv,
    record_fallback,
    record_name,
    write_my_xlsx,
)
from lawlearn.reports.export_tables import (
    CSV_TABLES,
    DOCX_MIMETYPE,
    EXPORT_FORMATS,
    TABLE_NAMES,
    export_fallback,
    export_name,
)
from lawlearn.reports.export_xlsx import write_xlsx
from lawlearn.reports.participation import build_report
from lawlearn.sessions.attendance import local_today


def _period(problems: list[str]) -> tuple[date, date]:
    """``from`` and ``to`` (ISO dates); by default this year so far. A bad value is added
    to ``problems``."""
    today = local_today()
    days = []
    for name, default, label in (("from", date(today.year, 1, 1), _("开始日期")),
                                 ("to", today, _("结束日期"))):
        raw = (request.args.get(name) or "").strip()
        try:
            days.append(parse_day(raw) if raw else default)
        except ValueError:
            problems.append(_("%(label)s“%(value)s”无效：应为 %(first)d—%(last)d 年间的日期，"
                              "格式如 2024-12-01。", label=label, value=raw[:30],
                              first=YEARS[0], last=YEARS[1]))
            days.append(default)
    return days[0], days[1]


def _choice(name: str, choices: tuple[str, ...], default: str, problems: list[str]) -> str:
    value = request.args.get(name) or default
    if value not in choices:
        problems.append(_("不支持的%(name)s“%(value)s”，可选：%(choices)s。",
                          name={"format": _("导出格式"), "table": _("表格")}.get(name, name),
                          value=value[:30], choices="、".join(
                              f"{choice}（{TABLE_NAMES[choice]}）" if choice in TABLE_NAMES
                              else choice for choice in choices)))
        return default
    return value


def _department(problems: list[str]) -> int | None:
    raw = (request.args.get("department") or "").strip()
    if not raw:
        return None
    try:
        return record_id(raw)
    except ValueError:
        problems.append(_("部门参数“%(value)s”不正确。", value=raw[:30]))
        return None


def _back_url(endpoint: str, names: tuple[str, ...]) -> str:
    """``endpoint`` with the filters this export was asked for, as typed (the page shows
    what is wrong with them under the fields)."""
    args = {name: request.args[name] for name in names if request.args.get(name, "").strip()}
    return url_for(endpoint, **args)


def _refusal(problems: list[str], back_url: str, back_label: str, layout: str):
    """400: every problem, and the way back to the page with the same filters."""
    return render_template("reports/export_error.html", problems=problems, back_url=back_url,
                           back_label=back_label, layout=layout), 400


def _stream_response(chunks, filename: str, mimetype: str, fallback: str) -> Response:
    headers = attachment_headers(filename, mimetype, fallback=fallback)
    headers["Cache-Control"] = "no-cache"
    return Response(stream_with_context(chunks), headers=headers)


@reports_bp.route("/export")
@login_required
def export_report():
    """Download the participation report as XLSX, CSV (one table) or the DOCX draft."""
    problems: list[str] = []
    requested = _department(problems)
    department_id = report_department(current_user, requested)  # 403 unless allowed
    # ``table`` only applies to a CSV, so a table asked for alone means its CSV (the
    # report page's per-table buttons send just the table).
    default = "csv" if request.args.get("table") else "xlsx"
    export_format = _choice("format", EXPORT_FORMATS, default, problems)
    table = _choice("table", CSV_TABLES, "people", problems) if export_format == "csv" \
        else "people"
    date_from, date_to = _period(problems)
    report = None
    if not problems:
        try:
            report = build_report(date_from, date_to, department_id=department_id)
        except ValidationFailed as error:
            problems.append(error.message)
    if report is None:
        layout = "admin_base.html" if current_user.is_admin else "staff_base.html"
        return _refusal(problems, _back_url("reports.report", ("from", "to", "department")),
                        _("返回统计报表"), layout)

    name = export_name(report, export_format, table)
    fallback = export_fallback(report, export_format, table)
    if export_format == "csv":
        return _stream_response(iter_csv(report, table), name, CSV_MIMETYPE, fallback)
    buffer = io.BytesIO()
    if export_format == "docx":
        write_docx(report, buffer)
        return download(buffer.getvalue(), name, DOCX_MIMETYPE, fallback=fallback)
    # XlsxWriter keeps the rows in temporary files (constant_memory); only the finished,
    # compressed workbook is held here.
    write_xlsx(report, buffer)
    return download(buffer.getvalue(), name, XLSX_MIMETYPE, fallback=fallback)


@reports_bp.route("/me/export")
@login_required
def export_my_record():
    """Download my own record (我的学法档案) as XLSX, or one of its tables as CSV."""
    problems: list[str] = []
    export_format = _choice("format", RECORD_FORMATS, "xlsx", problems)
    table = _choice("table", RECORD_TABLES, "figures", problems) if export_format == "csv" \
        else "figures"
    date_from, date_to = _period(problems)
    record = None
    if not problems:
        try:
            record = build_my_record(current_user, date_from, date_to)
        except ValidationFailed as error:
            problems.append(error.message)
    if record is None:
        return _refusal(problems, _back_url("reports.my_record", ("from", "to")),
                        _("返回我的学法档案"), "staff_base.html")

    name = record_name(record, export_format, table)
    fallback = record_fallback(record, export_format, table)
    if export_format == "csv":
        return download(b"".join(iter_my_csv(record, table)), name, CSV_MIMETYPE,
                        fallback=fallback)
    buffer = io.BytesIO()
    write_my_xlsx(record, buffer)
    return download(buffer.getvalue(), name, XLSX_MIMETYPE, fallback=fallback)
