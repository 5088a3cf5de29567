"""Attempts: frozen snapshots, the server-owned deadline, saving, idempotent submit."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.errors import Conflict, NotFound
from lawlearn.extensions import db
from lawlearn.quiz import listing, services
from lawlearn.quiz.bank import QuestionFields, update_question
from lawlearn.quiz.models import Attempt, AttemptItem, Question, Quiz
from tests.races import reads, twin_at


@pytest.fixture
def taker(make_user):
    return make_user("taker")


def load(ctx_app, taker_ref, quiz_id):
    return db.session.get(User, taker_ref.id), db.session.get(Quiz, quiz_id)


def answer_all_right(attempt, now):
    for item in attempt.items:
        snap = item.snapshot
        right = snap["answer"] if snap["type"] != "fill" else [alts[0] for alts in snap["answer"]]
        services.save_answer(attempt, item.question_id, right, now)


def test_attempt_freezes_questions_and_grades(app, ctx, taker, make_quiz):
    quiz_id = make_quiz(shuffle_options=True, shuffle_questions=True)
    user, quiz = load(ctx, taker, quiz_id)
    now = utcnow()
    attempt, created = services.start_attempt(user, quiz, now, random.Random(7))
    assert created and len(attempt.items) == 4 and attempt.max_score == 8
    again, created_again = services.start_attempt(user, quiz, now)
    assert again.id == attempt.id and not created_again  # resumes, does not start anew
    # Editing a bank question later changes nothing in the attempt.
    question = db.session.get(Question, attempt.items[0].question_id)
    before = dict(attempt.items[0].snapshot)
    admin = User(username="x", name="x", password_hash="x")
    db.session.add(admin)
    db.session.flush()
    update_question(admin, question, QuestionFields(
        question.type, "改过的题干", question.options, question.answer, "", [], "easy"))
    db.session.flush()
    db.session.refresh(attempt.items[0])
    assert attempt.items[0].snapshot == before
    answer_all_right(attempt, now)
    result = services.submit_attempt(attempt, now)
    assert result["score"] == 8 and result["passed"] is True


def test_shuffled_options_keep_the_right_answer(app, ctx, taker, make_quiz):
    quiz_id = make_quiz(shuffle_options=True)
    user, quiz = load(ctx, taker, quiz_id)
    for seed in range(5):
        attempt, _ = services.start_attempt(user, quiz, utcnow(), random.Random(seed))
        single = next(i for i in attempt.items if i.snapshot["type"] == "single")
        shown = {o["key"]: o["text"] for o in single.snapshot["options"]}
        assert shown[single.snapshot["answer"]] == "宪法"
        services.submit_attempt(attempt, utcnow())
        quiz.attempts_allowed = None


def test_answers_after_the_deadline_are_refused_and_the_attempt_closes(app, ctx, taker,
                                                                      make_quiz):
    quiz_id = make_quiz(time_limit_minutes=30)
    user, quiz = load(ctx, taker, quiz_id)
    start = utcnow()
    attempt, _ = services.start_attempt(user, quiz, start)
    assert attempt.deadline == start + timedelta(minutes=30)
    first = attempt.items[0]
    right = first.snapshot["answer"] if first.snapshot["type"] != "fill" else ["宪法"]
    services.save_answer(attempt, first.question_id, right, start + timedelta(minutes=29))
    with pytest.raises(Conflict) as late:
        services.save_answer(attempt, attempt.items[1].question_id, None,
                             start + timedelta(minutes=31))
    assert late.value.code == "attempt_closed"
    assert attempt.auto_submitted and attempt.submitted_at == attempt.deadline
    assert attempt.score == first.points  # what was saved counts


def test_a_submit_after_the_deadline_closes_at_the_deadline(app, ctx, taker, make_quiz):
    """Submitted late with nothing saved after the time ran out, an attempt was recorded as
    handed in on time, minutes after the deadline and the quiz's closing."""
    quiz_id = make_quiz(time_limit_minutes=10)
    user, quiz = load(ctx, taker, quiz_id)
    start = utcnow()
    attempt, _ = services.start_attempt(user, quiz, start)
    services.submit_attempt(attempt, start + timedelta(minutes=12))
    assert attempt.submitted_at == attempt.deadline == start + timedelta(minutes=10)
    assert attempt.auto_submitted


