"""A draft of the annual report's study-and-publicity section (学法用法和普法宣传) as DOCX:
two paragraphs in the office's register written from the report's figures (A4 portrait),
then the tables behind them (departments, sessions, quizzes, outreach by category) in an
A4 landscape section, each column as wide as what it holds. Chinese fonts (w:eastAsia) on
every style used; departments named as prose names them (区政府办公室综合科, no slash).

A clause whose figure is missing is left out rather than written as "0" ("开展在线测试 0
场，通过率 —" reads badly in a report); a part with nothing at all says so in one line.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import IO, Any

from flask_babel import gettext as _

from lawlearn.exports import local_time
from lawlearn.i18n import display_date
from lawlearn.localtime import local_day
from lawlearn.outreach.activity_summary import _set_fonts
from lawlearn.outreach.export import total_values
from lawlearn.reports.export_tables import (
    Field,
    Headline,
    Table,
    department_table,
    headline,
    outreach_headers,
    plan_rule_text,
    prose_name,
    quiz_table,
    rate_rule_text,
    scope_text,
    session_table,
    value_text,
)
from lawlearn.reports.participation import ParticipationReport
from lawlearn.rounding import percent_text
from lawlearn.text_input import xml_safe

TABLE_FONT_SIZE = 9  # points
# The tables' section: A4 landscape; the width left between the margins, in millimetres.
LANDSCAPE_MARGINS = (20, 20, 25, 20)  # left, right, top, bottom
TABLE_WIDTH = 297 - LANDSCAPE_MARGINS[0] - LANDSCAPE_MARGINS[1]
# One unit of an XLSX column width (a digit) at the tables' 9 points, cell padding included.
MM_PER_CHARACTER = 2.2


# --- the text ------------------------------------------------------------------------------


def _is_whole_year(report: ParticipationReport) -> bool:
    return (report.date_from == date(report.date_from.year, 1, 1)
            and report.date_to == date(report.date_from.year, 12, 31))


def _year_not_over(report: ParticipationReport) -> bool:
    """A calendar year drafted before it ends (December's draft): not yet "全年"."""
    return _is_whole_year(report) and local_day(report.generated_at) <= report.date_to


def _year_to_date(report: ParticipationReport) -> bool:
    """From 1 January to the day the draft is made (the report page's one-tap 今年（截至今天）),
    or a calendar year drafted before it ends: 2026年以来（截至…）, titled with its year."""
    starts_with_the_year = report.date_from == date(report.date_from.year, 1, 1)
    return starts_with_the_year and report.date_to.year == report.date_from.year \
        and (report.date_to == local_day(report.generated_at) or _year_not_over(report))


def _opening(report: ParticipationReport) -> str:
    """What a sentence starts with: "全年" ("执法局全年") for a calendar year that is over,
    "2026年以来（截至2026年11月30日），" for one still running, else
    "2024年3月1日至2024年6月30日，" ("…，执法局")."""
    department = prose_name(report.department) if report.department else ""
    if _year_to_date(report):
        return _("%(year)d年以来（截至%(day)s），%(department)s", year=report.date_from.year,
                 day=display_date(local_day(report.generated_at)), department=department)
    if _is_whole_year(report):
        return _("%(department)s全年", department=department)
    return _("%(start)s至%(end)s，%(department)s", start=display_date(report.date_from),
             end=display_date(report.date_to), department=department)


def _count(n: int) -> str:
    return f"{n:,}"


def _hours(value: float) -> str:
    """1,234.5 (whole hours without ".0")."""
    return f"{value:,.1f}".removesuffix(".0")


def study_sentence(report: ParticipationReport, figures: Headline) -> str:
    """全年组织集中学法 X 次，参学 Y 人次，参学率 Z%；开展在线测试 N 场，参测 M 人次，
    通过率 P%；干部职工累计学习 H 学时，人均 h 学时；…。"""
    clauses = []
    # A department's report counts the office's sessions and quizzes its people were asked
    # to: they took part in them; the office organised them.
    office = report.department is None
    if figures.sessions_held:
        clause = _("组织集中学法 %(n)s 次", n=_count(figures.sessions_held)) if office \
            else _("参加集中学法 %(n)s 次", n=_count(figures.sessions_held))
        if figures.attendances:
            clause += _("，参学 %(n)s 人次", n=_count(figures.attendances))
        if figures.attendance_rate is not None:
            clause += _("，参学率 %(rate)s", rate=percent_text(figures.attendance_rate))
        clauses.append(clause)
    # A department that took none of the quizzes set for it is said so (应参测, 参测率 0).
    clause = ""
    if figures.quizzes_held:
        clause = _("开展在线测试 %(n)s 场", n=_count(figures.quizzes_held)) if office \
            else _("参加在线测试 %(n)s 场", n=_count(figures.quizzes_held))
        if figures.quiz_takers:
            clause += _("，参测 %(n)s 人次", n=_count(figures.quiz_takers))
            # 人次 counts a person once a quiz; papers handed in again are said beside it
            # (the quiz table's 答卷份数), or "参测 23 人次" reads short of 26 papers.
            papers = sum(quiz.attempts for quiz in report.quizzes)
            if papers > figures.quiz_takers:
                clause += _("（每人每场计一次），答卷 %(n)s 份", n=_count(papers))
        if figures.quiz_pass_rate is not None:
            clause += _("，通过率 %(rate)s", rate=percent_text(figures.quiz_pass_rate))
    if figures.quiz_take_rate is not None:
        # Of those the quizzes were for, apart from the papers above (which count exit
        # quizzes and anyone who took one): "通过率 100%" alone read well with 1 of 12.
        numbers = {"expected": _count(figures.quiz_expected),
                   "taken": _count(figures.quiz_expected_taken),
                   "rate": percent_text(figures.quiz_take_rate)}
        clause = clause + _("；应参测 %(expected)s 人次，已参测 %(taken)s 人次，参测率 %(rate)s",
                            **numbers) if clause else \
            _("在线测试应参测 %(expected)s 人次，已参测 %(taken)s 人次，参测率 %(rate)s", **numbers)
    if clause:
        clauses.append(clause)
    if figures.hours_earned:
        clause = _("干部职工累计学习 %(n)s 学时", n=_hours(figures.hours_earned))
        if figures.hours_per_capita:
            clause += _("，人均 %(n)s 学时", n=_hours(figures.hours_per_capita))
        clauses.append(clause)
    if figures.items_answered:
        clauses.append(_("在线测试、每日一练和挑战答题累计答题 %(n)s 道次",
                         n=_count(figures.items_answered)))
    if figures.practice_days:
        clauses.append(_("参加每日一练 %(n)s 人次", n=_count(figures.practice_days)))
    if figures.reflections:
        clauses.append(_("撰写学习心得通过审核 %(n)s 篇", n=_count(figures.reflections)))
    if not clauses:
        return _("%(opening)s暂无集中学法、在线测试等学法记录。", opening=_opening(report))
    return _("%(opening)s%(clauses)s。", opening=_opening(report), clauses="；".join(clauses))


def session_kinds_sentence(report: ParticipationReport) -> str | None:
    """其中，集中学法 7 次、会前学法 7 次……: the sessions counted above by their kind, so
    the document sent upward shows what "集中学法" (every kind held together) was made of;
    None with one kind only."""
    kinds = Counter(row.kind for row in report.sessions)
    if len(kinds) < 2:
        return None
    parts = [_("%(kind)s %(n)s 次", kind=kind, n=_count(n))
             for kind, n in sorted(kinds.items(), key=lambda pair: (-pair[1], pair[0]))]
    return _("其中，%(parts)s。", parts="、".join(parts))


def outreach_sentences(report: ParticipationReport, figures: Headline) -> list[str]:
    """开展普法宣传活动 E 场，覆盖群众 R 人次，发放宣传资料 K 种 C 份，解答群众咨询 Q 人次。
    其中，进社区 3 场、进学校 2 场。"""
    totals = figures.outreach
    if totals is None or not totals.events:
        return [_("%(opening)s暂无已提交的普法宣传活动。", opening=_opening(report))]
    clauses = [_("开展普法宣传活动 %(n)s 场", n=_count(totals.events))]
    awaiting = report.outreach.awaiting_review if report.outreach is not None else 0
    if awaiting:
        clauses[0] += _("（其中 %(n)s 场尚待审核）", n=_count(awaiting))
    if totals.reach:
        clauses.append(_("覆盖群众 %(n)s 人次", n=_count(totals.reach)))
    if totals.material_copies:
        clauses.append(_("发放宣传资料 %(kinds)s 种 %(copies)s 份",
                         kinds=_count(totals.material_kinds),
                         copies=_count(totals.material_copies)))
    if totals.consultations:
        clauses.append(_("解答群众咨询 %(n)s 人次", n=_count(totals.consultations)))
    if totals.volunteers:
        clauses.append(_("组织志愿者 %(n)s 人次", n=_count(totals.volunteers)))
    if totals.online_views:
        clauses.append(_("线上宣传浏览 %(n)s 次", n=_count(totals.online_views)))
    sentences = [_("%(opening)s%(clauses)s。", opening=_opening(report),
                   clauses="，".join(clauses))]
    held = [group for group in report.outreach.by_category if group.totals.events]
    if held:
        parts = [_("%(name)s %(n)s 场", name=group.name, n=_count(group.totals.events))
                 for group in held]
        sentences.append(_("其中，%(parts)s。", parts="、".join(parts)))
    # The campaigns (宪法宣传周 above all) by name: the page and the workbook had them, the
    # draft sent upward said nothing of them.
    for group in report.outreach.by_campaign:
        if group.id is not None and group.totals.events:
            sentence = _("%(name)s期间开展活动 %(n)s 场", name=group.name,
                         n=_count(group.totals.events))
            if group.totals.reach:
                sentence += _("，覆盖群众 %(n)s 人次", n=_count(group.totals.reach))
            sentences.append(sentence + "。")
    return sentences


# --- the tables ----------------------------------------------------------------------------


def column_widths(weights: list[float], total: float = TABLE_WIDTH) -> list[float]:
    """Millimetres for each column from ``weights`` (the XLSX column widths, in characters:
    names and titles wide, numbers narrow); narrower in proportion when they would not fit
    in ``total``."""
    scale = min(MM_PER_CHARACTER, total / (sum(weights) or 1))
    return [weight * scale for weight in weights]


def _repeat_header(row) -> None:
    """Word repeats this row at the top of every page the table runs onto."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _add_table(document, headers: list[str], rows: list[list[str]], numeric: set[int],
               weights: list[float]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = xml_safe(text)
    _repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for column, (cell, text) in enumerate(zip(cells, values, strict=True)):
            cell.text = xml_safe(text)
            if column in numeric:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    widths = [Mm(width) for width in column_widths(weights)]
    # Word reads each cell's width, LibreOffice the grid's: set both.
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for index, row in enumerate(table.rows):
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
            for run in cell.paragraphs[0].runs:
                run.font.size = Pt(TABLE_FONT_SIZE)
                run.bold = index == 0 or None


def _texts(values: list[Any], fields: list[Field]) -> list[str]:
    return [value_text(value, f.kind, grouped=True, spreadsheet=False) or "—"
            for value, f in zip(values, fields, strict=True)]


def _numeric(fields: list[Field]) -> set[int]:
    return {i for i, f in enumerate(fields) if f.kind not in ("text", "moment")}


def _table_from(document, table: Table, keep: list[int] | None = None) -> None:
    """``table`` (only the columns ``keep``) as a Word table, its total last."""
    keep = keep if keep is not None else list(range(len(table.fields)))
    fields = [table.fields[i] for i in keep]
    rows = [[values[i] for i in keep] for values in table.rows]
    if table.total is not None:
        rows.append([table.total[i] for i in keep])
    if not rows:
        document.add_paragraph(_("（无）"))
        return
    weights = [table.widths[i] if i < len(table.widths) else 9 for i in keep]
    _add_table(document, [f.label for f in fields], [_texts(r, fields) for r in rows],
               _numeric(fields), weights)


def _department_tables(document, report: ParticipationReport) -> None:
    """The department table split by group (集中学法, 学习计划, …) so that each fits the
    page: 部门 and 人数, then the group's columns with their per-capita figures."""
    table = department_table(report)
    rows = list(table.rows)
    basics = [0, 1]
    groups: dict[str, list[int]] = {}
    for index, f in enumerate(table.fields[2:], start=2):
        groups.setdefault(f.group, []).append(index)
    for number, (group, indexes) in enumerate(groups.items(), start=1):
        caption = document.add_paragraph()
        caption.add_run(xml_safe(_("%(n)d. %(group)s", n=number,
                                   group=group or _("其他")))).bold = True
        _table_from(document, Table(table.name, table.fields, iter(rows), table.total,
                                    widths=table.widths), basics + indexes)


def _outreach_table(document, report: ParticipationReport, by_campaign: bool = False) -> None:
    section = report.outreach
    groups = section.by_campaign if by_campaign else section.by_category
    rows = [[group.name, *total_values(group.totals)] for group in groups
            if group.totals.events]
    if not rows:
        document.add_paragraph(_("（无）"))
        return
    rows.append([_("合计"), *total_values(section.totals)])  # campaigns: with the unassigned
    headers = [_("主题宣传") if by_campaign else _("类别"), *outreach_headers()]
    _add_table(document, headers, [[r[0]] + [f"{v:,}" for v in r[1:]] for r in rows],
               set(range(1, len(headers))), [16] + [9] * (len(headers) - 1))


# --- the document --------------------------------------------------------------------------


def _document():
    from docx import Document
    from docx.shared import Mm

    document = Document()
    _set_fonts(document)
    # A4 (python-docx's default is US Letter), with the margins of official documents.
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    return document


def _landscape_section(document) -> None:
    """A new page in A4 landscape for the tables: a session's title and time fit on one
    line there."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Mm

    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    left, right, top, bottom = LANDSCAPE_MARGINS
    section.left_margin, section.right_margin = Mm(left), Mm(right)
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)


def write_docx(report: ParticipationReport, target: str | Path | IO[bytes]) -> None:
    """Write the draft section to ``target`` (a path or a binary file object). The report
    must have been built with its tables."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    figures = headline(report)
    document = _document()
    title = _("%(year)s年度学法用法和普法宣传工作情况", year=report.date_from.year) \
        if _is_whole_year(report) or _year_to_date(report) else _("学法用法和普法宣传工作情况")
    document.add_heading(title, level=0).alignment = WD_ALIGN_PARAGRAPH.CENTER
    about = document.add_paragraph(xml_safe(_("统计范围：%(scope)s；统计期间：%(period)s",
                                              scope=scope_text(report, prose=True),
                                              period=_("%(start)s至%(end)s",
                                                       start=display_date(report.date_from),
                                                       end=display_date(report.date_to)))),
                                   style="Caption")
    about.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def body(text: str) -> None:
        paragraph = document.add_paragraph(xml_safe(text))
        paragraph.paragraph_format.first_line_indent = Cm(0.85)

    document.add_heading(_("一、学法用法情况"), level=1)
    body(study_sentence(report, figures))
    kinds = session_kinds_sentence(report)
    if kinds:
        body(kinds)
    document.add_paragraph(_("注：%(rule)s参学率按合计计算，不是各部门或各人参学率的平均。",
                             rule=rate_rule_text(report.rule)), style="Caption")
    document.add_heading(_("二、普法宣传情况"), level=1)
    for sentence in outreach_sentences(report, figures):
        body(sentence)

    _landscape_section(document)
    document.add_heading(_("三、数据附表"), level=1)
    document.add_heading(_("（一）各部门参学情况"), level=2)
    _department_tables(document, report)
    document.add_paragraph(_("注：%(rule)s", rule=plan_rule_text(report.date_to,
                                                                report.generated_at)),
                           style="Caption")
    document.add_heading(_("（二）集中学法情况"), level=2)
    _table_from(document, session_table(report))
    document.add_paragraph(_("注：集中学法签到结束后计入统计，已取消的不计。"), style="Caption")
    document.add_heading(_("（三）在线测试情况"), level=2)
    _table_from(document, quiz_table(report))
    document.add_heading(_("（四）普法宣传活动分类统计"), level=2)
    if report.outreach is not None:
        _outreach_table(document, report)
        if any(group.id is not None and group.totals.events
               for group in report.outreach.by_campaign):
            document.add_heading(_("（五）主题宣传活动统计"), level=2)
            _outreach_table(document, report, by_campaign=True)

    footer = document.add_paragraph(_("本稿根据系统数据自动生成（%(time)s），请核对后使用。",
                                      time=local_time(report.generated_at)), style="Caption")
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    document.save(str(target) if isinstance(target, Path) else target)
