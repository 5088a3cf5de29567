"""What staff see of quizzes: the 答题 list, a quiz's page, the home page's cards and the
API's list. These are the busiest reads of an exam week (everyone opens the list at the
same minute), so they read plain rows with statements built once: loading ORM entities
for them cost more CPU than running the queries (bench/bench_quiz_list.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Row, and_, bindparam, column, or_, select, table

from lawlearn.accounts.models import Department, User
from lawlearn.errors import NotFound
from lawlearn.extensions import db
from lawlearn.quiz.models import Attempt, Quiz, QuizAudience

_quiz = Quiz.__table__
_attempt = Attempt.__table__
_audience = QuizAudience.__table__
_department = Department.__table__


# The sessions' tables by name: sessions import this package, not the other way round.
_attendance = table("attendance", column("session_id"), column("user_id"), column("status"))
_session = table("study_session", column("id"), column("exit_quiz_id"))


def audience_condition(user_id: Any, department_id: Any):
    """SQL condition: the quiz is for everyone, for the person, or for their department or
    the department above it; or it is the exit quiz of a session the person checked in to
    and still owes it (a session's audience may be wider than its quiz's). Both arguments
    are bound parameters."""
    parent = (select(_department.c.parent_id).where(_department.c.id == department_id)
              .scalar_subquery())
    targeted = select(_audience.c.quiz_id).where(or_(
        _audience.c.user_id == user_id, _audience.c.department_id == department_id,
        _audience.c.department_id == parent))
    owed = (select(_session.c.exit_quiz_id)
            .join(_attendance, _attendance.c.session_id == _session.c.id)
            .where(_attendance.c.user_id == user_id, _attendance.c.status == "pending_quiz"))
    return or_(_quiz.c.audience_all.is_(True), _quiz.c.id.in_(targeted), _quiz.c.id.in_(owed))


def audience_condition_for(user: User):
    """The same condition with the user's values bound (a NULL department matches none)."""
    return audience_condition(bindparam(None, user.id, type_=Integer),
                              bindparam(None, user.department_id, type_=Integer))


# A card needs these columns of a quiz; rows answer the same attribute names as a Quiz.
_CARD_COLUMNS = (_quiz.c.id, _quiz.c.title, _quiz.c.description, _quiz.c.is_exam,
                 _quiz.c.published, _quiz.c.opens_at, _quiz.c.closes_at,
                 _quiz.c.time_limit_minutes, _quiz.c.attempts_allowed, _quiz.c.grading,
                 _quiz.c.pass_percent)
_VISIBLE = and_(_quiz.c.published.is_(True),
                audience_condition(bindparam("user_id"),
                                   bindparam("department_id", type_=Integer)))
_NOT_CLOSED = or_(_quiz.c.closes_at.is_(None), _quiz.c.closes_at > bindparam("now"))
_CARD_ORDER = (_quiz.c.is_exam.desc(), _quiz.c.closes_at.is_(None), _quiz.c.closes_at,
               _quiz.c.id)
_OPEN_AND_UPCOMING = select(*_CARD_COLUMNS).where(_VISIBLE, _NOT_CLOSED).order_by(*_CARD_ORDER)
_OPEN = (select(*_CARD_COLUMNS)
         .where(_VISIBLE, _NOT_CLOSED,
                or_(_quiz.c.opens_at.is_(None), _quiz.c.opens_at <= bindparam("now")))
         .order_by(*_CARD_ORDER))
_ONE = select(*_CARD_COLUMNS).where(_VISIBLE, _quiz.c.id == bindparam("quiz_id"))
# The caller's attempts at the listed quizzes, and any of theirs left open past its
# deadline (those are submitted before anything is shown).
_MY_ATTEMPTS = (
    select(_attempt.c.id, _attempt.c.quiz_id, _attempt.c.number, _attempt.c.deadline,
           _attempt.c.submitted_at, _attempt.c.score, _attempt.c.max_score,
           _attempt.c.passed, _attempt.c.submitted_at.is_(None).label("in_progress"))
    .where(_attempt.c.user_id == bindparam("user_id"),
           or_(_attempt.c.quiz_id.in_(bindparam("quiz_ids", expanding=True)),
               and_(_attempt.c.submitted_at.is_(None),
                    _attempt.c.deadline <= bindparam("now"))))
    .order_by(_attempt.c.number))


