"""Daily practice (每日一练): today's set, chosen once per local day by the spaced-repetition
scheduler and kept; answers graded at once with feedback; the FSRS card of a question is
reviewed on its first answer only. No HTTP here."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lawlearn.accounts.models import User
from lawlearn.errors import Conflict
from lawlearn.extensions import db
from lawlearn.library.models import LawArticle
from lawlearn.localtime import day_start, local_day
from lawlearn.practice import scheduler
from lawlearn.practice.models import DailySet, DailySetItem, PracticeCard
from lawlearn.practice.points import award, get_rule
from lawlearn.practice.timing import check_timing
from lawlearn.quiz.authoring import rule_conditions
from lawlearn.quiz.listing import audience_condition_for
from lawlearn.quiz.models import Question, Quiz, QuizQuestion, WrongAnswer
from lawlearn.quiz.services import question_snapshot
from lawlearn.quiz.wrongbook import grade_answer, record_result
from lawlearn.settings import get_setting

# --- days and the exam ----------------------------------------------------------------------


def upcoming_exam(user: User, now: datetime) -> Quiz | None:
    """The next published exam for ``user`` that has not opened yet."""
    return db.session.scalar(
        select(Quiz).where(Quiz.published.is_(True), Quiz.is_exam.is_(True), Quiz.opens_at > now,
                           audience_condition_for(user))
        .order_by(Quiz.opens_at, Quiz.id).limit(1))


def exam_pool(quiz: Quiz) -> set[int]:
    """The active questions the exam asks: its fixed list, or all that its draw rules match."""
    if quiz.selection == "fixed":
        query = (select(QuizQuestion.question_id)
                 .join(Question, Question.id == QuizQuestion.question_id)
                 .where(QuizQuestion.quiz_id == quiz.id, Question.status == "active"))
    else:
        if not quiz.rules:
            return set()
        query = select(Question.id).where(or_(*(and_(*rule_conditions(rule))  # type: ignore[arg-type]
                                                for rule in quiz.rules)))
    return set(db.session.scalars(query))


def days_until(exam_opens_at: datetime, day: date) -> int:
    """Calendar days from ``day`` to the exam's day (0 when the exam is today)."""
    return max(0, (local_day(exam_opens_at) - day).days)


@dataclass(frozen=True)
class ExamCountdown:
    quiz_id: int
    title: str
    opens_at: datetime
    days_left: int


def exam_countdown(daily_set: DailySet | None, now: datetime) -> ExamCountdown | None:
    """The exam today's set prepares for, while it is still ahead."""
    if daily_set is None or daily_set.exam_quiz_id is None:
        return None
    quiz = db.session.get(Quiz, daily_set.exam_quiz_id)
    if quiz is None or not quiz.published or quiz.opens_at is None or quiz.opens_at <= now:
        return None
    return ExamCountdown(quiz.id, quiz.title, quiz.opens_at,
                         days_until(quiz.opens_at, local_day(now)))


# --- today's set ----------------------------------------------------------------------------


def todays_set(user_id: int, now: datetime, *, lock: bool = False) -> DailySet | None:
    """Today's set with its items, if it has been chosen. ``lock``: hold the set's row until
    the transaction ends (PostgreSQL; SQLite serialises writers anyway) and reload it."""
    query = (select(DailySet).where(DailySet.user_id == user_id, DailySet.day == local_day(now))
             .options(selectinload(DailySet.items)))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def _choose(user: User, now: datetime, day: date,
            rng: random.Random) -> tuple[list[scheduler.Pick], Quiz | None]:
    size = int(get_setting("practice.daily_size"))
    day_end = day_start(day + timedelta(days=1))
    exam = upcoming_exam(user, now)
    plan = None
    if exam is not None:
        plan = scheduler.ExamPlan(frozenset(exam_pool(exam)),
                                  max(1, days_until(exam.opens_at, day)))
    due = [scheduler.DueCard(row.question_id, row.due, row.lapses) for row in db.session.execute(
        select(PracticeCard.question_id, PracticeCard.due, PracticeCard.lapses)
        .join(Question, Question.id == PracticeCard.question_id)
        .where(PracticeCard.user_id == user.id, PracticeCard.due < day_end,
               Question.status == "active"))]
    seen = select(PracticeCard.question_id).where(PracticeCard.user_id == user.id)
    unseen = list(db.session.scalars(select(Question.id).where(Question.status == "active",
                                                               Question.id.not_in(seen))))
    wrong = set(db.session.scalars(select(WrongAnswer.question_id).where(
        WrongAnswer.user_id == user.id, WrongAnswer.cleared_at.is_(None))))
    picks = scheduler.choose_daily(due=due, unseen=unseen, wrong=wrong, size=size, rng=rng,
                                   exam=plan)
    return picks, exam