def test_expired_attempts_are_submitted_when_anyone_looks(app, ctx, taker, make_quiz):
    quiz_id = make_quiz(time_limit_minutes=10)
    user, quiz = load(ctx, taker, quiz_id)
    start = utcnow()
    attempt, _ = services.start_attempt(user, quiz, start)
    db.session.commit()
    assert services.finalize_expired_attempts(start + timedelta(minutes=5)) == 0
    assert services.finalize_expired_attempts(start + timedelta(minutes=11)) == 1
    db.session.refresh(attempt)
    assert attempt.auto_submitted and attempt.score == 0


def test_deadline_never_passes_the_closing_time(app, ctx, taker, make_quiz):
    closes = utcnow() + timedelta(minutes=20)
    quiz_id = make_quiz(time_limit_minutes=90, closes_at=closes)
    user, quiz = load(ctx, taker, quiz_id)
    attempt, _ = services.start_attempt(user, quiz, utcnow())
    assert attempt.deadline == closes


def test_submit_twice_grades_once(app, ctx, taker, make_quiz):
    quiz_id = make_quiz()
    user, quiz = load(ctx, taker, quiz_id)
    now = utcnow()
    attempt, _ = services.start_attempt(user, quiz, now)
    answer_all_right(attempt, now)
    first = services.submit_attempt(attempt, now)
    second = services.submit_attempt(attempt, now + timedelta(minutes=5))
    assert first == second
    with pytest.raises(Conflict):
        services.save_answer(attempt, attempt.items[0].question_id, None, now)


def test_attempt_limits_and_windows(app, ctx, taker, make_quiz):
    quiz_id = make_quiz(attempts_allowed=2, grading="average")
    user, quiz = load(ctx, taker, quiz_id)
    now = utcnow()
    for _ in range(2):
        attempt, _ = services.start_attempt(user, quiz, now)
        services.submit_attempt(attempt, now)
    with pytest.raises(Conflict) as used_up:
        services.start_attempt(user, quiz, now)
    assert used_up.value.code == "no_attempts_left"
    with pytest.raises(Conflict) as closed:
        services.start_attempt(user, quiz, quiz.closes_at + timedelta(seconds=1))
    assert closed.value.code in ("quiz_closed", "no_attempts_left")
    card = listing.quizzes_for(user, now)[0]
    assert card.attempts_used == 2 and card.attempts_left == 0 and card.best_score == 0


def test_grading_methods(app, ctx, taker, make_quiz):
    from lawlearn.quiz.listing import final_score

    class Done:
        def __init__(self, number, score):
            self.number, self.score, self.submitted_at = number, score, utcnow()

    attempts = [Done(1, 60.0), Done(2, 90.0), Done(3, 75.0)]
    quiz = Quiz(grading="highest")
    assert final_score(quiz, attempts) == 90
    quiz.grading = "last"
    assert final_score(quiz, attempts) == 75
    quiz.grading = "average"
    assert final_score(quiz, attempts) == 75


