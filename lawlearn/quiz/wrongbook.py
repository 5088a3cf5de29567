"""The wrong-answer book (错题本): every question answered wrongly in a quiz, the daily
practice or a challenge stays in it until redone right twice in a row, on two different
days. No HTTP here."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from lawlearn.errors import Conflict, NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import LawArticle
from lawlearn.localtime import local_day
from lawlearn.quiz.grading import canonical_response, grade
from lawlearn.quiz.models import Attempt, AttemptItem, Question, Quiz, WrongAnswer
from lawlearn.quiz.services import answers_visible, attempt_graded, question_snapshot

RIGHT_IN_A_ROW_TO_CLEAR = 2
# Where a wrong answer was given; a wrong redo keeps the source the entry came from.
SOURCES = {"quiz": _l("测验"), "daily": _l("每日一练"), "challenge": _l("挑战答题")}


class GradedAnswer(NamedTuple):
    """One graded answer to note in the book (``response`` in the shown letters)."""

    question_id: int
    snapshot: dict[str, Any]
    response: Any
    correct: bool


def grade_answer(snapshot: dict[str, Any], raw: Any) -> tuple[Any, bool]:
    """A client's answer to a frozen question, checked and graded: (canonical response,
    right or not). Raises 422 when it does not fit the question or nothing was given (no
    option chosen, every blank empty), so that such a post changes nothing."""
    response = canonical_response(snapshot["type"], raw,
                                  [option["key"] for option in snapshot["options"]],
                                  snapshot.get("blanks", 0))
    if response is None or response == [] or (
            snapshot["type"] == "fill" and not any(value for value in response)):
        raise ValidationFailed(_("请先作答再提交。"), code="invalid_answer")
    correct, _points = grade(snapshot, response, 1.0, partial_credit=False)
    return response, correct


def bank_letters(snapshot: dict[str, Any], response: Any) -> Any:
    """A response in shown letters → the bank's letters (options may have been shuffled)."""
    if snapshot.get("type") not in ("single", "multiple") or response is None:
        return response
    to_bank = {option["key"]: option.get("source", option["key"])
               for option in snapshot.get("options", [])}
    if isinstance(response, str):
        return to_bank.get(response, response)
    return sorted(to_bank.get(key, key) for key in response)


def _apply(entry: WrongAnswer, answer: GradedAnswer, source: str, now: datetime) -> None:
    """Note a graded answer on an existing entry."""
    if answer.correct:
        if entry.cleared_at is None:
            # A second right answer the same day is the answer just shown, remembered
            # (再做一次 right after it cleared the book in seconds): one a day counts.
            if entry.last_right_at is not None and \
                    local_day(entry.last_right_at) == local_day(now):
                return
            entry.last_right_at = now
            entry.right_streak += 1
            if entry.right_streak >= RIGHT_IN_A_ROW_TO_CLEAR:
                entry.cleared_at = now
        return
    entry.last_response = bank_letters(answer.snapshot, answer.response)
    if source != "redo":
        entry.source = source
    entry.wrong_count += 1
    entry.right_streak = 0
    entry.last_right_at = None  # the next right answer starts a new run, today too
    entry.last_wrong_at = now
    entry.cleared_at = None


def _new_row(user_id: int, answer: GradedAnswer, source: str, now: datetime) -> dict[str, Any]:
    return {"user_id": user_id, "question_id": answer.question_id,
            "last_response": bank_letters(answer.snapshot, answer.response),
            "source": source, "wrong_count": 1, "right_streak": 0,
            "first_wrong_at": now, "last_wrong_at": now}


def record_result(user_id: int, question_id: int, snapshot: dict[str, Any], response: Any,
                  correct: bool, source: str, now: datetime) -> WrongAnswer | None:
    """Note one graded answer: a wrong one enters (or re-enters) the book; a right one
    counts toward leaving it. Returns the book entry, if there is one."""
    answer = GradedAnswer(question_id, snapshot, response, correct)
    entry = db.session.scalar(select(WrongAnswer).where(
        WrongAnswer.user_id == user_id, WrongAnswer.question_id == question_id))
    if entry is None and not correct:
        try:
            with db.session.begin_nested():
                entry = WrongAnswer(**_new_row(user_id, answer, source, now))
                db.session.add(entry)
            return entry
        except IntegrityError:
            # The same question went wrong in another request at the same moment.
            entry = db.session.scalar(select(WrongAnswer).where(
                WrongAnswer.user_id == user_id, WrongAnswer.question_id == question_id))
    if entry is not None:
        _apply(entry, answer, source, now)
        db.session.flush()
    return entry