def is_open(quiz: Quiz | Row, now: datetime) -> bool:
    return bool(quiz.published and (quiz.opens_at is None or quiz.opens_at <= now)
                and (quiz.closes_at is None or now < quiz.closes_at))


def final_score(quiz: Quiz | Row, attempts: list) -> float | None:
    """The score that counts: highest, last or average of submitted attempts."""
    done = sorted((a for a in attempts if a.submitted_at is not None and a.score is not None),
                  key=lambda a: a.number)
    if not done:
        return None
    if quiz.grading == "last":
        return done[-1].score
    if quiz.grading == "average":
        return round(sum(a.score for a in done) / len(done), 2)
    return max(a.score for a in done)


@dataclass
class QuizCard:
    """A quiz as a staff member sees it in a list: ``quiz`` and ``in_progress`` are rows
    with a Quiz's and an Attempt's attribute names."""

    quiz: Row
    attempts_used: int
    in_progress: Row | None
    best_score: float | None
    open_now: bool
    passed: bool = False  # one of the submitted attempts passed


    @property
    def attempts_left(self) -> int | None:
        if self.quiz.attempts_allowed is None:
            return None
        return max(0, self.quiz.attempts_allowed - self.attempts_used)

    @property
    def can_start(self) -> bool:
        return self.open_now and (self.in_progress is not None or self.attempts_left != 0)

    @property
    def to_do(self) -> bool:
        """Still something to do: an attempt to finish, or a pass not yet reached (a
        practice quiz passed may be taken again, but is no longer owed)."""
        return self.in_progress is not None or (self.can_start and not self.passed)


def _card(quiz: Row, mine: list[Row], now: datetime) -> QuizCard:
    return QuizCard(quiz, len(mine), next((a for a in mine if a.in_progress), None),
                    final_score(quiz, mine), is_open(quiz, now),
                    passed=any(a.passed for a in mine if a.submitted_at is not None))


class QuizCards(list[QuizCard]):
    """Cards, and whether reading them submitted an attempt left open past its deadline:
    then the caller commits (a read-only request skips the commit)."""

    submitted_expired = False


def _my_attempts(user: User, quiz_ids: list[int], now: datetime) -> tuple[list[Row], bool]:
    """The caller's attempts at ``quiz_ids`` after submitting any left past its deadline,
    and whether one was."""
    from lawlearn.quiz.services import finalize_expired_attempts

    params = {"user_id": user.id, "quiz_ids": quiz_ids, "now": now}
    rows = db.session.execute(_MY_ATTEMPTS, params).all()
    submitted = any(row.in_progress and row.deadline is not None and row.deadline <= now
                    for row in rows)
    if submitted:
        finalize_expired_attempts(now, user_id=user.id)
        db.session.flush()
        rows = db.session.execute(_MY_ATTEMPTS, params).all()
    wanted = set(quiz_ids)
    return [row for row in rows if row.quiz_id in wanted], submitted


def quizzes_for(user: User, now: datetime, *, include_upcoming: bool = True) -> QuizCards:
    """Published quizzes for ``user`` (open, and upcoming when asked), in two queries."""
    quizzes = db.session.execute(_OPEN_AND_UPCOMING if include_upcoming else _OPEN, {
        "user_id": user.id, "department_id": user.department_id, "now": now}).all()
    attempts, submitted = _my_attempts(user, [quiz.id for quiz in quizzes], now)
    by_quiz: dict[int, list[Row]] = {}
    for attempt in attempts:
        by_quiz.setdefault(attempt.quiz_id, []).append(attempt)
    cards = QuizCards(_card(quiz, by_quiz.get(quiz.id, []), now) for quiz in quizzes)
    cards.submitted_expired = submitted
    return cards


@dataclass
class QuizPage:
    card: QuizCard
    attempts: list[Row]  # in order
    submitted_expired: bool  # the caller commits


def quiz_page(user: User, quiz_id: int, now: datetime) -> QuizPage:
    """A quiz the user may see, as a card, with their attempts; 404 otherwise."""
    from flask_babel import gettext as _

    quiz = db.session.execute(_ONE, {"user_id": user.id, "department_id": user.department_id,
                                     "quiz_id": quiz_id}).one_or_none()
    if quiz is None:
        raise NotFound(_("测验不存在或不对您开放。"))
    attempts, submitted = _my_attempts(user, [quiz.id], now)
    return QuizPage(_card(quiz, attempts, now), attempts, submitted)