def test_random_draw_by_rules(app, ctx, taker, make_quiz, make_questions):
    from lawlearn.quiz.bank import QuestionFields as F

    make_questions()  # the sample bank: one of each type, tagged 宪法
    make_questions([F("true_false", f"判断题{i}", [], i % 2 == 0, "", ["民法典"], "easy")
                    for i in range(10)])
    quiz_id = make_quiz(question_ids=[], rules=[("true_false", 3, "民法典", None),
                                                ("single", 1, None, None)])
    user, quiz = load(ctx, taker, quiz_id)
    drawn = set()
    for seed in range(4):
        quiz.attempts_allowed = None
        attempt, _ = services.start_attempt(user, quiz, utcnow(), random.Random(seed))
        kinds = [i.snapshot["type"] for i in attempt.items]
        assert kinds.count("true_false") == 3 and kinds.count("single") == 1
        stems = [i.snapshot["stem"] for i in attempt.items if i.snapshot["type"] == "true_false"]
        assert all(s.startswith("判断题") for s in stems)  # the tag rule held
        drawn.update(stems)
        services.submit_attempt(attempt, utcnow())
    assert len(drawn) > 3  # draws differ between attempts


def test_other_peoples_attempts_are_not_found(app, ctx, taker, make_user, make_quiz):
    quiz_id = make_quiz()
    user, quiz = load(ctx, taker, quiz_id)
    attempt, _ = services.start_attempt(user, quiz, utcnow())
    db.session.commit()
    other = db.session.get(User, make_user("other").id)
    with pytest.raises(NotFound):
        services.own_attempt(other, attempt.id)


def test_audience_limits_who_sees_a_quiz(app, ctx, make_user, make_department, make_quiz):
    unit = make_department("区政府办公室")
    section = make_department("法制科", unit)
    elsewhere = make_department("其他单位")
    inside = make_user("inside", department_id=section)
    outside = make_user("outside", department_id=elsewhere)
    quiz_id = make_quiz(audience_all=False, department_ids=[unit])
    assert [c.quiz.id for c in listing.quizzes_for(db.session.get(User, inside.id),
                                                    utcnow())] == [quiz_id]
    assert listing.quizzes_for(db.session.get(User, outside.id), utcnow()) == []
    with pytest.raises(NotFound):
        services.get_quiz_for(db.session.get(User, outside.id), quiz_id)


def test_concurrent_answer_saves_are_all_kept(app, taker, make_quiz, make_questions):
    from lawlearn.quiz.bank import QuestionFields as F

    ids = make_questions([F("true_false", f"并发题{i}", [], True, "", [], "easy")
                          for i in range(12)])
    quiz_id = make_quiz(question_ids=ids)
    with app.app_context():
        user, quiz = db.session.get(User, taker.id), db.session.get(Quiz, quiz_id)
        attempt, _ = services.start_attempt(user, quiz, utcnow())
        db.session.commit()
        attempt_id = attempt.id
    errors = []

    def save(question_id):
        try:
            with app.app_context():
                mine = services.own_attempt(db.session.get(User, taker.id), attempt_id)
                services.save_answer(mine, question_id, True, utcnow())
                db.session.commit()
        except Exception as error:  # noqa: BLE001  (collected and asserted below)
            errors.append(error)

    threads = [threading.Thread(target=save, args=(qid,)) for qid in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        saved = db.session.scalar(select(func.count()).select_from(AttemptItem).where(
            AttemptItem.attempt_id == attempt_id, AttemptItem.response.is_not(None)))
        assert saved == 12
        assert db.session.get(Attempt, attempt_id).submitted_at is None


def test_a_double_tap_whose_twin_commits_meanwhile_starts_one_attempt(app, taker, make_quiz):
    """The second tap reads the taker's attempts, then the first tap commits attempt 1
    before the second decides: it must resume attempt 1, not start attempt 2 beside it."""
    quiz_id = make_quiz(attempts_allowed=3)

    def first_tap() -> None:
        services.start_attempt(db.session.get(User, taker.id), db.session.get(Quiz, quiz_id),
                               utcnow())

    with app.app_context():
        user, quiz = db.session.get(User, taker.id), db.session.get(Quiz, quiz_id)
        with twin_at(app, first_tap, after=reads("attempt")) as twin_ran:
            attempt, created = services.start_attempt(user, quiz, utcnow())
        db.session.commit()
        assert twin_ran and not created and attempt.number == 1
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
