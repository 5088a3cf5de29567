"""Demo quizzes: the project's own question bank, a practice quiz open to everyone, the
annual exam opening next week, and past attempts so that results pages have data."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.references import resolve_article_references
from lawlearn.quiz import services
from lawlearn.quiz.authoring import QuizFields, RuleFields, create_quiz
from lawlearn.quiz.bank import QuestionFields, create_question
from lawlearn.quiz.demo_bank import DEMO_QUESTIONS


def _article_id(reference: str) -> int | None:
    try:
        articles = resolve_article_references(reference)
    except ValidationFailed:
        return None  # the statute is not in the library (no shared texts here)
    return articles[0].id if articles else None


def load_quiz_demo(rng: random.Random | None = None) -> dict[str, int]:
    rng = rng or random.Random(2026)  # nosec B311 - repeatable demo data
    questions = [create_question(None, QuestionFields(
        q["type"], q["stem"], q["options"], q["answer"], q["explanation"], q["tags"],
        q["difficulty"], _article_id(q["article"])), audit=False) for q in DEMO_QUESTIONS]
    now = utcnow()
    practice = create_quiz(None, QuizFields(
        title="宪法与民法典知识练习", description="每次随机抽取 10 道题，可反复练习，交卷后立即看解析。",
        opens_at=now - timedelta(days=30), closes_at=now + timedelta(days=60),
        time_limit_minutes=15, attempts_allowed=None, grading="highest", pass_percent=60,
        selection="random", shuffle_questions=True, shuffle_options=True,
        rules=[RuleFields("single", 5), RuleFields("multiple", 2), RuleFields("true_false", 2),
               RuleFields("fill", 1)],
        points={"single": 10, "multiple": 10, "true_false": 10, "fill": 10}), published=True)
    next_week = (now + timedelta(days=7)).replace(hour=1, minute=0, second=0, microsecond=0)
    create_quiz(None, QuizFields(
        title="2026年度学法考试", is_exam=True,
        description="共 50 题，满分 100 分，限时 90 分钟，最多 3 次，取最高分。",
        opens_at=next_week, closes_at=next_week + timedelta(days=5), time_limit_minutes=90,
        attempts_allowed=3, grading="highest", pass_percent=60, selection="random",
        shuffle_questions=True, shuffle_options=True, show_answers="after_close",
        rules=[RuleFields("single", 25), RuleFields("multiple", 10),
               RuleFields("true_false", 10), RuleFields("fill", 5)],
        points={"single": 2, "multiple": 2, "true_false": 2, "fill": 2}), published=True)

    # Past attempts: demo staff of varying skill, a few days ago.
    staff = db.session.scalars(select(User).where(User.username.like("staff%"))
                               .order_by(User.username)).all()[:20]
    attempts = 0
    for index, person in enumerate(staff):
        skill = 0.45 + 0.5 * (index % 10) / 9
        started = now - timedelta(days=1 + index % 6, hours=index % 5)
        attempt, _created = services.start_attempt(person, practice, started, rng)
        for item in attempt.items:
            snapshot = item.snapshot
            if rng.random() < skill:
                answer = snapshot["answer"] if snapshot["type"] != "fill" else \
                    [alternatives[0] for alternatives in snapshot["answer"]]
            elif snapshot["type"] == "single":
                answer = rng.choice([o["key"] for o in snapshot["options"]])
            elif snapshot["type"] == "multiple":
                answer = sorted(rng.sample([o["key"] for o in snapshot["options"]], 2))
            elif snapshot["type"] == "true_false":
                answer = not snapshot["answer"]
            else:
                answer = ["不知道"] * snapshot["blanks"]
            services.save_answer(attempt, item.question_id, answer,
                                 started + timedelta(minutes=1))
        services.submit_attempt(attempt, started + timedelta(minutes=9))
        attempts += 1
    return {"questions": len(questions), "quizzes": 2, "attempts": attempts}
