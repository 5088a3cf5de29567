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
from lawlearn.library.models import Law, LawArticle
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


def changed_parts(fields: QuestionFields, question: Any, given: set[str],
                  article_keys: dict[int, tuple] | None = None) -> list[str]:
    """The parts of the bank's ``question`` (a row with type, options, answer, explanation,
    difficulty, tags and article) that the imported ``fields`` say otherwise, as
    PART_LABELS' keys. Only what the row states counts (``given``: its filled cells among
    解析, 难度, 标签 and 法条): a file without an explanation column, or a row leaving it
    blank, says nothing about explanations (an empty 难度 is the importer's default).
    Articles compare by ``article_keys`` (id → law title and article number) where given:
    the same article of another version of the law is the same 法条 cell."""
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
    keys = article_keys or {}
    if "法条" in given and keys.get(fields.article_id, fields.article_id) != \
            keys.get(question.article_id, question.article_id):
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
    keys = _article_keys({row.article_id for row in bank.values()}
                         | {fields.article_id for fields, _given in stated.values()})
    noted = []
    for duplicate in duplicates:
        if duplicate.row in stated and duplicate.question_id in bank:
            fields, given = stated[duplicate.row]
            duplicate = duplicate._replace(changes=tuple(changed_parts(
                fields, bank[duplicate.question_id], given, keys)))
        noted.append(duplicate)
    return noted


def _article_keys(article_ids: set[int | None]) -> dict[int, tuple]:
    """Article id → (its law's title, its number): what a 法条 cell says. An exported bank
    names 政府信息公开条例第三十三条 without a version, and the import reads it as the
    current version's, so a question still on the old version's article was reported as
    changed by a file nobody had touched."""
    ids = sorted(i for i in article_ids if i is not None)
    keys: dict[int, tuple] = {}
    for start in range(0, len(ids), CHUNK):
        for row in db.session.execute(
                select(LawArticle.id, Law.title, LawArticle.number, LawArticle.sub_number)
                .join(Law, Law.id == LawArticle.law_id)
                .where(LawArticle.id.in_(ids[start:start + CHUNK]))):
            keys[row.id] = (row.title, row.number, row.sub_number)
    return keys
