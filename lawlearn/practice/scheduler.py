"""The daily practice's spaced repetition: FSRS card reviews and the choice of a day's questions.

Pure logic: callers load the facts (cards, unseen questions, the wrong-answer book, the exam
pool) and pass ``now``; nothing here reads the database or the clock.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fsrs import Card, Rating, Scheduler

# No intra-day learning steps, so every interval is in whole days; no fuzz, so it is
# predictable (tests, and people comparing notes).
FSRS = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)
# A wrong answer comes back the next day at the latest (FSRS may say two days).
RELEARN_WITHIN = timedelta(days=1)
# Exam-date mode never asks more than this many questions a day.
EXAM_DAILY_CAP = 20


def _aware(moment: datetime) -> datetime:
    """Naive UTC (as stored) → aware UTC (as fsrs requires)."""
    return moment.replace(tzinfo=UTC)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Review:
    """A card after one review: its fsrs state and when it is due next (naive UTC)."""

    state: dict[str, Any]
    due: datetime
    lapsed: bool


def review(state: dict[str, Any] | None, question_id: int, correct: bool,
           now: datetime) -> Review:
    """Review a card (``state`` None: a new one) with Good when right, Again when wrong."""
    if state:
        card = Card.from_dict(state)  # type: ignore[arg-type]
    else:
        card = Card(card_id=question_id, due=_aware(now))
    reviewed, _log = FSRS.review_card(card, Rating.Good if correct else Rating.Again,
                                      _aware(now))
    if not correct:
        reviewed.due = min(reviewed.due, _aware(now) + RELEARN_WITHIN)
    return Review(dict(reviewed.to_dict()), _naive(reviewed.due), not correct)


@dataclass(frozen=True)
class DueCard:
    """A card due by the end of the day."""

    question_id: int
    due: datetime
    lapses: int = 0


@dataclass(frozen=True)
class ExamPlan:
    """Exam-date mode: the questions the exam draws from, and practice days left before it."""

    pool: frozenset[int]
    days_left: int


@dataclass(frozen=True)
class Pick:
    question_id: int
    reason: str  # review (due), new, or exam (exam-date mode)


def _weight(card: DueCard, wrong: set[int]) -> int:
    """How much a due card wants to come first: open in the wrong-answer book, lapsed before."""
    return (2 if card.question_id in wrong else 0) + (1 if card.lapses else 0)


def order_due(cards: list[DueCard], wrong: set[int]) -> list[DueCard]:
    """Due cards, the ones got wrong first, then by due time (the most overdue first)."""
    return sorted(cards, key=lambda card: (-_weight(card, wrong), card.due, card.question_id))


def order_new(unseen: list[int], wrong: set[int], rng: random.Random) -> list[int]:
    """Never-practised questions in random order, those got wrong elsewhere (quiz,
    challenge) first."""
    shuffled = sorted(set(unseen))
    rng.shuffle(shuffled)
    return sorted(shuffled, key=lambda question_id: question_id not in wrong)


def exam_quota(size: int, unseen_in_pool: int, days_left: int) -> int:
    """Questions a day so that the unseen part of the pool is done before the exam."""
    return min(EXAM_DAILY_CAP, max(size, math.ceil(unseen_in_pool / max(1, days_left))))


def choose_daily(*, due: list[DueCard], unseen: list[int], wrong: set[int], size: int,
                 rng: random.Random, exam: ExamPlan | None = None) -> list[Pick]:
    """The day's questions in the order they are asked.

    Without an exam: due reviews (wrong ones first, then in due order), then new questions,
    ``size`` in all. With an exam: first the questions got wrong that are due (outside the
    pool: the pool's own come first among its reviews), as the practice page promises they
    come back; then the pool's due reviews and unseen questions, up to the day's quota
    (always leaving room for the unseen share of the day, so the whole pool is seen before
    the exam), all within EXAM_DAILY_CAP; then ordinary practice if that is fewer than
    ``size``.
    """
    due_order = order_due(due, wrong)
    new_order = order_new(unseen, wrong, rng)
    picks: list[Pick] = []
    if exam is not None:
        pool_due = [card.question_id for card in due_order if card.question_id in exam.pool]
        pool_new = [question_id for question_id in new_order if question_id in exam.pool]
        quota = exam_quota(size, len(pool_new), exam.days_left)
        new_share = min(len(pool_new), quota,
                        math.ceil(len(pool_new) / max(1, exam.days_left)))
        # The wrong ones fit beside the day's unseen share, never in place of it (twenty
        # got wrong would otherwise keep every exam question out until the exam).
        relearn = [card.question_id for card in due_order
                   if card.question_id in wrong and card.question_id not in exam.pool]
        relearn = relearn[:EXAM_DAILY_CAP - new_share]
        quota = min(quota, EXAM_DAILY_CAP - len(relearn))
        reviews = pool_due[:quota - new_share]
        news = pool_new[:quota - len(reviews)]
        picks = [Pick(question_id, "review") for question_id in relearn]
        picks += [Pick(question_id, "exam") for question_id in reviews + news]
        taken = {pick.question_id for pick in picks}
        due_order = [card for card in due_order if card.question_id not in taken]
        new_order = [question_id for question_id in new_order if question_id not in taken]
    for card in due_order:
        if len(picks) >= size:
            break
        picks.append(Pick(card.question_id, "review"))
    for question_id in new_order:
        if len(picks) >= size:
            break
        picks.append(Pick(question_id, "new"))
    return picks
