"""Exports of a quiz's results: XLSX (with the item analysis and who has not handed in)
or CSV."""

from __future__ import annotations

import io
from typing import Any

from flask_babel import gettext as _

from lawlearn.exports import csv_bytes, local_time
from lawlearn.quiz.audience import not_handed_in
from lawlearn.quiz.item_analysis import ItemAnalysis, ItemStats, item_analysis
from lawlearn.quiz.models import Quiz
from lawlearn.quiz.results import PersonResult, QuizResults, quiz_results
from lawlearn.rounding import percent_text

EXPORT_FORMATS = ("xlsx", "csv")


def _result_headers() -> list[str]:
    return [_("姓名"), _("用户名"), _("部门"), _("成绩"), _("满分"), _("答题次数"),
            _("是否及格"), _("最后提交时间")]


def _result_row(person: PersonResult) -> list[Any]:
    passed = "" if person.passed is None else (_("及格") if person.passed else _("不及格"))
    return [person.name, person.username, person.department or _("未分配部门"), person.score,
            person.max_score, person.attempts, passed, local_time(person.last_submitted_at)]


def _item_headers() -> list[str]:
    return [_("序号"), _("试题编号"), _("题型"), _("题干"), _("作答人数"), _("难度系数"),
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
    return _xlsx(results, item_analysis(quiz), not_handed_in(quiz))


def _xlsx(results: QuizResults, analysis: ItemAnalysis,
          missing: list[tuple[str, str, str | None]] | None) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    # constant_memory writes each row out as soon as the next begins: large quizzes stay small.
    workbook = xlsxwriter.Workbook(buffer, {"constant_memory": True})
    header = workbook.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    percent = workbook.add_format({"num_format": "0.0%"})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})

    def write_row(sheet, row: int, values: list[Any], formats: dict[int, Any]) -> None:
        for column, value in enumerate(values):
            style = formats.get(column)
            if value is None or value == "":
                sheet.write_blank(row, column, None, style)
            elif isinstance(value, str):
                sheet.write_string(row, column, value, style)
            else:
                sheet.write_number(row, column, value, style)

    people = workbook.add_worksheet(_("成绩"))
    headers = _result_headers()
    people.set_column(0, 1, 14)
    people.set_column(2, 2, 28)
    people.set_column(3, 6, 10)
    people.set_column(7, 7, 18)
    people.freeze_panes(1, 0)
    people.write_row(0, 0, headers, header)
    for row, person in enumerate(results.people, start=1):
        write_row(people, row, _result_row(person), {})

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
