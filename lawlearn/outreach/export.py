"""Exports of the outreach ledger: an XLSX workbook (汇总 / 活动台账 / 宣传资料) and a DOCX
activity summary (活动总结) for a campaign or a period, written in the register of the
office's reports from the ledger's own figures."""

from __future__ import annotations

import io
import re
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lawlearn.exports import local_time
from lawlearn.extensions import db
from lawlearn.i18n import display_date
from lawlearn.outreach.ledger import (
    GroupTotals,
    LedgerFilters,
    LedgerTotals,
    conditions,
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
    Campaign,
    OutreachCategory,
    OutreachEvent,
    OutreachPhoto,
)

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXPORT_FORMATS = ("xlsx", "docx")
UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\s]+')
# Photos in the summary when none is featured.
DEFAULT_PHOTOS = 6
# "近" (nearly) is used when a figure is at most this far below a round figure.
NEAR = 0.05


# --- figures in words ----------------------------------------------------------------------------


def _sig_step(n: int, figures: int) -> int:
    return 10 ** max(len(str(n)) - figures, 0)


def about(n: int, unit: str) -> str:
    """A figure as the office's reports write it, with the unit after it. The rounding
    words are defined as follows, and nothing else is approximated:

    - under 100, or a figure that is already round (two significant figures): the exact
      figure, " 86 人次", " 5,000 人次";
    - at most 5 % below a round figure of one significant figure: "近" and that figure,
      "近 5,000 人次" for 4,870 or 4,990;
    - otherwise the figure rounded down to two significant figures and "余" ("more than"):
      " 60,000 余份" for 60,437, " 1,200 余人次" for 1,234.

    A number starts with a space so that it reads "咨询 1,200 余人次" after Chinese text;
    "近" joins the text before it ("群众近 5,000 人次").
    """
    if n < 100:
        return exact(n, unit)
    floor = n // _sig_step(n, 2) * _sig_step(n, 2)
    if floor == n:
        return exact(n, unit)
    step = _sig_step(n, 1)
    ceiling = (n // step + 1) * step
    if ceiling - n <= ceiling * NEAR:
        return _("近 %(n)s %(unit)s", n=f"{ceiling:,}", unit=unit)
    return _(" %(n)s 余%(unit)s", n=f"{floor:,}", unit=unit)


def exact(n: int, unit: str) -> str:
    """" 23 场次": the exact figure with thousands grouping."""
    return _(" %(n)s %(unit)s", n=f"{n:,}", unit=unit)


def chinese_ordinal(n: int) -> str:
    """1 → 一, 12 → 十二, 23 → 二十三 (for headings up to 99)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return (digits[tens] if tens > 1 else "") + "十" + (digits[ones] if ones else "")


def export_name(filters: LedgerFilters, extension: str, campaign: Campaign | None = None) -> str:
    """A file name saying what the file holds: 普法台账_2024-12-01_2024-12-07.xlsx or
    2024年宪法宣传周_活动总结.docx."""
    if campaign is not None:
        stem = _("%(title)s_活动总结", title=campaign.title) if extension == "docx" else \
            _("%(title)s_台账", title=campaign.title)
    else:
        start = filters.date_from.isoformat() if filters.date_from else _("不限")
        end = filters.date_to.isoformat() if filters.date_to else _("不限")
        stem = _("普法台账_%(start)s_%(end)s", start=start, end=end) if extension == "xlsx" \
            else _("普法宣传活动总结_%(start)s_%(end)s", start=start, end=end)
    return (UNSAFE_IN_FILENAME.sub("_", stem).strip("_") or "ledger") + "." + extension


def _audiences(event: OutreachEvent) -> str:
    return "、".join(str(AUDIENCES.get(key, key)) for key in event.audiences or [])


def _status(event: OutreachEvent) -> str:
    return str(EVENT_STATUSES.get(event.status, event.status))


# --- XLSX ----------------------------------------------------------------------------------------


def _total_values(t: LedgerTotals) -> list[int]:
    return [t.events, t.participants, t.quiz_completions, t.reach, t.volunteers,
            t.consultations, t.online_views, t.material_kinds, t.material_copies]


def _total_headers() -> list[str]:
    return [_("活动场次"), _("参与人次"), _("有奖问答完成人次"), _("受众合计（人次）"),
            _("志愿者（人次）"), _("解答咨询（人次）"), _("线上浏览量"), _("发放资料种类"),
            _("发放资料份数")]


def event_headers() -> list[str]:
    return [_("序号"), _("活动编号"), _("活动名称"), _("日期"), _("开始时间"), _("结束时间"),
            _("地点"), _("类别"), _("宣传活动"), _("组织单位"), _("合作单位"),
            _("宣传法律法规"), _("宣传对象"), _("宣传渠道"), _("参与人次"),
            _("有奖问答完成人次"), _("受众合计（人次）"), _("志愿者（人次）"),
            _("解答咨询（人次）"), _("线上浏览量"), _("发放资料种类"), _("发放资料份数"),
            _("活动概况"), _("后续跟进"), _("状态"), _("提交时间"), _("审核时间")]


def material_headers() -> list[str]:
    return [_("活动编号"), _("活动名称"), _("日期"), _("组织单位"), _("类别"), _("资料类型"),
            _("种类数"), _("份数"), _("备注"), _("状态")]


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
    for label, value in zip(_total_headers(), _total_values(totals), strict=True):
        write(summary, row, [label, value])
        row += 1
    for heading, groups in ((_("类别"), by_category), (_("宣传活动"), by_campaign)):
        row += 1
        write(summary, row, [_("按%(what)s统计", what=heading)], {0: bold})
        row += 1
        write(summary, row, [heading, *_total_headers()], default=header)
        row += 1
        for group in groups:
            write(summary, row, [group.name, *_total_values(group.totals)])
            row += 1
        write(summary, row, [_("合计"), *_total_values(_sum(groups))],
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
        kinds = sum(m.kinds for m in event.materials)
        copies = sum(m.copies for m in event.materials)
        write(sheet, index, [
            index, event.id, event.title, local_naive(event.starts_at).date(),
            local_naive(event.starts_at), local_naive(event.ends_at), event.place,
            event.category.name, event.campaign.title if event.campaign else "",
            event.department.full_name, event.partner_units, "、".join(law_names(event)),
            _audiences(event), str(CHANNELS.get(event.channel, event.channel)),
            event.participants, event.quiz_completions, event.reach, event.volunteers,
            event.consultations, event.online_views, kinds, copies, event.summary,
            event.follow_up, _status(event),
            local_naive(event.submitted_at) if event.submitted_at else None,
            local_naive(event.verified_at) if event.verified_at else None],
            {3: day, 4: moment, 5: moment, 11: wrap, 22: wrap, 23: wrap, 25: moment,
             26: moment})

    # 宣传资料
    materials = workbook.add_worksheet(_("宣传资料"))
    for column, width in enumerate([8, 30, 11, 20, 10, 12, 8, 10, 30, 8]):
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
                material.copies, material.note, _status(event)], {2: day})
            row += 1
    workbook.close()
    return buffer.getvalue()


def _sum(groups: list[GroupTotals]) -> LedgerTotals:
    total = LedgerTotals()
    for group in groups:
        total = total.add(group.totals)
    return total


# --- DOCX ----------------------------------------------------------------------------------------


def summary_sentences(name: str, totals: LedgerTotals, events: list[OutreachEvent]) -> list[str]:
    """The activity summary in the office's register, from the figures only."""
    if not totals.events:
        return [_("%(name)s，暂无已提交的普法宣传活动。", name=name)]
    clauses = [_("共组织开展各类普法宣传活动%(events)s", events=exact(totals.events, _("场次")))]
    if totals.material_copies:
        clauses.append(_("发放宣传资料%(kinds)s%(copies)s",
                         kinds=exact(totals.material_kinds, _("种")),
                         copies=about(totals.material_copies, _("份"))))
    if totals.consultations:
        clauses.append(_("解答群众咨询%(n)s", n=about(totals.consultations, _("人次"))))
    clauses.append(_("受教育群众%(n)s", n=about(totals.reach, _("人次"))))
    first = _("%(name)s，%(clauses)s。", name=name, clauses="，".join(clauses))

    seven = sorted({e.category.name: e.category.position for e in events
                    if e.category.seven_into}.items(), key=lambda item: item[1])
    units = {(e.department.parent_id or e.department_id) for e in events}
    second: list[str] = []
    if seven:
        shown = "、".join(name for name, _position in seven[:3])
        second.append(_("活动覆盖%(names)s%(more)s%(n)s“七进”领域", names=shown,
                        more=_("等") if len(seven) > 3 else "",
                        n=exact(len(seven), _("个"))))
    second.append(_("%(n)s单位组织开展了活动", n=exact(len(units), _("个")).lstrip()))
    if totals.volunteers:
        second.append(_("组织志愿者%(n)s", n=about(totals.volunteers, _("人次"))))
    if totals.online_views:
        second.append(_("线上宣传浏览%(n)s", n=about(totals.online_views, _("次"))))
    sentences = [first, "，".join(second) + "。"]

    counts: dict[str, int] = defaultdict(int)
    for event in events:
        for law in law_names(event):
            counts[law] += 1
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    if top:
        marks = "".join(_("《%(title)s》", title=title.strip("《》")) for title, _n in top[:3])
        sentences.append(_("重点宣传了%(laws)s%(more)s法律法规。", laws=marks,
                           more=_("等") if len(top) > 3 else ""))
    return sentences


def rounding_note() -> str:
    return _("注：文中“余”表示实际数字多于所列数字（向下取两位有效数字），“近”表示实际数字"
             "略少于所列整数（相差不超过百分之五），其余为准确数字；准确数字见“主要数据”表。")


def summary_photos(filters: LedgerFilters) -> tuple[list[OutreachPhoto], int]:
    """The photos for the summary and how many to insert: every featured photo of the
    ledger's events; if none is featured, the first few that can be read (candidates are
    fetched beyond that number in case a file is missing)."""
    base = (select(OutreachPhoto).join(OutreachEvent, OutreachPhoto.event_id == OutreachEvent.id)
            .where(*conditions(filters)).order_by(OutreachEvent.starts_at, OutreachPhoto.id))
    featured = list(db.session.scalars(base.where(OutreachPhoto.featured.is_(True))))
    if featured:
        return featured, len(featured)
    return list(db.session.scalars(base.limit(DEFAULT_PHOTOS * 3))), DEFAULT_PHOTOS


def _picture(photo: OutreachPhoto) -> tuple[io.BytesIO, float] | None:
    """The photo made smaller for Word, and its aspect ratio; None if it cannot be read."""
    from PIL import Image, UnidentifiedImageError

    from lawlearn.outreach.photos import photo_path

    try:
        with Image.open(photo_path(photo)) as image:
            picture = image.convert("RGB")
    except (OSError, UnidentifiedImageError):
        current_app.logger.warning("Outreach photo %s missing or unreadable", photo.id)
        return None
    picture.thumbnail((1600, 1600))
    stream = io.BytesIO()
    picture.save(stream, "JPEG", quality=85)
    stream.seek(0)
    return stream, picture.width / picture.height


def _set_fonts(document) -> None:
    """Chinese fonts on the styles used (Word falls back to a Latin font without
    w:eastAsia; headings name theme fonts that would win over ours)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    for name, font, size in (("Normal", "仿宋", 12), ("Title", "黑体", 20),
                             ("Heading 1", "黑体", 15), ("Heading 2", "楷体", 13),
                             ("Caption", "楷体", 10.5)):
        style = document.styles[name]
        style.font.name = font
        style.font.size = Pt(size)
        # Official documents are printed in black; the template's headings are blue.
        style.font.color.rgb = RGBColor(0, 0, 0)
        if name == "Caption":
            style.font.bold = False
        fonts = style.element.rPr.rFonts
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)
        fonts.set(qn("w:eastAsia"), font)


def _table(document, headers: list[str], rows: list[list[Any]], numeric: set[int]):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for column, (cell, value) in enumerate(zip(cells, values, strict=True)):
            cell.text = f"{value:,}" if isinstance(value, int) else str(value)
            if column in numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def export_docx(filters: LedgerFilters, now: datetime, campaign: Campaign | None = None) -> bytes:
    """The activity summary (活动总结): the summary paragraph, the main figures, a table per
    category listing its events, and the featured photos with captions."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    totals = ledger_totals(filters)
    events = ledger_events(filters)
    photos, photo_limit = summary_photos(filters)
    described = describe_filters(filters)

    document = Document()
    _set_fonts(document)
    section = document.sections[0]
    section.left_margin = section.right_margin = Cm(2.6)

    if campaign is not None:
        heading = _("%(title)s活动总结", title=campaign.title)
        period = _("%(start)s至%(end)s", start=display_date(campaign.starts_on),
                   end=display_date(campaign.ends_on))
        name = _("%(title)s期间（%(period)s）", title=campaign.title, period=period)
        if not (filters.date_from or filters.date_to):
            described[0] = (_("活动期间"), period)
    else:
        heading = _("普法宣传活动总结")
        start = display_date(filters.date_from) if filters.date_from else _("此前")
        end = display_date(filters.date_to) if filters.date_to else _("至今")
        name = _("%(start)s至%(end)s", start=start, end=end)
    document.add_heading(heading, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    scope = document.add_paragraph("；".join(f"{label}：{value}" for label, value in described))
    scope.alignment = WD_ALIGN_PARAGRAPH.CENTER
    scope.style = document.styles["Caption"]

    document.add_heading(_("一、活动概况"), level=1)
    for sentence in summary_sentences(name, totals, events):
        paragraph = document.add_paragraph(sentence)
        paragraph.paragraph_format.first_line_indent = Cm(0.85)
    document.add_paragraph(rounding_note()).style = document.styles["Caption"]

    document.add_heading(_("二、主要数据"), level=1)
    _table(document, [_("项目"), _("数值")],
           [list(pair) for pair in zip(_total_headers(), _total_values(totals), strict=True)],
           {1})

    document.add_heading(_("三、分类活动情况"), level=1)
    groups: dict[int, list[OutreachEvent]] = defaultdict(list)
    categories: dict[int, OutreachCategory] = {}
    for event in events:
        groups[event.category_id].append(event)
        categories[event.category_id] = event.category
    ordered = sorted(categories.values(), key=lambda c: (c.position, c.id))
    if not ordered:
        document.add_paragraph(_("暂无活动。"))
    for number, category in enumerate(ordered, start=1):
        listed = groups[category.id]
        document.add_heading(_("（%(n)s）%(name)s（%(count)d 场）", n=chinese_ordinal(number),
                               name=category.name, count=len(listed)), level=2)
        _table(document, [_("序号"), _("日期"), _("活动名称"), _("组织单位"), _("地点"),
                          _("受众（人次）"), _("资料（份）"), _("咨询（人次）")],
               [[index, display_date(local_naive(e.starts_at).date()), e.title,
                 e.department.full_name, e.place, e.reach, sum(m.copies for m in e.materials),
                 e.consultations] for index, e in enumerate(listed, start=1)],
               {0, 5, 6, 7})

    if photos:
        document.add_heading(_("四、活动照片"), level=1)
        by_id = {e.id: e for e in events}
        figure = 0
        for photo in photos:
            if figure >= photo_limit:
                break
            picture = _picture(photo)
            if picture is None:
                continue
            stream, ratio = picture
            # 15 cm wide when landscape; portrait photos 11 cm tall.
            width = Cm(15) if ratio >= 1 else Cm(11 * ratio)
            document.add_picture(stream, width=width)
            document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            figure += 1
            event = by_id.get(photo.event_id) or photo.event
            text = photo.caption or event.title
            caption = document.add_paragraph(
                _("图%(n)d　%(text)s（%(date)s，%(place)s）", n=figure, text=text,
                  date=display_date(local_naive(event.starts_at).date()),
                  place=event.place or event.department.full_name),
                style="Caption")
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER

    footer = document.add_paragraph(_("导出时间：%(time)s", time=local_time(now)))
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
