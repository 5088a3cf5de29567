"""What staff see of quizzes: the 答题 list, a quiz's page, the home page's cards and the
API's list. These are the busiest reads of an exam week (everyone opens the list at the
same minute), so they read plain rows with statements built once: loading ORM entities
for them cost more CPU than running the queries (bench/bench_quiz_list.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Integer, and_, bindparam, column, or_, select, table

from lawlearn.accounts.models import Department, User
from lawlearn.errors import NotFound
from lawlearn.extensions import db
from lawlearn.quiz.models import Attempt, Quiz, QuizAudience
from lawlearn.rounding import half_up

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
# The caller's attempts ride along with each quiz (one row per attempt, a quiz without any
# on a row of its own): one statement instead of two is a tenth of an API list request's
# CPU. ``overdue``: the caller has an attempt left open past its deadline, at any quiz
# (those are submitted before anything is shown).
_MY_ATTEMPT_COLUMNS = (
    _attempt.c.id.label("attempt_id"), _attempt.c.number.label("attempt_number"),
    _attempt.c.deadline.label("attempt_deadline"),
    _attempt.c.submitted_at.label("attempt_submitted_at"),
    _attempt.c.score.label("attempt_score"), _attempt.c.max_score.label("attempt_max_score"),
    _attempt.c.passed.label("attempt_passed"))
_OVERDUE = (select(_attempt.c.id).where(
    _attempt.c.user_id == bindparam("user_id"), _attempt.c.submitted_at.is_(None),
    _attempt.c.deadline <= bindparam("now")).exists())
_WITH_MY_ATTEMPTS = _quiz.outerjoin(_attempt, and_(
    _attempt.c.quiz_id == _quiz.c.id, _attempt.c.user_id == bindparam("user_id")))


def _cards_query(*where, visible=_VISIBLE):
    return (select(*_CARD_COLUMNS, *_MY_ATTEMPT_COLUMNS, _OVERDUE.label("overdue"))
            .select_from(_WITH_MY_ATTEMPTS).where(visible, *where)
            .order_by(*_CARD_ORDER, _attempt.c.number))


_OPEN_AND_UPCOMING = _cards_query(_NOT_CLOSED)
_OPEN = _cards_query(_NOT_CLOSED,
                     or_(_quiz.c.opens_at.is_(None), _quiz.c.opens_at <= bindparam("now")))
_handed_in = _attempt.alias("handed_in")  # not the outer query's (joined) attempt
_I_HANDED_IN = select(_handed_in.c.id).where(_handed_in.c.quiz_id == _quiz.c.id,
                                             _handed_in.c.user_id == bindparam("user_id"),
                                             _handed_in.c.submitted_at.is_not(None)).exists()
_CLOSED = and_(_quiz.c.closes_at.is_not(None), _quiz.c.closes_at <= bindparam("now"))
# A closed quiz one handed in stays one's own to read, whoever it is for now (a move to
# another department, a session's exit quiz no longer owed).
_ONE = _cards_query(_quiz.c.id == bindparam("quiz_id"), visible=or_(
    _VISIBLE, and_(_quiz.c.published.is_(True), _CLOSED, _I_HANDED_IN)))
_CLOSED_HANDED_IN = _cards_query(
    _CLOSED, _quiz.c.closes_at > bindparam("since"), _I_HANDED_IN,
    visible=_quiz.c.published.is_(True))
CLOSED_LISTED_FOR = timedelta(days=366)
_ANY_OVERDUE = select(_OVERDUE)


class QuizRow(NamedTuple):
    """A quiz as the lists show it (a Quiz's attribute names, ``_CARD_COLUMNS`` in order).
    A plain tuple: a SQLAlchemy row answers an attribute many times slower, and a list
    reads a dozen of each card's (a tenth of an API list request's CPU)."""

    id: int
    title: str
    description: str | None
    is_exam: bool
    published: bool
    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_minutes: int | None
    attempts_allowed: int | None
    grading: str
    pass_percent: int | None


class AttemptRow(NamedTuple):
    """One of the caller's attempts, as the lists show it (an Attempt's attribute names)."""

    id: int
    quiz_id: int
    number: int
    deadline: datetime | None
    submitted_at: datetime | None
    score: float | None
    max_score: float | None
    passed: bool | None

    @property
    def in_progress(self) -> bool:
        return self.submitted_at is None


def is_open(quiz: Quiz | QuizRow, now: datetime) -> bool:
    return bool(quiz.published and (quiz.opens_at is None or quiz.opens_at <= now)
                and (quiz.closes_at is None or now < quiz.closes_at))


def final_score(quiz: Quiz | QuizRow, attempts: list) -> float | None:
    """The score that counts: highest, last or average of submitted attempts."""
    done = sorted((a for a in attempts if a.submitted_at is not None and a.score is not None),
                  key=lambda a: a.number)
    if not done:
        return None
    if quiz.grading == "last":
        return done[-1].score
    if quiz.grading == "average":
        return half_up(sum(a.score for a in done) / len(done), 2)  # 四舍五入, as results
    return max(a.score for a in done)


@dataclass
class QuizCard:
    """A quiz as a staff member sees it in a list: ``quiz`` is a row with a Quiz's attribute
    names."""

    quiz: QuizRow
    attempts_used: int
    in_progress: AttemptRow | None
    best_score: float | None
    open_now: bool
    passed: bool = False  # one of the submitted attempts passed
    attempts: list[AttemptRow] = field(default_factory=list)  # in order

    @property
    def attempts_left(self) -> int | None:
        if self.quiz.attempts_allowed is None:
            return None
        return max(0, self.quiz.attempts_allowed - self.attempts_used)

    @property
    def full_marks(self) -> float | None:
        """The paper's total the score is out of: the last try handed in's, as the results
        page takes it (a drawn paper's total does not change between tries)."""
        totals = [a.max_score for a in self.attempts
                  if a.submitted_at is not None and a.max_score is not None]
        return totals[-1] if totals else None

    @property
    def score_passes(self) -> bool:
        """The score that counts (best_score) reaches the pass mark, as the results page
        judges it: by "last" or "average" grading a pass in an earlier try may not count."""
        full = self.full_marks
        return bool(full) and self.best_score is not None and \
            self.best_score * 100 >= full * self.quiz.pass_percent

    @property
    def can_start(self) -> bool:
        return self.open_now and (self.in_progress is not None or self.attempts_left != 0)

    @property
    def to_do(self) -> bool:
        """Still something to do: an attempt to finish, or a pass not yet reached (a
        practice quiz passed may be taken again, but is no longer owed)."""
        return self.in_progress is not None or (self.can_start and not self.passed)


def _card(quiz: QuizRow, mine: list[AttemptRow], now: datetime) -> QuizCard:
    return QuizCard(quiz, len(mine), next((a for a in mine if a.in_progress), None),
                    final_score(quiz, mine), is_open(quiz, now),
                    passed=any(a.passed for a in mine if a.submitted_at is not None),
                    attempts=mine)


class QuizCards(list[QuizCard]):
    """Cards, and whether reading them submitted an attempt left open past its deadline:
    then the caller commits (a read-only request skips the commit)."""

    submitted_expired = False


def _read_cards(statement, params: dict[str, Any], now: datetime, *,
                settle_when_none: bool = True) -> QuizCards:
    """The cards ``statement`` finds, after submitting any attempt of the caller's left open
    past its deadline (when it finds none, only if ``settle_when_none``)."""
    from lawlearn.quiz.services import finalize_expired_attempts

    rows = db.session.execute(statement, params).all()
    if rows:
        overdue = rows[0].overdue
    else:
        overdue = settle_when_none and db.session.execute(_ANY_OVERDUE, params).scalar()
    if overdue:
        finalize_expired_attempts(now, user_id=params["user_id"])
        db.session.flush()
        rows = db.session.execute(statement, params).all()
    cards = QuizCards()
    quiz: QuizRow | None = None
    mine: list[AttemptRow] = []
    width = len(_CARD_COLUMNS)
    for row in rows:
        values = tuple(row)  # once, not an attribute at a time (see QuizRow)
        if quiz is None or values[0] != quiz.id:
            if quiz is not None:
                cards.append(_card(quiz, mine, now))
            quiz, mine = QuizRow._make(values[:width]), []
        if values[width] is not None:  # the attempt's id; its other columns, then overdue
            mine.append(AttemptRow(values[width], quiz.id, *values[width + 1:-1]))
    if quiz is not None:
        cards.append(_card(quiz, mine, now))
    cards.submitted_expired = bool(overdue)
    return cards


def quizzes_for(user: User, now: datetime, *, include_upcoming: bool = True) -> QuizCards:
    """Published quizzes for ``user`` (open, and upcoming when asked), with the user's
    attempts, in one statement."""
    return _read_cards(_OPEN_AND_UPCOMING if include_upcoming else _OPEN, {
        "user_id": user.id, "department_id": user.department_id, "now": now}, now)


def closed_quizzes_for(user: User, now: datetime) -> QuizCards:
    """Quizzes closed in the past year that ``user`` handed in, the latest first: once a
    quiz closed it left the 答题 list, and with it the way to one's results and to the
    answers an exam publishes at its close."""
    cards = _read_cards(_CLOSED_HANDED_IN, {"user_id": user.id, "now": now,
                                            "since": now - CLOSED_LISTED_FOR},
                        now, settle_when_none=False)
    cards.sort(key=lambda card: card.quiz.closes_at, reverse=True)
    return cards


@dataclass
class QuizPage:
    card: QuizCard
    attempts: list[AttemptRow]  # in order
    submitted_expired: bool  # the caller commits


def quiz_page(user: User, quiz_id: int, now: datetime) -> QuizPage:
    """A quiz the user may see, as a card, with their attempts; 404 otherwise."""
    from flask_babel import gettext as _

    # Not found is answered at once: the 404 commits nothing, so settling would be undone.
    cards = _read_cards(_ONE, {"user_id": user.id, "quiz_id": quiz_id,
                               "department_id": user.department_id, "now": now}, now,
                        settle_when_none=False)
    if not cards:
        raise NotFound(_("测验不存在或不对您开放。"))
    return QuizPage(cards[0], cards[0].attempts, cards.submitted_expired)
