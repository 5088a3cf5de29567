"""Rows of a question import that are already in the bank (same stem and options) but say
something else: an office that exports its bank, corrects an answer in Excel and imports
the file again would otherwise see the row skipped as a duplicate and believe the bank
corrected. The import never changes a question already in the bank; it names the rows
whose answer, explanation, difficulty or tags differ, so that they are edited in the bank.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
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


def changed_parts(fields: QuestionFields, question: Any) -> list[str]:
    """The parts of the bank's ``question`` (a row with type, options, answer, explanation,
    difficulty and tags) that the imported ``fields`` would change, in words."""
    parts = []
    if fields.type != question.type or _correct(fields.type, fields.options, fields.answer) != \
            _correct(question.type, question.options or [], question.answer):
        parts.append(_("答案"))
    if normalize_text(fields.explanation or "") != normalize_text(question.explanation or ""):
        parts.append(_("解析"))
    if fields.difficulty != question.difficulty:
        parts.append(_("难度"))
    if set(fields.tags) != set(question.tags or []):
        parts.append(_("标签"))
    return parts


def note_changes(duplicates: list, fields_of: dict[int, QuestionFields]) -> list:
    """``duplicates`` (DuplicateRow) with ``changes`` filled in from the bank, reading only
    the questions they match, a chunk of ids at a time."""
    ids = sorted({duplicate.question_id for duplicate in duplicates})
    bank: dict[int, Any] = {}
    for start in range(0, len(ids), CHUNK):
        for row in db.session.execute(
                select(Question.id, Question.type, Question.options, Question.answer,
                       Question.explanation, Question.difficulty, Question.tags)
                .where(Question.id.in_(ids[start:start + CHUNK]))):
            bank[row.id] = row
    return [duplicate._replace(changes=tuple(changed_parts(
        fields_of[duplicate.row], bank[duplicate.question_id])))
        if duplicate.row in fields_of and duplicate.question_id in bank else duplicate
        for duplicate in duplicates]
