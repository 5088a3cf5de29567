"""Exports of a quiz's results: XLSX (with the item analysis and who has not handed in)
or CSV."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from flask_babel import gettext as _

from lawlearn.exports import csv_bytes, local_time
from lawlearn.quiz.audience import Outstanding, not_handed_in, outstanding
from lawlearn.quiz.item_analysis import ItemAnalysis, ItemStats, item_analysis
from lawlearn.quiz.models import GRADING_METHODS, Quiz
from lawlearn.quiz.results import PersonResult, QuizResults, quiz_results
from lawlearn.rounding import percent_text

EXPORT_FORMATS = ("xlsx", "csv")


def _result_headers() -> list[str]:
    return [_("姓名"), _("用户名"), _("部门"), _("成绩"), _("满分"), _("得分率"), _("答题次数"),
            _("是否及格"), _("最后提交时间")]


def _result_row(person: PersonResult, moment=None) -> list[Any]:
    """A person's row: in text for CSV; for XLSX (``moment`` given) the rate a fraction and
    the time a local datetime, cells a spreadsheet computes and sorts with."""
    passed = "" if person.passed is None else (_("及格") if person.passed else _("不及格"))
    rate = person.score / person.max_score \
        if person.score is not None and person.max_score else None
    when = person.last_submitted_at
    return [person.name, person.username, person.department or _("未分配部门"), person.score,
            person.max_score, rate if moment else percent_text(rate), person.attempts, passed,
            (moment(when) if when else None) if moment else local_time(when)]


def _summary_rows(results: QuizResults, outstanding: Outstanding | None
                  ) -> list[tuple[str, Any, bool]]:
    """The results page's figures, as the report upward quotes them: (label, value, whether
    a rate: a fraction, formatted as a percent)."""
    quiz = results.quiz
    rows: list[tuple[str, Any, bool]] = [
        (_("测验"), quiz.title, False),
        (_("开放时间"), " – ".join(local_time(t) for t in (quiz.opens_at, quiz.closes_at) if t),
         False),
        (_("计分方式"), str(GRADING_METHODS.get(quiz.grading, quiz.grading)), False),
        (_("及格线"), quiz.pass_percent / 100, True)]
    if outstanding is not None:
        rows += [(_("应参加人数"), outstanding.expected, False),
                 (_("未交卷人数"), outstanding.missing, False)]
    rows += [(_("交卷人数"), results.graded_people, False),
             (_("交卷次数"), results.attempts, False),
             (_("正在答题"), results.in_progress, False), (_("平均分"), results.average, False),
             (_("中位数"), results.median, False), (_("及格人数"), results.passed, False),
             (_("及格率"), results.pass_rate, True), (_("最高分"), results.highest, False),
             (_("最低分"), results.lowest, False)]
    return rows


def _item_headers() -> list[str]:
    return [_("序号"), _("试题编号"), _("题型"), _("题干"), _("答卷数（含未作答）"), _("难度系数"),
            _("标准差"), _("区分度"), _("区分效率"), _("选项分布"), _("提示")]


def _response_summary(item: ItemStats) -> str:
    parts = [_("%(key)s：%(count)d 人（%(rate)s）", key=r.label, count=r.count,
               rate=percent_text(r.rate)) for r in item.responses]
    if item.type == "fill":
        parts.append(_("答对 %(n)s 人", n=item.correct))
    if item.unanswered:
        parts.append(_("未作答 %(n)s 人", n=item.unanswered))
    return "；".join(parts)


def export_results(quiz: Quiz, format: str) -> bytes:
    """The people's results as XLSX (with sheets 试题分析 and 未交卷) or as CSV with a BOM."""
    if format not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {format!r}")
    results = quiz_results(quiz)
    if format == "csv":
        return csv_bytes([_result_headers()] + [_result_row(p) for p in results.people])
    return _xlsx(results, item_analysis(quiz), not_handed_in(quiz), outstanding(quiz))


def _xlsx(results: QuizResults, analysis: ItemAnalysis,
          missing: list[tuple[str, str, str | None]] | None,
          counts: Outstanding | None) -> bytes:
    import xlsxwriter

    from lawlearn.localtime import local_moment

    buffer = io.BytesIO()
    # constant_memory writes each row out as soon as the next begins: large quizzes stay small.
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    header = workbook.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    percent = workbook.add_format({"num_format": "0.0%"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    bold = workbook.add_format({"bold": True})

    def write_row(sheet, row: int, values: list[Any], formats: dict[int, Any]) -> None:
        for column, value in enumerate(values):
            style = formats.get(column)
            if value is None or value == "":
                sheet.write_blank(row, column, None, style)
            elif isinstance(value, str):
                sheet.write_string(row, column, value, style)
            elif isinstance(value, datetime):
                sheet.write_datetime(row, column, value, moment)
            else:
                sheet.write_number(row, column, value, style)

    # 汇总 first: the figures the office reports upward, as the results page shows them.
    summary = workbook.add_worksheet(_("汇总"))
    summary.set_column(0, 0, 16)
    summary.set_column(1, 3, 14)
    row = 0
    for label, value, rate in _summary_rows(results, counts):
        write_row(summary, row, [label, value], {0: bold, 1: percent if rate else None})
        row += 1
    row += 1
    summary.write_row(row, 0, [_("成绩分布（得分率）"), _("人数")], header)
    for band in results.bands:
        row += 1
        write_row(summary, row, [f"{band.low}%–{band.high}%", band.count], {})
    row += 2
    summary.write_row(row, 0, [_("部门"), _("交卷人数"), _("平均分"), _("及格率")], header)
    for department in results.departments:
        row += 1
        write_row(summary, row, [department.name, department.people, department.average,
                                 department.pass_rate], {3: percent})

    people = workbook.add_worksheet(_("成绩"))
    headers = _result_headers()
    people.set_column(0, 1, 14)
    people.set_column(2, 2, 28)
    people.set_column(3, 7, 10)
    people.set_column(8, 8, 18)
    people.freeze_panes(1, 0)
    people.write_row(0, 0, headers, header)

    def local(value: datetime) -> datetime:
        return local_moment(value).replace(tzinfo=None)

    for row, person in enumerate(results.people, start=1):
        write_row(people, row, _result_row(person, local), {5: percent})

    sheet = workbook.add_worksheet(_("试题分析"))
    sheet.set_column(0, 2, 8)
    sheet.set_column(3, 3, 50)
    sheet.set_column(4, 8, 10)
    sheet.set_column(9, 10, 40)
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, _item_headers(), header)
    for row, item in enumerate(analysis.items, start=1):
        write_row(sheet, row, [
            item.number, item.question_id, item.type_label,
            f"{item.stem}（{item.version_label}）" if item.version else item.stem, item.attempts,
            item.facility, item.sd, item.discrimination, item.efficiency,
            _response_summary(item), "、".join(item.flag_labels)],
            {3: wrap, 5: percent, 6: percent, 7: percent, 8: percent, 9: wrap})

    if missing is None:  # listed to nobody: nobody to chase
        workbook.close()
        return buffer.getvalue()
    # Everyone still to chase, where the page names the first hundred.
    chase = workbook.add_worksheet(_("未交卷"))
    chase.set_column(0, 1, 14)
    chase.set_column(2, 2, 28)
    chase.freeze_panes(1, 0)
    chase.write_row(0, 0, [_("姓名"), _("用户名"), _("部门")], header)
    for row, (name, username, department) in enumerate(missing, start=1):
        write_row(chase, row, [name, username, department or _("未分配部门")], {})
    workbook.close()
    return buffer.getvalue()
