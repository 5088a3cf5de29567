"""The question bank as an XLSX workbook in the import template's columns, so that an office
can review its bank, keep a copy, or carry it to another installation and import it there.

The cells use the words the importer reads (单选, 易, 正确 …), whatever the page's language:
the file is data, not a page.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from sqlalchemy import Select
from sqlalchemy.orm import joinedload

from lawlearn.extensions import db
from lawlearn.library.models import LawArticle
from lawlearn.quiz.importing import COLUMNS, OPTION_COLUMNS, TEMPLATE_OPTION_COLUMNS
from lawlearn.quiz.models import Question

TYPE_WORDS = {"single": "单选", "multiple": "多选", "true_false": "判断", "fill": "填空"}
DIFFICULTY_WORDS = {"easy": "易", "medium": "中", "hard": "难"}
STATUS_WORDS = {"active": "在用", "retired": "已停用"}
# After the importer's columns; it reads neither (a re-import matches by text, not number).
EXTRA_COLUMNS = ["编号", "状态"]


def answer_text(question: Question) -> str:
    """The answer as the import reads it and the question form shows it: B, AC, 正确,
    依法治国|法治/社会主义法治."""
    if question.type == "single":
        return question.answer
    if question.type == "multiple":
        return "".join(question.answer)
    if question.type == "true_false":
        return "正确" if question.answer else "错误"
    return "|".join("/".join(alternatives) for alternatives in question.answer)


def _article(question: Question) -> str:
    article = question.article
    return f"{article.law.display_title}{article.label}" if article is not None else ""


def columns_for(questions: list[Question]) -> list[str]:
    """The template's columns, with 选项G and 选项H only when a question has that many."""
    widest = max((len(q.options) for q in questions), default=0)
    options = OPTION_COLUMNS[:max(len(TEMPLATE_OPTION_COLUMNS), widest)]
    start, end = COLUMNS.index(TEMPLATE_OPTION_COLUMNS[0]), COLUMNS.index("答案")
    return [*COLUMNS[:start], *options, *COLUMNS[end:], *EXTRA_COLUMNS]


def question_row(question: Question, option_count: int) -> list[str | int]:
    options = [*question.options, *[""] * option_count][:option_count]
    return [TYPE_WORDS[question.type], question.stem, *options, answer_text(question),
            question.explanation or "", "；".join(question.tags or []),
            DIFFICULTY_WORDS.get(question.difficulty, ""), _article(question), question.id,
            STATUS_WORDS.get(question.status, question.status)]


def questions_for_export(query: Select[tuple[Question]]) -> list[Question]:
    """The questions of a bank query (the list page's filters), oldest first, with their
    articles in the same query."""
    return list(db.session.scalars(
        query.order_by(None).order_by(Question.id)
        .options(joinedload(Question.article).joinedload(LawArticle.law))))


def bank_workbook(questions: Iterable[Question]) -> bytes:
    import xlsxwriter

    questions = list(questions)
    columns = columns_for(questions)
    option_count = sum(1 for column in columns if column in OPTION_COLUMNS)
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False})
    header = workbook.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    sheet = workbook.add_worksheet("试题")
    sheet.write_row(0, 0, columns, header)
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 48, wrap)
    sheet.set_column(2, 1 + option_count, 18, wrap)
    sheet.set_column(2 + option_count, len(columns) - 1, 14)
    sheet.freeze_panes(1, 0)
    for row, question in enumerate(questions, start=1):
        sheet.write_row(row, 0, question_row(question, option_count))
    workbook.close()
    return buffer.getvalue()
