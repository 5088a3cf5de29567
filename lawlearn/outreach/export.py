"""The ledger as an XLSX workbook (汇总 / 活动台账 / 宣传资料), the file names of every
ledger export and their types. The DOCX activity summary (活动总结) is in
:mod:`lawlearn.outreach.activity_summary`."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from lawlearn.accounts.models import Department
from lawlearn.exports import filename_part, local_time
from lawlearn.extensions import db
from lawlearn.outreach.ledger import (
    GroupTotals,
    LedgerFilters,
    LedgerTotals,
    describe_filters,
    law_names,
    ledger_events,
    ledger_totals,
    local_naive,
    totals_by_campaign,
    totals_by_category,
)
from lawlearn.outreach.models import (
    AUDIENCES,
    CHANNELS,
    EVENT_STATUSES,
    MATERIAL_KINDS,
    MATERIAL_UNITS,
    Campaign,
    OutreachEvent,
)

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXPORT_FORMATS = ("xlsx", "docx")


def export_name(filters: LedgerFilters, extension: str, campaign: Campaign | None = None) -> str:
    """A file name saying what the file holds: 普法台账_2024-12-01_2024-12-07.xlsx (with
    ``_执法局_法制科`` for a department), or 2024年宪法宣传周_活动总结.docx."""
    if campaign is not None:
        stem = _("%(title)s_活动总结", title=campaign.title) if extension == "docx" else \
            _("%(title)s_台账", title=campaign.title)
    else:
        start = filters.date_from.isoformat() if filters.date_from else _("不限")
        end = filters.date_to.isoformat() if filters.date_to else _("不限")
        stem = _("普法台账_%(start)s_%(end)s", start=start, end=end) if extension == "xlsx" \
            else _("普法宣传活动总结_%(start)s_%(end)s", start=start, end=end)
        # A department's ledger is told from the office's by its name, not by opening it.
        department = db.session.get(Department, filters.department_id) \
            if filters.department_id else None
        if department is not None:
            stem = f"{stem}_{department.full_name}"
    return filename_part(stem, "ledger") + "." + extension


def export_fallback(filters: LedgerFilters, extension: str,
                    campaign: Campaign | None = None) -> str:
    """:func:`export_name` in plain ASCII, for clients that do not read a UTF-8 name:
    outreach-ledger_2024-12-01_2024-12-07.xlsx or campaign-3-summary.docx."""
    kind = "summary" if extension == "docx" else "ledger"
    if campaign is not None:
        return f"campaign-{campaign.id}-{kind}.{extension}"
    start = filters.date_from.isoformat() if filters.date_from else "any"
    end = filters.date_to.isoformat() if filters.date_to else "any"
    return f"outreach-{kind}_{start}_{end}.{extension}"


def _audiences(event: OutreachEvent) -> str:
    return "、".join(str(AUDIENCES.get(key, key)) for key in event.audiences or [])


def event_status(event: OutreachEvent) -> str:
    return str(EVENT_STATUSES.get(event.status, event.status))


def total_values(t: LedgerTotals) -> list[int]:
    """The totals in the order of :func:`total_headers` (the XLSX and the DOCX share them)."""
    return [t.events, t.participants, t.quiz_completions, t.reach, t.volunteers,
            t.consultations, t.online_views, t.material_kinds, t.material_copies]


def total_headers() -> list[str]:
    return [_("活动场次"), _("参与人次"), _("有奖问答完成人次"), _("覆盖群众（人次）"),
            _("志愿者（人次）"), _("解答咨询（人次）"), _("线上浏览量"), _("发放资料种类"),
            _("发放资料份数")]


def event_headers() -> list[str]:
    return [_("序号"), _("活动编号"), _("活动名称"), _("日期"), _("开始时间"), _("结束时间"),
            _("地点"), _("类别"), _("主题宣传"), _("组织单位"), _("合作单位"),
            _("宣传法律法规"), _("宣传对象"), _("宣传渠道"), _("参与人次"),
            _("有奖问答完成人次"), _("覆盖群众（人次）"), _("志愿者（人次）"),
            _("解答咨询（人次）"), _("线上浏览量"), _("发放资料种类"), _("发放资料份数"),
            _("活动概况"), _("后续跟进"), _("状态"), _("提交时间"), _("审核时间")]


def material_headers() -> list[str]:
    return [_("活动编号"), _("活动名称"), _("日期"), _("组织单位"), _("类别"), _("资料类型"),
            _("种类数"), _("数量"), _("单位"), _("备注"), _("状态")]


def export_xlsx(filters: LedgerFilters, now: datetime) -> bytes:
    """The ledger for ``filters``: 汇总 (what it covers, totals, by category, by campaign),
    活动台账 (one row per event) and 宣传资料 (one row per material line)."""
    import xlsxwriter

    totals = ledger_totals(filters)
    by_category = totals_by_category(filters)
    by_campaign = totals_by_campaign(filters)
    described = describe_filters(filters)
    events = ledger_events(filters)

    buffer = io.BytesIO()
    # constant_memory writes each row out when the next begins: every sheet is written
    # top to bottom.
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    title = workbook.add_format({"bold": True, "font_size": 14})
    header = workbook.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1,
                                  "text_wrap": True, "valign": "top"})
    bold = workbook.add_format({"bold": True})
    bold_number = workbook.add_format({"bold": True, "num_format": "#,##0"})
    number = workbook.add_format({"num_format": "#,##0"})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})

    def write(sheet, row: int, values: list[Any], formats: dict[int, Any] | None = None,
              default: Any = None) -> None:
        formats = formats or {}
        for column, value in enumerate(values):
            style = formats.get(column, default)
            if value is None or value == "":
                sheet.write_blank(row, column, None, style)
            elif isinstance(value, (datetime, date)):
                sheet.write_datetime(row, column, value, style)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(row, column, value, style or number)
            else:
                sheet.write_string(row, column, str(value), style)

    # 汇总
    summary = workbook.add_worksheet(_("汇总"))
    summary.set_column(0, 0, 30)
    summary.set_column(1, 9, 14)
    summary.freeze_panes(1, 0)
    summary.write_string(0, 0, _("普法宣传台账汇总"), title)
    row = 1
    for label, value in described:
        write(summary, row, [label, value], {0: bold})
        row += 1
    write(summary, row, [_("导出时间"), local_time(now)], {0: bold})
    row += 2
    write(summary, row, [_("合计"), _("数值")], default=header)
    row += 1
    for label, value in zip(total_headers(), total_values(totals), strict=True):
        write(summary, row, [label, value])
        row += 1
    for heading, groups in ((_("类别"), by_category), (_("主题宣传"), by_campaign)):
        row += 1
        write(summary, row, [_("按%(what)s统计", what=heading)], {0: bold})
        row += 1
        write(summary, row, [heading, *total_headers()], default=header)
        row += 1
        for group in groups:
            write(summary, row, [group.name, *total_values(group.totals)])
            row += 1
        write(summary, row, [_("合计"), *total_values(_sum(groups))],
              {0: bold}, default=bold_number)
        row += 1

    # 活动台账
    sheet = workbook.add_worksheet(_("活动台账"))
    widths = [6, 8, 30, 11, 16, 16, 20, 10, 20, 20, 20, 30, 14, 10, 10, 10, 10, 10, 10, 10,
              10, 10, 40, 30, 8, 16, 16]
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 3)
    write(sheet, 0, event_headers(), default=header)
    for index, event in enumerate(events, start=1):
        kinds, copies = event.handed_out
        write(sheet, index, [
            index, event.id, event.title, local_naive(event.starts_at).date(),
            local_naive(event.starts_at), local_naive(event.ends_at), event.place,
            event.category.name, event.campaign.title if event.campaign else "",
            event.department.full_name, event.partner_units, "、".join(law_names(event)),
            _audiences(event), str(CHANNELS.get(event.channel, event.channel)),
            event.participants, event.quiz_completions, event.reach, event.volunteers,
            event.consultations, event.online_views, kinds, copies, event.summary,
            event.follow_up, event_status(event),
            local_naive(event.submitted_at) if event.submitted_at else None,
            local_naive(event.verified_at) if event.verified_at else None],
            {3: day, 4: moment, 5: moment, 11: wrap, 22: wrap, 23: wrap, 25: moment,
             26: moment})

    # 宣传资料
    materials = workbook.add_worksheet(_("宣传资料"))
    for column, width in enumerate([8, 30, 11, 20, 10, 12, 8, 10, 6, 30, 8]):
        materials.set_column(column, column, width)
    materials.freeze_panes(1, 0)
    write(materials, 0, material_headers(), default=header)
    row = 1
    for event in events:
        for material in event.materials:
            write(materials, row, [
                event.id, event.title, local_naive(event.starts_at).date(),
                event.department.full_name, event.category.name,
                str(MATERIAL_KINDS.get(material.kind, material.kind)), material.kinds,
                material.copies, str(MATERIAL_UNITS.get(material.kind, "")), material.note,
                event_status(event)], {2: day})
            row += 1
    workbook.close()
    return buffer.getvalue()


def _sum(groups: list[GroupTotals]) -> LedgerTotals:
    total = LedgerTotals()
    for group in groups:
        total = total.add(group.totals)
    return total