def get_or_create_set(user: User, now: datetime,
                      rng: random.Random | None = None) -> DailySet | None:
    """Today's set, chosen on the first visit of the day and kept; None when there is
    nothing to practise today (no row is kept, so new questions can still come today)."""
    existing = todays_set(user.id, now)
    if existing is not None:
        return existing
    rng = rng or random.Random()  # nosec B311 - which questions to practise, not a secret
    day = local_day(now)
    picks, exam = _choose(user, now, day, rng)
    if not picks:
        return None
    questions = {question.id: question for question in db.session.scalars(
        select(Question).where(Question.id.in_([pick.question_id for pick in picks]))
        .options(selectinload(Question.article).joinedload(LawArticle.law)))}
    daily_set = DailySet(user_id=user.id, day=day, created_at=now,
                         exam_quiz_id=exam.id if exam is not None else None)
    daily_set.items = [
        DailySetItem(question_id=pick.question_id, position=position, reason=pick.reason,
                     snapshot=question_snapshot(questions[pick.question_id], False, rng))
        for position, pick in enumerate(picks)]
    try:
        with db.session.begin_nested():
            db.session.add(daily_set)
    except IntegrityError:
        # A second tab chose the day's set at the same moment: keep the one that won.
        chosen = todays_set(user.id, now)
        if chosen is None:
            raise
        return chosen
    return daily_set


def next_item(daily_set: DailySet) -> DailySetItem | None:
    """The first question not answered yet (where a resumed set carries on)."""
    return next((item for item in daily_set.items if item.answered_at is None), None)


def mark_shown(daily_set: DailySet, now: datetime,
               item: DailySetItem | None = None) -> None:
    """Note when questions were first served (``item``, or all of them), for timing."""
    for each in daily_set.items if item is None else [item]:
        if each.shown_at is None:
            each.shown_at = now


@dataclass(frozen=True)
class DayProgress:
    answered: int
    total: int
    completed: bool


def progress(user_id: int, now: datetime) -> DayProgress | None:
    """How far today's set is (one query); None before it has been chosen."""
    row = db.session.execute(
        select(func.count(DailySetItem.id), func.count(DailySetItem.answered_at),
               DailySet.completed_at)
        .join(DailySetItem, DailySetItem.set_id == DailySet.id)
        .where(DailySet.user_id == user_id, DailySet.day == local_day(now))
        .group_by(DailySet.id, DailySet.completed_at)).one_or_none()
    if row is None:
        return None
    return DayProgress(int(row[1]), int(row[0]), row[2] is not None)


def public_question(item: DailySetItem, points: float) -> dict[str, Any]:
    """A question as a client sees it before answering: the shape of
    quiz.services.public_question (no answer key)."""
    snapshot = item.snapshot
    return {"id": item.question_id, "position": item.position + 1, "type": snapshot["type"],
            "stem": snapshot["stem"], "points": points,
            "options": [{"key": o["key"], "text": o["text"]} for o in snapshot["options"]],
            "blanks": snapshot.get("blanks", 0)}


def set_payload(daily_set: DailySet | None, now: datetime) -> dict[str, Any]:
    """Today's set for the API."""
    exam = exam_countdown(daily_set, now)
    items = daily_set.items if daily_set is not None else []
    points = get_rule("daily_answer").amount
    return {
        "date": local_day(now).isoformat(),
        "questions": [public_question(item, points) for item in items],
        "answered": [item.question_id for item in items if item.answered_at is not None],
        "completed": daily_set is not None and daily_set.completed_at is not None,
        "exam": None if exam is None else {
            "id": exam.quiz_id, "title": exam.title, "opens_at": exam.opens_at.isoformat() + "Z",
            "days_left": exam.days_left},
    }


# --- answering ------------------------------------------------------------------------------


@dataclass
class Feedback:
    """What a person learns right after answering."""

    item: DailySetItem
    correct: bool  # of the answer just given (a repeat is graded too, for the feedback)
    response: Any
    next_due: datetime | None
    points_awarded: int
    completed: bool
    repeated: bool

    def payload(self) -> dict[str, Any]:
        snapshot = self.item.snapshot
        return {
            "question_id": self.item.question_id, "correct": self.correct,
            "response": self.response, "answer": snapshot["answer"],
            "explanation": snapshot.get("explanation", ""), "article": snapshot.get("article"),
            "next_due": self.next_due.isoformat() + "Z" if self.next_due else None,
            "points_awarded": self.points_awarded, "too_fast": self.item.too_fast,
            "completed": self.completed, "repeated": self.repeated,
        }


def card_for(user_id: int, question_id: int) -> PracticeCard | None:
    return db.session.scalar(select(PracticeCard).where(PracticeCard.user_id == user_id,
                                                        PracticeCard.question_id == question_id))


