"""The demo question bank and quizzes."""

from __future__ import annotations

from sqlalchemy import func, select

from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.quiz.demo_bank import DEMO_QUESTIONS, validate_bank
from lawlearn.quiz.models import Attempt, Question, Quiz
from tests.library.test_parsing import needs_shared


def test_demo_bank_is_well_formed():
    assert validate_bank() == []
    kinds = {q["type"] for q in DEMO_QUESTIONS}
    assert len(DEMO_QUESTIONS) >= 60 and kinds == {"single", "multiple", "true_false", "fill"}
    assert all(q["explanation"] and q["article"] for q in DEMO_QUESTIONS)


@needs_shared
def test_demo_has_open_practice_upcoming_exam_and_past_attempts(runner, app):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    with app.app_context():
        now = utcnow()
        quizzes = db.session.scalars(select(Quiz)).all()
        practice = next(q for q in quizzes if not q.is_exam)
        exam = next(q for q in quizzes if q.is_exam)
        assert practice.opens_at < now < practice.closes_at
        assert exam.opens_at > now
        assert db.session.scalar(select(func.count()).select_from(Question).where(
            Question.article_id.is_(None))) == 0  # every question cites its article
        scores = db.session.scalars(select(Attempt.score)).all()
        assert len(scores) == 20 and len(set(scores)) > 3
