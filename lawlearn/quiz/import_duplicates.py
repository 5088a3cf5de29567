"""Rows of a question import that are already in the bank (same stem and options) but say
something else: an office that exports its bank, corrects an answer in Excel and imports
the file again would otherwise see the row skipped as a duplicate and believe the bank
corrected. The import never changes a question already in the bank; it names the rows
whose answer, explanation, difficulty, tags or article differ, so that they are edited in
the bank.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lawlearn.extensions import db
from lawlearn.quiz.bank import QuestionFields
from lawlearn.quiz.grading import normalize_text
from lawlearn.quiz.models import OPTION_KEYS, Question

CHUNK = 500  # ids per query: far below any database's limit on parameters


def _correct(kind: str, options: list[str], answer: Any) -> Any:
    """What the answer means whatever the options' order: the texts of the right options,
    true or false, or the normalised alternatives of each blank."""
    if kind in ("single", "multiple"):
        letters = [answer] if isinstance(answer, str) else list(answer or [])
        return frozenset(normalize_text(options[OPTION_KEYS.index(letter)])
                         for letter in letters
                         if letter and letter in OPTION_KEYS
                         and OPTION_KEYS.index(letter) < len(options))
    if kind == "fill":
        return [frozenset(normalize_text(text) for text in blank) for blank in answer or []]
    return bool(answer)


# What a row may change, as the command's JSON names it, and in words for people.
PART_LABELS = {"answer": _l("答案"), "explanation": _l("解析"), "difficulty": _l("难度"),
               "tags": _l("标签"), "article": _l("法条")}


def changed_parts(fields: QuestionFields, question: Any, given: set[str]) -> list[str]:
    """The parts of the bank's ``question`` (a row with type, options, answer, explanation,
    difficulty, tags and article) that the imported ``fields`` say otherwise, as
    PART_LABELS' keys. Only what the row states counts (``given``: its filled cells among
    解析, 难度, 标签 and 法条): a file without an explanation column, or a row leaving it
    blank, says nothing about explanations (an empty 难度 is the importer's default)."""
    parts = []
    if fields.type != question.type or _correct(fields.type, fields.options, fields.answer) != \
            _correct(question.type, question.options or [], question.answer):
        parts.append("answer")
    if "解析" in given and \
            normalize_text(fields.explanation or "") != normalize_text(question.explanation or ""):
        parts.append("explanation")
    if "难度" in given and fields.difficulty != question.difficulty:
        parts.append("difficulty")
    if "标签" in given and set(fields.tags) != set(question.tags or []):
        parts.append("tags")
    if "法条" in given and fields.article_id != question.article_id:
        parts.append("article")
    return parts


def note_changes(duplicates: list, stated: dict[int, tuple[QuestionFields, set[str]]]) -> list:
    """``duplicates`` (DuplicateRow) with ``changes`` filled in from the bank (``stated``: each
    duplicate row's fields and the parts it states), reading only the questions they match,
    a chunk of ids at a time."""
    ids = sorted({duplicate.question_id for duplicate in duplicates})
    bank: dict[int, Any] = {}
    for start in range(0, len(ids), CHUNK):
        for row in db.session.execute(
                select(Question.id, Question.type, Question.options, Question.answer,
                       Question.explanation, Question.difficulty, Question.tags,
                       Question.article_id)
                .where(Question.id.in_(ids[start:start + CHUNK]))):
            bank[row.id] = row
    noted = []
    for duplicate in duplicates:
        if duplicate.row in stated and duplicate.question_id in bank:
            fields, given = stated[duplicate.row]
            duplicate = duplicate._replace(changes=tuple(changed_parts(
                fields, bank[duplicate.question_id], given)))
        noted.append(duplicate)
    return noted
