"""The DOCX activity summary (活动总结) of a campaign or a period: a paragraph in the register
of the office's reports written from the ledger's own figures ("发放宣传资料 28 种 60,000 余份"),
the main figures, a table per category listing its events, and the chosen photos."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lawlearn.extensions import db
from lawlearn.i18n import display_date, display_datetime
from lawlearn.outreach.export import total_headers, total_values
from lawlearn.outreach.ledger import (
    LedgerFilters,
    LedgerTotals,
    conditions,
    count_laws,
    describe_filters,
    law_names,
    ledger_events,
    ledger_totals,
    local_naive,
)
from lawlearn.outreach.models import Campaign, OutreachCategory, OutreachEvent, OutreachPhoto
from lawlearn.text_input import xml_safe

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



# --- the summary -------------------------------------------------------------------------------


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
    clauses.append(_("覆盖群众%(n)s", n=about(totals.reach, _("人次"))))
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

    top = count_laws(law for event in events for law in law_names(event))
    if top:
        marks = "".join(_("《%(title)s》", title=title.strip("《》")) for title, _n in top[:3])
        # "…等法律法规" only where more laws stand behind the three named.
        sentences.append(_("重点宣传了%(laws)s等法律法规。", laws=marks) if len(top) > 3
                         else _("重点宣传了%(laws)s。", laws=marks))
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
        cell.text = xml_safe(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for column, (cell, value) in enumerate(zip(cells, values, strict=True)):
            cell.text = f"{value:,}" if isinstance(value, int) else xml_safe(str(value))
            if column in numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    return table


def export_docx(filters: LedgerFilters, now: datetime, campaign: Campaign | None = None) -> bytes:
    """The activity summary (活动总结): the summary paragraph, the main figures, a table per
    category listing its events, and the featured photos with captions."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Mm

    totals = ledger_totals(filters)
    events = ledger_events(filters)
    photos, photo_limit = summary_photos(filters)
    described = describe_filters(filters)

    document = Document()
    _set_fonts(document)
    section = document.sections[0]
    # A4 (python-docx's default is US Letter), with the margins of official documents.
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    if campaign is not None:
        heading = _("%(title)s活动总结", title=campaign.title)
        period = _("%(start)s至%(end)s", start=display_date(campaign.starts_on),
                   end=display_date(campaign.ends_on))
        name = _("%(title)s期间（%(period)s）", title=campaign.title, period=period)
        if not (filters.date_from or filters.date_to):
            described[0] = (_("活动期间"), period)
    else:
        whole_year = (filters.date_from is not None and filters.date_to is not None
                      and (filters.date_from.month, filters.date_from.day) == (1, 1)
                      and filters.date_to == filters.date_from.replace(month=12, day=31))
        # The year's summary sent upward is titled with its year, as the report's draft is.
        heading = _("%(year)d年度普法宣传活动总结", year=filters.date_from.year) \
            if whole_year else _("普法宣传活动总结")
        start = display_date(filters.date_from) if filters.date_from else _("此前")
        end = display_date(filters.date_to) if filters.date_to else _("至今")
        name = _("%(start)s至%(end)s", start=start, end=end)
    document.add_heading(xml_safe(heading), level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    scope = document.add_paragraph(xml_safe("；".join(f"{label}：{value}"
                                                    for label, value in described)))
    scope.alignment = WD_ALIGN_PARAGRAPH.CENTER
    scope.style = document.styles["Caption"]

    document.add_heading(_("一、活动概况"), level=1)
    for sentence in summary_sentences(name, totals, events):
        paragraph = document.add_paragraph(xml_safe(sentence))
        paragraph.paragraph_format.first_line_indent = Cm(0.85)
    if totals.events:  # with no event the summary has no rounded figure to explain
        document.add_paragraph(rounding_note()).style = document.styles["Caption"]

    document.add_heading(_("二、主要数据"), level=1)
    _table(document, [_("项目"), _("数值")],
           [list(pair) for pair in zip(total_headers(), total_values(totals), strict=True)],
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
        document.add_heading(xml_safe(_("（%(n)s）%(name)s（%(count)d 场）",
                                        n=chinese_ordinal(number), name=category.name,
                                        count=len(listed))), level=2)
        # 线上浏览 too: an online push reaches its readers there (its 覆盖群众 is 0).
        _table(document, [_("序号"), _("日期"), _("活动名称"), _("组织单位"), _("地点"),
                          _("覆盖群众（人次）"), _("线上浏览（次）"), _("资料（份）"),
                          _("咨询（人次）")],
               [[index, display_date(local_naive(e.starts_at).date()), e.title,
                 e.department.full_name, e.place, e.reach, e.online_views, e.handed_out[1],
                 e.consultations] for index, e in enumerate(listed, start=1)],
               {0, 5, 6, 7, 8})

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
            caption = document.add_paragraph(xml_safe(
                _("图%(n)d　%(text)s（%(date)s，%(place)s）", n=figure, text=text,
                  date=display_date(local_naive(event.starts_at).date()),
                  place=event.place or event.department.full_name)),
                style="Caption")
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER

    footer = document.add_paragraph(_("导出时间：%(time)s", time=display_datetime(now)))
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