def record_results(user_id: int, answers: list[GradedAnswer], source: str,
                   now: datetime) -> list[WrongAnswer]:
    """Note many graded answers at once (a whole attempt) in a constant number of queries;
    returns the book entries they touched."""
    if not answers:
        return []
    ids = {answer.question_id for answer in answers}
    entries = {entry.question_id: entry for entry in db.session.scalars(select(WrongAnswer).where(
        WrongAnswer.user_id == user_id, WrongAnswer.question_id.in_(ids)))}
    # Questions not in the book enter it at their first wrong answer.
    first_wrong: dict[int, int] = {}
    for index, answer in enumerate(answers):
        if not answer.correct and answer.question_id not in entries:
            first_wrong.setdefault(answer.question_id, index)
    if first_wrong:
        rows = [_new_row(user_id, answers[index], source, now) for index in first_wrong.values()]
        try:
            with db.session.begin_nested():
                db.session.execute(insert(WrongAnswer), rows)  # one executemany
        except IntegrityError:
            # Another request put one of them in the book meanwhile; nothing was noted yet,
            # so note the answers one by one.
            return [entry for answer in answers
                    if (entry := record_result(user_id, *answer, source, now)) is not None]
        entries.update((entry.question_id, entry) for entry in db.session.scalars(
            select(WrongAnswer).where(WrongAnswer.user_id == user_id,
                                      WrongAnswer.question_id.in_(first_wrong))))
    for index, answer in enumerate(answers):
        entry = entries.get(answer.question_id)
        start = first_wrong.get(answer.question_id)
        if entry is None or (start is not None and index <= start):
            continue
        _apply(entry, answer, source, now)
    db.session.flush()
    return list(entries.values())


@attempt_graded.connect
def _on_attempt_graded(attempt: Attempt) -> None:
    """Note every answered item of a graded attempt (unanswered items are not mistakes to
    learn from). Quizzes that keep their answers hidden stay out of the book, which would
    show the right answers: "after close" ones come in once closed
    (:func:`add_mistakes_revealed_since`), "never" ones never."""
    if not answers_visible(attempt, attempt.submitted_at or attempt.started_at):
        return
    record_results(attempt.user_id,
                   [GradedAnswer(item.question_id, item.snapshot, item.response,
                                 bool(item.correct))
                    for item in attempt.items if item.response is not None],
                   "quiz", attempt.submitted_at or attempt.started_at)


def add_mistakes_revealed_since(user_id: int, now: datetime) -> int:
    """Quizzes that show answers only once they close kept their mistakes out of the book
    at submission; once closed, put in the wrong answers the book does not know yet.

    Idempotent without a marker: a mistake is skipped when its entry already saw a wrong
    answer, or was cleared, at or after the attempt's submission. One query when there is
    nothing to add."""
    rows = db.session.execute(
        select(AttemptItem.question_id, AttemptItem.snapshot, AttemptItem.response,
               Attempt.submitted_at)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .join(Quiz, Quiz.id == Attempt.quiz_id)
        .outerjoin(WrongAnswer, (WrongAnswer.user_id == Attempt.user_id)
                   & (WrongAnswer.question_id == AttemptItem.question_id))
        .where(Attempt.user_id == user_id, Attempt.submitted_at.is_not(None),
               Quiz.show_answers == "after_close", Quiz.closes_at <= now,
               AttemptItem.correct.is_(False), AttemptItem.response.is_not(None),
               (WrongAnswer.id.is_(None))
               | ((WrongAnswer.last_wrong_at < Attempt.submitted_at)
                  & ((WrongAnswer.cleared_at.is_(None))
                     | (WrongAnswer.cleared_at < Attempt.submitted_at))))
        .order_by(Attempt.submitted_at)).all()
    for question_id, snapshot, response, submitted_at in rows:
        record_result(user_id, question_id, snapshot, response, False, "quiz", submitted_at)
    return len(rows)


