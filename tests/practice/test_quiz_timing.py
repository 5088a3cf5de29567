"""Quizzes against the reading floor: an attempt submitted faster than its answered questions
can be read pays no quiz points, is flagged, and shows in the admin's timing report."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

import lawlearn.practice.listeners  # noqa: F401  (connects the listeners)
from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.localtime import local_day
from lawlearn.practice import listeners, timing
from lawlearn.practice.models import PointAward, TimingFlag
from lawlearn.quiz import services as quiz_services
from lawlearn.quiz.models import Attempt, Quiz
from lawlearn.settings import set_setting
from tests.practice.helpers import right_answer, singles

TIMING_URL = "/admin/practice/timing"


def floor_of(snapshots: list[dict[str, Any]]) -> int:
    """The default floor worked out by hand: 800 ms a question + 8 ms a character of the
    stem and the options."""
    return sum(800 + 8 * (len(s["stem"]) + sum(len(o["text"]) for o in s["options"]))
               for s in snapshots)


def awards(user_id: int) -> list[tuple[str, str, int]]:
    return [(a.rule, a.source, a.amount) for a in db.session.scalars(
        select(PointAward).where(PointAward.user_id == user_id).order_by(PointAward.id))]


def flags(user_id: int) -> list[tuple[str, int | None, int, int]]:
    return [(f.context, f.question_id, f.elapsed_ms, f.floor_ms) for f in db.session.scalars(
        select(TimingFlag).where(TimingFlag.user_id == user_id).order_by(TimingFlag.id))]


def take(user: User, quiz: Quiz, start, seconds: float, answer: int | None = None) -> Attempt:
    """Start at ``start``, answer the first ``answer`` questions (all by default) right, and
    submit ``seconds`` later."""
    attempt, _created = quiz_services.start_attempt(user, quiz, start)
    for item in attempt.items[:answer]:
        quiz_services.save_answer(attempt, item.question_id, right_answer(item.snapshot), start)
    quiz_services.submit_attempt(attempt, start + timedelta(seconds=seconds))
    return attempt


@pytest.fixture
def quiz_and_user(ctx, make_user, make_quiz):
    quiz = db.session.get(Quiz, make_quiz(attempts_allowed=None))
    return quiz, db.session.get(User, make_user().id)


def test_a_too_fast_passed_attempt_pays_nothing_is_flagged_and_a_later_one_pays(
        quiz_and_user):
    quiz, user = quiz_and_user
    start = utcnow()
    instant = take(user, quiz, start, 0)
    assert instant.passed is True
    floor = floor_of([item.snapshot for item in instant.items])
    assert floor > 4 * 800
    assert awards(user.id) == []
    assert flags(user.id) == [("quiz", None, 0, floor)]
    flag = db.session.scalar(select(TimingFlag))
    assert flag.created_at == instant.submitted_at

    # The flagged attempt did not use up the quiz's points: a careful one still pays, once.
    later = start + timedelta(minutes=1)
    take(user, quiz, later, floor / 1000)
    take(user, quiz, later + timedelta(minutes=5), 600)
    db.session.commit()
    assert awards(user.id) == [("quiz_passed", f"quiz:{quiz.id}", 10)]
    assert len(flags(user.id)) == 1


def test_a_normally_timed_attempt_pays_once_and_is_not_flagged(quiz_and_user):
    quiz, user = quiz_and_user
    start = utcnow()
    attempt = take(user, quiz, start, 300)
    assert attempt.passed is True
    quiz_services.submit_attempt(attempt, start + timedelta(seconds=301))  # submitted twice
    db.session.commit()
    assert awards(user.id) == [("quiz_passed", f"quiz:{quiz.id}", 10)]
    assert flags(user.id) == []


def test_the_floor_counts_only_the_answered_questions_and_follows_the_settings(quiz_and_user):
    quiz, user = quiz_and_user
    start = utcnow()
    # One question answered, submitted just in time for that one (but not for all four).
    one, _created = quiz_services.start_attempt(user, quiz, start)
    first = one.items[0]
    quiz_services.save_answer(one, first.question_id, right_answer(first.snapshot), start)
    quiz_services.submit_attempt(one, start + timedelta(milliseconds=floor_of([first.snapshot])))
    assert one.passed is False and flags(user.id) == []
    # Failing does not excuse a too-fast attempt; nothing answered is never too fast.
    hurried = take(user, quiz, start + timedelta(minutes=1), 0.5, answer=1)
    assert flags(user.id) == [("quiz", None, 500, floor_of([hurried.items[0].snapshot]))]
    take(user, quiz, start + timedelta(minutes=2), 0, answer=0)
    assert len(flags(user.id)) == 1
    # The admin's floor applies: with none, even an instant attempt passes the check.
    set_setting("practice.floor_base_ms", 0)
    set_setting("practice.floor_ms_per_char", 0)
    take(user, quiz, start + timedelta(minutes=3), 0)
    assert len(flags(user.id)) == 1
    assert awards(user.id) == [("quiz_passed", f"quiz:{quiz.id}", 10)]


def test_the_listener_loads_the_items_in_one_query_whatever_their_number(
        app, make_user, make_questions, make_quiz, count_queries):
    def queries(questions: int, first: int) -> int:
        quiz_id = make_quiz(make_questions(singles(questions, start=first)))
        user_id = make_user().id
        with app.app_context():
            user = db.session.get(User, user_id)
            attempt = take(user, db.session.get(Quiz, quiz_id), utcnow(), 0)
            db.session.commit()
            attempt_id = attempt.id
        with app.app_context():
            fresh = db.session.get(Attempt, attempt_id)  # items not loaded yet
            return count_queries(lambda: listeners.on_attempt_graded(fresh))

    assert queries(2, 1) == queries(9, 10)


def test_quiz_flags_and_items_appear_in_the_timing_report(app, admin_client, make_user,
                                                          make_quiz, count_queries):
    quiz_id = make_quiz(attempts_allowed=None)
    bot = make_user("quizbot", name="秒交卷")
    careful = make_user("careful", name="认真答")
    with app.app_context():
        quiz = db.session.get(Quiz, quiz_id)
        start = utcnow() - timedelta(minutes=30)
        for n in range(2):  # two instant attempts of four answered questions each
            take(db.session.get(User, bot.id), quiz, start + timedelta(minutes=n), 0.5)
        take(db.session.get(User, careful.id), quiz, start, 600)
        db.session.commit()
        today = local_day(utcnow())
        report = timing.timing_report(today - timedelta(days=1), today)
        assert [(r.username, r.flagged, r.answered) for r in report.items] == [("quizbot", 2, 8)]
        assert report.items[0].median_elapsed_ms == 500

    html = admin_client.get(TIMING_URL).get_data(as_text=True)
    assert "秒交卷" in html and "认真答" not in html and "25.0%" in html  # 2 flags, 8 answers
    export = admin_client.get(f"{TIMING_URL}?format=csv")
    rows = list(csv.reader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert rows[0][5] == "作答题数"
    assert [(r[2], r[4], r[5]) for r in rows[1:]] == [("quizbot", "2", "8")]

    # Quiz attempts in the report keep its query count fixed.
    small = count_queries(lambda: admin_client.get(TIMING_URL))
    people = [make_user().id for _ in range(3)]
    with app.app_context():
        for person_id in people:
            take(db.session.get(User, person_id), db.session.get(Quiz, quiz_id),
                 utcnow() - timedelta(minutes=20), 0)
        db.session.commit()
    assert count_queries(lambda: admin_client.get(TIMING_URL)) == small