def _review_card(user_id: int, question_id: int, correct: bool, now: datetime) -> PracticeCard:
    card = card_for(user_id, question_id)
    reviewed = scheduler.review(card.state if card else None, question_id, correct, now)
    if card is None:
        card = PracticeCard(user_id=user_id, question_id=question_id, reviews=0, lapses=0)
        db.session.add(card)
    card.state, card.due, card.last_review = reviewed.state, reviewed.due, now
    card.reviews += 1
    card.lapses += 1 if reviewed.lapsed else 0
    return card


def answer(user_id: int, question_id: int, raw: Any, now: datetime) -> Feedback:
    """Grade an answer to a question of today's set and learn from it once: the first answer
    is kept, timed, reviewed on its card, noted in the wrong-answer book and paid; a repeat is
    only graded for the feedback and pays 0.

    The answers to one set are serialised on the set's row: the last two racing answers would
    otherwise each see the other's question unanswered, and the set would never complete."""
    daily_set = todays_set(user_id, now, lock=True)
    item = None if daily_set is None else next(
        (each for each in daily_set.items if each.question_id == question_id), None)
    if daily_set is None or item is None:
        raise Conflict(_("这道题不在今天的练习中。"), code="not_in_todays_set")
    response, correct = grade_answer(item.snapshot, raw)
    if item.answered_at is None:
        # Only the request that stores the first answer goes on; a racing one sees rowcount 0.
        claimed = db.session.execute(
            update(DailySetItem)
            .where(DailySetItem.id == item.id, DailySetItem.answered_at.is_(None))
            .values(response=response, correct=correct, answered_at=now)
            .execution_options(synchronize_session=False)).rowcount
        if claimed:
            return _first_answer(daily_set, item, response, correct, now)
        db.session.refresh(item)
    card = card_for(user_id, question_id)
    return Feedback(item, correct, response, card.due if card else None, 0,
                    daily_set.completed_at is not None, repeated=True)


def _first_answer(daily_set: DailySet, item: DailySetItem, response: Any, correct: bool,
                  now: datetime) -> Feedback:
    user_id, question_id = daily_set.user_id, item.question_id
    previous = [each.answered_at for each in daily_set.items
                if each.answered_at is not None and each.id != item.id]
    started = max([item.shown_at or daily_set.created_at, *previous])
    elapsed, too_fast = check_timing(user_id, question_id, item.snapshot, started, now, "daily")
    item.response, item.correct, item.answered_at = response, correct, now
    item.elapsed_ms, item.too_fast = elapsed, too_fast
    record_result(user_id, question_id, item.snapshot, response, correct, "daily", now)
    card = _review_card(user_id, question_id, correct, now)
    paid = 0
    if correct and not too_fast:
        paid += award(user_id, "daily_answer", f"daily:{daily_set.id}:{question_id}", now)
    db.session.flush()
    left, hurried = db.session.execute(
        select(func.count(DailySetItem.id).filter(DailySetItem.answered_at.is_(None)),
               func.count(DailySetItem.id).filter(DailySetItem.too_fast.is_(True)))
        .where(DailySetItem.set_id == daily_set.id)).one()
    completed = left == 0
    if completed:
        finished = db.session.execute(
            update(DailySet).where(DailySet.id == daily_set.id, DailySet.completed_at.is_(None))
            .values(completed_at=now, hurried=bool(hurried))
            .execution_options(synchronize_session=False)).rowcount
        if finished:
            daily_set.completed_at, daily_set.hurried = now, bool(hurried)
            if not hurried:
                paid += award(user_id, "daily_practice", f"daily:{daily_set.day.isoformat()}",
                              now)
    item.points_awarded = paid
    db.session.flush()
    return Feedback(item, correct, response, card.due, paid, completed, repeated=False)


def bonus_withheld(daily_set: DailySet) -> bool:
    """The completed set earned no completion bonus, and counts as no day of practice,
    because an answer was too fast (decided once, when the last answer comes in)."""
    return daily_set.completed_at is not None and any(item.too_fast for item in daily_set.items)


def answered_item(user_id: int, question_id: int, now: datetime) -> tuple[DailySet, DailySetItem]:
    """An answered question of my set today (for its feedback page)."""
    daily_set = todays_set(user_id, now)
    item = None if daily_set is None else next(
        (each for each in daily_set.items
         if each.question_id == question_id and each.answered_at is not None), None)
    if daily_set is None or item is None:
        raise Conflict(_("这道题不在今天的练习中。"), code="not_in_todays_set")
    return daily_set, item


def feedback_for(daily_set: DailySet, item: DailySetItem) -> Feedback:
    """The feedback of a stored first answer (the page shown after answering)."""
    card = card_for(daily_set.user_id, item.question_id)
    return Feedback(item, bool(item.correct), item.response, card.due if card else None,
                    item.points_awarded, daily_set.completed_at is not None, repeated=False)