# --- the book's pages ---------------------------------------------------------------------


def bank_snapshot(question: Question) -> dict[str, Any]:
    """The question as the bank has it now, options in bank order (shown = bank letters)."""
    return question_snapshot(question, shuffle_options=False, rng=random.Random(0))  # nosec B311 - no shuffle


@dataclass
class BookCounts:
    """How many entries are open and cleared, in all and by source."""

    open_by_source: dict[str, int]
    cleared: int

    @property
    def open(self) -> int:
        return sum(self.open_by_source.values())


def book_counts(user_id: int) -> BookCounts:
    """The counts above, in one query."""
    is_open = WrongAnswer.cleared_at.is_(None)
    rows = db.session.execute(
        select(WrongAnswer.source, func.sum(case((is_open, 1), else_=0)),
               func.sum(case((is_open, 0), else_=1)))
        .where(WrongAnswer.user_id == user_id).group_by(WrongAnswer.source)).all()
    return BookCounts({source: int(open_ or 0) for source, open_, _cleared in rows},
                      sum(int(cleared or 0) for _source, _open, cleared in rows))


def book_query(user_id: int, *, source: str | None = None, cleared: bool = False):
    """The user's entries (open ones, or those that left the book), newest first, with the
    question, its article and law loaded."""
    query = (select(WrongAnswer).where(WrongAnswer.user_id == user_id)
             .options(joinedload(WrongAnswer.question).joinedload(Question.article)
                      .joinedload(LawArticle.law)))
    if cleared:
        query = query.where(WrongAnswer.cleared_at.is_not(None)).order_by(
            WrongAnswer.cleared_at.desc(), WrongAnswer.id.desc())
    else:
        query = query.where(WrongAnswer.cleared_at.is_(None)).order_by(
            WrongAnswer.last_wrong_at.desc(), WrongAnswer.id.desc())
    if source:
        query = query.where(WrongAnswer.source == source)
    return query


def own_entry(user_id: int, entry_id: int, *, lock: bool = False) -> WrongAnswer:
    """The user's own entry; anyone else's is 404. ``lock``: hold its row until the
    transaction ends (PostgreSQL) and reload it, to change it."""
    query = (select(WrongAnswer).where(WrongAnswer.id == entry_id)
             .options(joinedload(WrongAnswer.question).joinedload(Question.article)
                      .joinedload(LawArticle.law)))
    if lock:
        query = query.with_for_update(of=WrongAnswer).execution_options(populate_existing=True)
    entry = db.session.scalar(query)
    if entry is None or entry.user_id != user_id:
        raise NotFound(_("错题不存在。"))
    return entry


def rights_to_go(entry: WrongAnswer) -> int:
    """Right answers in a row still needed for the entry to leave the book."""
    return max(0, RIGHT_IN_A_ROW_TO_CLEAR - entry.right_streak)


def entry_version(entry: WrongAnswer) -> str:
    """Changes with every answer noted on the entry: a redo form posted twice counts once."""
    return f"{entry.wrong_count}.{entry.right_streak}.{int(entry.cleared_at is None)}"


@dataclass
class RedoResult:
    entry: WrongAnswer
    snapshot: dict[str, Any]
    response: Any
    correct: bool
    left_book: bool
    counted: bool  # a right answer that counted toward leaving (one a day does)


def redo(user_id: int, entry_id: int, raw: Any, now: datetime, *,
         version: str | None = None) -> RedoResult:
    """Answer a question of the book again; right twice in a row and it leaves the book.

    ``version``: :func:`entry_version` when the form was shown. If the entry has changed since
    (the same form posted twice, by a double tap or a reload), nothing is noted (409)."""
    entry = own_entry(user_id, entry_id, lock=True)
    if version and version != entry_version(entry):
        raise Conflict(_("这道题的答案已经提交过了。"), code="already_answered")
    snapshot = bank_snapshot(entry.question)
    response, correct = grade_answer(snapshot, raw)
    was_open, streak = entry.cleared_at is None, entry.right_streak
    record_result(user_id, entry.question_id, snapshot, response, correct, "redo", now)
    return RedoResult(entry, snapshot, response, correct,
                      left_book=was_open and entry.cleared_at is not None,
                      counted=correct and entry.right_streak > streak)
