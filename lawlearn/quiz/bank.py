"""The question bank: create, edit (keeping revisions), retire, find duplicates."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.database import like_pattern, utcnow
from lawlearn.errors import Conflict, NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.quiz.grading import normalize_text
from lawlearn.quiz.models import (
    DIFFICULTIES,
    OPTION_KEYS,
    QUESTION_TYPES,
    Attempt,
    AttemptItem,
    Question,
    QuestionRevision,
    Quiz,
    QuizQuestion,
)

MIN_OPTIONS, MAX_OPTIONS = 2, 8
# "A. 30日", "Ｂ、", "(C)", "D：" at the start of an option pasted with its letter.
_OPTION_LABEL = re.compile(r"^\s*[(（]?\s*([A-HＡ-Ｈa-h])\s*(?:[)）]|[.．、:：,，]|\s)\s*")


def without_option_labels(options: list[str]) -> list[str]:
    """Options pasted with their letters (A. 30日 / B. 60日) lose them: the page adds its
    own, which showed "A  A. 30日". Only when every option starts with the next letter in
    turn, so an option that merely begins with one ("A型血") is left alone."""
    found = [_OPTION_LABEL.match(option) for option in options]
    letters = [unicodedata.normalize("NFKC", m.group(1)).upper() if m else "" for m in found]
    if len(options) < 2 or "".join(letters) != OPTION_KEYS[:len(options)]:
        return options
    return [option[m.end():].strip() for option, m in zip(options, found, strict=True)
            if m is not None]


def fingerprint(stem: str, options: list[str]) -> str:
    """Same stem and options (ignoring width, spaces and punctuation) → same fingerprint."""
    key = "\x1f".join([normalize_text(stem), *sorted(normalize_text(o) for o in options)])
    return hashlib.sha256(key.encode()).hexdigest()


# Tags as people write them, in the form or a spreadsheet: the list shows them joined by "、".
TAG_SEPARATORS = re.compile(r"[;；,，、]+")


def split_tags(text: str | None) -> list[str]:
    """"宪法、法治" → ["宪法", "法治"]: trimmed, blanks and repeats dropped."""
    return list(dict.fromkeys(t.strip() for t in TAG_SEPARATORS.split(text or "") if t.strip()))


@dataclass
class QuestionFields:
    type: str
    stem: str
    options: list[str] = field(default_factory=list)
    answer: Any = None
    explanation: str = ""
    tags: list[str] = field(default_factory=list)
    difficulty: str = "medium"
    article_id: int | None = None


# A blank in a fill-in stem: （　　） (any spaces inside, full- or half-width brackets) or a
# run of underscores. A stem with none asks its one blank as a question.
BLANK_MARK = re.compile(r"[（(][\s\u3000]*[）)]|_{3,}")


def question_problems_by_field(fields: QuestionFields) -> list[tuple[str, str]]:
    """Every rule the question breaks, in words, with the form field it concerns (type,
    stem, options, answer or difficulty)."""
    problems: list[tuple[str, str]] = []
    if fields.type not in QUESTION_TYPES:
        return [("type", _("未知题型"))]
    if not fields.stem.strip():
        problems.append(("stem", _("题干为空")))
    if fields.difficulty not in DIFFICULTIES:
        problems.append(("difficulty", _("难度须为易、中或难")))
    if fields.type in ("single", "multiple"):
        if not MIN_OPTIONS <= len(fields.options) <= MAX_OPTIONS:
            problems.append(("options", _("选择题须有 2 至 8 个选项")))
        if any(not option.strip() for option in fields.options):
            problems.append(("options", _("选项不能为空")))
        else:
            # Two options alike make a single-choice key ambiguous and a choice meaningless.
            seen: dict[str, str] = {}
            for key, option in zip(OPTION_KEYS, fields.options, strict=False):
                text = " ".join(option.split())
                if text in seen:
                    problems.append(("options", _("选项 %(first)s 与 %(second)s 相同：%(text)s",
                                                  first=seen[text], second=key, text=text)))
                    break
                seen[text] = key
        # A set of letters, not the string "ABC": "AB" in "ABC" would pass as one key.
        keys = set(OPTION_KEYS[:len(fields.options)])
        letters = [fields.answer] if fields.type == "single" else (fields.answer or [])
        if not letters or not all(isinstance(k, str) and k for k in letters):
            problems.append(("answer", _("答案为空")))
        elif fields.type == "single" and len(fields.answer) != 1:
            problems.append(("answer", _("单选题只能有一个答案（填写了 %(letters)s）",
                                         letters="、".join(fields.answer))))
        elif any(letter not in keys for letter in letters):
            missing = [letter for letter in letters if letter not in keys]
            problems.append(("answer", _("答案 %(letters)s 没有对应的选项",
                                         letters="".join(missing))))
        elif fields.type == "multiple" and len(letters) < 2:
            problems.append(("answer", _("多选题至少应有两个正确答案")))
    elif fields.type == "true_false":
        if not isinstance(fields.answer, bool):
            problems.append(("answer", _("判断题答案须为正确或错误")))
    elif fields.type == "fill":
        answer = fields.answer or []
        marks = len(BLANK_MARK.findall(fields.stem))
        if not answer or any(not alternatives for alternatives in answer):
            problems.append(("answer", _("填空题每个空都须有答案")))
        elif marks != len(answer) and not (marks == 0 and len(answer) == 1):
            problems.append(("answer", _("题干中标出了 %(marks)d 个空，答案却有 %(blanks)d 个空（空与空"
                                         "之间用 | 分隔）；请用“（　　）”标出每个空", marks=marks,
                                         blanks=len(answer))))
    return problems


def question_problems(fields: QuestionFields) -> list[str]:
    """Every rule the question breaks, in words (shared by forms and imports)."""
    return [message for _field, message in question_problems_by_field(fields)]


def _refuse_problems(fields: QuestionFields) -> None:
    """The form's refusal: every problem, under the field of the first (an answer's under
    答案, not under 题干)."""
    problems = question_problems_by_field(fields)
    if problems:
        raise ValidationFailed("；".join(message for _field, message in problems),
                               field=problems[0][0])


def _snapshot(question: Question) -> dict[str, Any]:
    return {"type": question.type, "stem": question.stem, "options": question.options,
            "answer": question.answer, "explanation": question.explanation,
            "tags": question.tags, "difficulty": question.difficulty,
            "article_id": question.article_id}


def _apply(question: Question, fields: QuestionFields) -> None:
    options = [o.strip() for o in fields.options] if fields.type in ("single", "multiple") \
        else []
    question.type = fields.type
    question.stem = fields.stem.strip()
    question.options = options
    question.answer = (sorted(fields.answer) if fields.type == "multiple" else fields.answer)
    question.explanation = (fields.explanation or "").strip()
    question.tags = fields.tags
    question.difficulty = fields.difficulty
    question.article_id = fields.article_id
    question.fingerprint = fingerprint(question.stem, options)


def _check_not_a_copy(question: Question) -> None:
    """The bank holds one question per stem and options, as an import skips copies; a
    retired copy is named so that it can be restored instead."""
    same = db.session.execute(
        select(Question.id, Question.status).where(
            Question.fingerprint == question.fingerprint,
            Question.id != question.id if question.id is not None else True)
        .order_by(Question.status != "active", Question.id).limit(1)).first()
    if same is None:
        return
    if same.status == "active":
        raise ValidationFailed(_("题库中已有相同的试题 #%(id)d（题干和选项都相同）。", id=same.id),
                               field="stem", code="duplicate_question")
    raise ValidationFailed(_("与已停用的试题 #%(id)d 相同（题干和选项都相同），可到该题页面恢复使用。",
                             id=same.id), field="stem", code="duplicate_question")


def create_question(actor: User | None, fields: QuestionFields, *, audit: bool = True) -> Question:
    _refuse_problems(fields)
    question = Question(author_id=actor.id if actor else None)
    _apply(question, fields)
    _check_not_a_copy(question)
    db.session.add(question)
    db.session.flush()
    if audit:
        record_audit(actor, "question.create", question,
                     _("新建试题 #%(id)d", id=question.id))
    return question


def quizzes_using(question_id: int) -> list[Quiz]:
    """Quizzes that list the question or have asked it (a random draw), by title: an edit
    shows there from then on, while answers already given keep their version."""
    listed = select(QuizQuestion.quiz_id).where(QuizQuestion.question_id == question_id)
    asked = (select(Attempt.quiz_id).join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
             .where(AttemptItem.question_id == question_id))
    return list(db.session.scalars(select(Quiz).where(Quiz.id.in_(listed.union(asked)))
                                   .order_by(Quiz.title, Quiz.id)))


def update_question(actor: User, question: Question, fields: QuestionFields) -> None:
    """Edit a question, keeping the previous text as a revision (attempts keep theirs)."""
    from lawlearn.quiz.authoring import live_quizzes_stranded

    _refuse_problems(fields)
    snapshot = _snapshot(question)
    drawn_as = (question.type, question.difficulty, sorted(question.tags or []))
    if question.status == "active" and drawn_as != (
            fields.type, fields.difficulty, sorted(fields.tags or [])):
        # A new type, difficulty or tag takes it out of draws as retiring does.
        stranded = live_quizzes_stranded(question, lambda: _apply(question, fields), utcnow())
        if stranded:
            raise Conflict(_("不能这样修改此题：已发布的测验将抽不够试题。%(quizzes)s 请先修改这些"
                             "测验的组卷设置或补充试题。", quizzes=" ".join(stranded)),
                           code="quiz_left_short")  # the caller rolls the edit back
    _apply(question, fields)
    _check_not_a_copy(question)
    db.session.add(QuestionRevision(question_id=question.id, revision=question.revision,
                                    snapshot=snapshot, editor_id=actor.id))
    question.revision += 1
    record_audit(actor, "question.update", question,
                 _("修改试题 #%(id)d（第 %(rev)d 版）", id=question.id, rev=question.revision))


def set_question_status(actor: User, question: Question, status: str) -> None:
    from lawlearn.quiz.authoring import retire_question

    if status not in ("active", "retired"):
        raise ValidationFailed(_("未知状态。"), field="status")
    if status == "retired" and question.status == "active":
        retire_question(question, utcnow())  # refused when a live quiz would be left short
    question.status = status
    record_audit(actor, "question.retire" if status == "retired" else "question.restore",
                 question, _("停用试题 #%(id)d", id=question.id) if status == "retired"
                 else _("恢复试题 #%(id)d", id=question.id))


def get_question(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        raise NotFound(_("试题不存在。"))
    return question


def question_query(*, q: str | None = None, type: str | None = None, tag: str | None = None,
                   difficulty: str | None = None, status: str | None = None,
                   law_id: int | None = None) -> Select[tuple[Question]]:
    from lawlearn.library.models import LawArticle

    query = select(Question).order_by(Question.id.desc())
    if q:
        query = query.where(Question.stem.ilike(like_pattern(q.strip()), escape="\\"))
    if type:
        query = query.where(Question.type == type)
    if difficulty:
        query = query.where(Question.difficulty == difficulty)
    if status:
        query = query.where(Question.status == status)
    if tag:
        import json

        from sqlalchemy import String, cast

        query = query.where(cast(Question.tags, String).contains(json.dumps(tag,
                                                                            ensure_ascii=False)))
    if law_id:
        query = query.where(Question.article_id.in_(
            select(LawArticle.id).where(LawArticle.law_id == law_id)))
    return query


def bank_stats() -> dict[str, Any]:
    """``questions stats --json``: totals by type, difficulty and status."""
    by_type = dict(db.session.execute(
        select(Question.type, func.count()).where(Question.status == "active")
        .group_by(Question.type)).all())
    by_difficulty = dict(db.session.execute(
        select(Question.difficulty, func.count()).where(Question.status == "active")
        .group_by(Question.difficulty)).all())
    retired = db.session.scalar(select(func.count()).select_from(Question)
                                .where(Question.status == "retired"))
    return {"total": sum(by_type.values()),
            "by_type": {t: by_type.get(t, 0) for t in QUESTION_TYPES},
            "by_difficulty": {d: by_difficulty.get(d, 0) for d in DIFFICULTIES},
            "retired": retired}
