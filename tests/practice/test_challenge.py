"""Challenge mode services: one running run, the server's deadline, the current question
only, races, an exhausted bank, points once at the end, and bests (the pages are in
test_challenge_pages.py)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import User
from lawlearn.errors import Conflict, NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.practice import challenge
from lawlearn.practice.models import ChallengeAnswer, ChallengeRun, PointAward, TimingFlag
from lawlearn.practice.points import total_points
from lawlearn.quiz.models import Question, WrongAnswer
from lawlearn.settings import set_setting
from tests.practice.helpers import race, right_answer, singles, wrong_answer
from tests.quiz.fixtures import SAMPLE

T0 = datetime(2026, 3, 2, 1, 0)  # naive UTC
READ = timedelta(seconds=10)  # slow enough to read any test question, well within 30 s


def person(ref) -> User:
    return db.session.get(User, ref.id)


def answer_current(user, run, now, *, correct=True, rng_seed=2):
    snapshot = run.current_snapshot
    return challenge.answer(user, run.id, run.current_question_id,
                            right_answer(snapshot) if correct else wrong_answer(snapshot), now,
                            rng=random.Random(rng_seed))


def add_run(user_id: int, department_id: int | None, score: int, status: str = "ended",
            started: datetime = T0) -> ChallengeRun:
    run = ChallengeRun(user_id=user_id, department_id=department_id, status=status, score=score,
                       end_reason="wrong" if status == "ended" else None, started_at=started,
                       ended_at=started + timedelta(minutes=2) if status == "ended" else None,
                       asked=[])
    db.session.add(run)
    db.session.flush()
    return run


# --- starting -------------------------------------------------------------------------------


def test_a_run_shows_a_frozen_question_with_the_configured_seconds(ctx, make_user,
                                                                   make_questions):
    ids = make_questions()
    user = person(make_user())
    set_setting("practice.challenge_seconds", 20)
    run, created = challenge.start(user, T0, random.Random(1))
    db.session.commit()
    assert created and run.status == "running" and run.score == 0
    assert run.seconds_per_question == 20
    assert run.current_question_id in ids and run.asked == [run.current_question_id]
    assert run.current_shown_at == T0
    assert challenge.deadline(run) == T0 + timedelta(seconds=20)
    assert "answer" in run.current_snapshot and run.current_snapshot["stem"]
    # The setting is copied at the start: changing it later does not move this run's clock.
    set_setting("practice.challenge_seconds", 60)
    assert challenge.deadline(run) == T0 + timedelta(seconds=20)


def test_starting_again_returns_the_same_question_and_deadline(ctx, make_user, make_questions):
    make_questions(singles(8))
    user = person(make_user())
    run, created = challenge.start(user, T0, random.Random(1))
    db.session.commit()
    question, shown = run.current_question_id, run.current_shown_at
    for moment in (T0 + timedelta(seconds=5), T0 + timedelta(seconds=33)):  # grace included
        again, created_again = challenge.start(user, moment, random.Random(99))
        db.session.commit()
        assert (again.id, created_again) == (run.id, False)
        assert (again.current_question_id, again.current_shown_at) == (question, shown)
    assert db.session.scalar(select(func.count()).select_from(ChallengeRun)) == 1


def test_a_start_after_the_deadline_ends_the_old_run_as_a_timeout(ctx, make_user,
                                                                  make_questions):
    make_questions(singles(5))
    user = person(make_user())
    old, _ = challenge.start(user, T0, random.Random(1))
    first = old.current_question_id
    db.session.commit()
    late = T0 + timedelta(seconds=33, milliseconds=1)  # 30 s + 3 s grace, and a bit
    new, created = challenge.start(user, late, random.Random(2))
    db.session.commit()
    assert created and new.id != old.id and new.status == "running"
    db.session.refresh(old)
    assert (old.status, old.end_reason, old.ended_at) == ("ended", "timeout", late)
    timed_out = db.session.scalars(select(ChallengeAnswer).where(
        ChallengeAnswer.run_id == old.id)).one()
    assert (timed_out.question_id, timed_out.response, timed_out.correct) == (first, None, False)
    assert challenge.ending_answer(old).id == timed_out.id
    # A timeout is no answer: it does not enter the wrong-answer book.
    assert db.session.scalar(select(func.count()).select_from(WrongAnswer)) == 0


def test_an_empty_bank_cannot_start(ctx, make_user, make_questions):
    ids = make_questions(singles(1))
    db.session.get(Question, ids[0]).status = "retired"
    user = person(make_user())
    with pytest.raises(Conflict) as refused:
        challenge.start(user, T0)
    assert refused.value.code == "no_questions"


def test_racing_starts_leave_one_running_run(app, make_user, make_questions):
    make_questions(singles(6))
    ref = make_user()

    def tap(seed: int) -> tuple[int, bool, int | None]:
        run, created = challenge.start(db.session.get(User, ref.id), T0, random.Random(seed))
        return run.id, created, run.current_question_id

    results = race(app, 6, tap)
    assert len({(run_id, question) for run_id, _, question in results}) == 1
    assert sum(created for _, created, _ in results) == 1
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ChallengeRun)) == 1


def test_a_start_that_loses_the_race_returns_the_winner(ctx, make_user, make_questions,
                                                        monkeypatch):
    make_questions(singles(3))
    user = person(make_user())
    winner, _ = challenge.start(user, T0, random.Random(1))
    db.session.commit()
    # The loser looked for a running run before the winner's was there.
    real = challenge.running_run
    calls = iter([None])
    monkeypatch.setattr(challenge, "running_run", lambda user_id: next(calls, real(user_id)))
    run, created = challenge.start(user, T0, random.Random(5))
    db.session.commit()
    assert (run.id, created) == (winner.id, False)
    assert db.session.scalar(select(func.count()).select_from(ChallengeRun)) == 1


# --- answering ------------------------------------------------------------------------------


def test_right_answers_go_on_and_a_wrong_one_ends_the_run(ctx, make_user, make_questions):
    make_questions(SAMPLE + singles(4))
    user = person(make_user())
    run, _ = challenge.start(user, T0, random.Random(3))
    moment = T0
    for n in range(1, 4):
        moment += READ
        outcome = answer_current(user, run, moment, rng_seed=n)
        assert outcome.correct is True and not outcome.ended and not outcome.too_fast
        assert run.score == n and len(run.asked) == n + 1 and len(set(run.asked)) == n + 1
        assert run.current_shown_at == moment  # the next question's clock starts now
    last = run.current_question_id
    snapshot = run.current_snapshot
    outcome = answer_current(user, run, moment + READ, correct=False)
    db.session.commit()
    assert outcome.correct is False and outcome.ended
    assert (run.status, run.end_reason, run.score) == ("ended", "wrong", 3)
    ending = challenge.ending_answer(run)
    assert (ending.question_id, ending.correct, ending.position) == (last, False, 3)
    assert ending.response is not None and ending.snapshot == snapshot
    answers = db.session.scalars(select(ChallengeAnswer).where(ChallengeAnswer.run_id == run.id)
                                 .order_by(ChallengeAnswer.position)).all()
    assert [a.correct for a in answers] == [True, True, True, False]
    assert all(a.elapsed_ms == 10_000 for a in answers)
    # The mistake is in the wrong-answer book, marked as from a challenge.
    entry = db.session.scalar(select(WrongAnswer).where(WrongAnswer.question_id == last))
    assert entry.source == "challenge" and entry.cleared_at is None


def test_a_late_answer_ends_the_run_even_when_right(ctx, make_user, make_questions):
    make_questions(singles(4))
    user = person(make_user())
    run, _ = challenge.start(user, T0, random.Random(1))
    # Within the grace a right answer still counts...
    outcome = answer_current(user, run, T0 + timedelta(seconds=32))
    assert outcome.correct is True and run.score == 1
    shown = run.current_shown_at
    # ...past it, the run ends whatever the answer says.
    outcome = answer_current(user, run, shown + timedelta(seconds=34))
    db.session.commit()
    assert outcome.correct is None and outcome.ended
    assert (run.status, run.end_reason, run.score) == ("ended", "timeout", 1)
    assert challenge.ending_answer(run).response is None


def test_a_countdown_at_zero_ends_the_run_as_a_timeout(ctx, make_user, make_questions):
    make_questions(singles(2))
    user = person(make_user())
    run, _ = challenge.start(user, T0, random.Random(1))
    outcome = challenge.answer(user, run.id, run.current_question_id, None,
                               T0 + timedelta(seconds=30), time_up=True)
    assert outcome.correct is None and (run.status, run.end_reason) == ("ended", "timeout")


def test_only_the_question_on_screen_can_be_answered(ctx, make_user, make_questions):
    make_questions(singles(5))
    user, other = person(make_user()), person(make_user())
    run, _ = challenge.start(user, T0, random.Random(1))
    first = run.current_question_id
    not_shown = next(qid for qid in db.session.scalars(select(Question.id)) if qid != first)
    with pytest.raises(Conflict) as refused:
        challenge.answer(user, run.id, not_shown, "B", T0 + READ)
    assert refused.value.code == "not_current"
    with pytest.raises(ValidationFailed):  # nothing chosen: the clock keeps running
        challenge.answer(user, run.id, first, None, T0 + READ)
    with pytest.raises(ValidationFailed):  # a letter not shown
        challenge.answer(user, run.id, first, "H", T0 + READ)
    with pytest.raises(NotFound):  # someone else's run
        challenge.answer(other, run.id, first, "B", T0 + READ)
    answer_current(user, run, T0 + READ)
    # The question already answered cannot be answered again (a double tap, an old tab).
    with pytest.raises(Conflict) as again:
        challenge.answer(user, run.id, first, "B", T0 + 2 * READ)
    assert again.value.code == "not_current"
    answer_current(user, run, T0 + 2 * READ, correct=False)
    with pytest.raises(Conflict) as ended:
        challenge.answer(user, run.id, run.current_question_id, "B", T0 + 3 * READ)
    assert ended.value.code == "run_ended"
    assert run.score == 1


def test_two_racing_answers_to_one_question_count_once(app, make_user, make_questions):
    make_questions(singles(6))
    ref = make_user()
    with app.app_context():
        run, _ = challenge.start(db.session.get(User, ref.id), T0, random.Random(1))
        db.session.commit()
        run_id, question_id = run.id, run.current_question_id
        answer = right_answer(run.current_snapshot)

    def tap(seed: int) -> str:
        try:
            challenge.answer(db.session.get(User, ref.id), run_id, question_id, answer,
                             T0 + READ, rng=random.Random(seed))
        except Conflict:
            db.session.rollback()
            return "conflict"
        return "answered"

    assert sorted(race(app, 4, tap)) == ["answered", "conflict", "conflict", "conflict"]
    with app.app_context():
        run = db.session.get(ChallengeRun, run_id)
        assert run.score == 1 and len(run.asked) == 2
        assert db.session.scalar(select(func.count()).select_from(ChallengeAnswer)) == 1


def test_answering_every_question_ends_a_perfect_run(ctx, make_user, make_questions):
    ids = make_questions(SAMPLE)
    user = person(make_user())
    run, _ = challenge.start(user, T0, random.Random(4))
    moment = T0
    for _n in ids:
        moment += READ
        outcome = answer_current(user, run, moment)
        assert outcome.correct is True
    db.session.commit()
    assert (run.status, run.end_reason, run.score) == ("ended", "exhausted", 4)
    assert sorted(run.asked) == sorted(ids)
    assert challenge.ending_answer(run) is None
    assert total_points(user.id) == 4


def test_points_are_paid_once_at_the_end_and_not_for_too_fast_answers(ctx, make_user,
                                                                      make_questions):
    make_questions(singles(5))
    user = person(make_user())
    run, _ = challenge.start(user, T0, random.Random(1))
    fast = answer_current(user, run, T0 + timedelta(milliseconds=400))  # faster than reading
    assert fast.correct is True and fast.too_fast
    shown = run.current_shown_at
    answer_current(user, run, shown + READ)
    assert run.score == 2 and total_points(user.id) == 0  # nothing before the end
    answer_current(user, run, run.current_shown_at + READ, correct=False)
    db.session.commit()
    assert run.score == 2  # the too-fast answer counts for the run...
    assert total_points(user.id) == 1  # ...but earns nothing
    flags = db.session.scalars(select(TimingFlag)).all()
    assert [(f.context, f.elapsed_ms) for f in flags] == [("challenge", 400)]
    assert challenge.points_of(run) == 1
    # Nothing pays twice: an ended run that is looked at, or started over, pays no more.
    challenge.expire_if_late(run, T0 + timedelta(hours=1))
    challenge.start(user, T0 + timedelta(hours=1), random.Random(2))
    db.session.commit()
    awards = db.session.scalars(select(PointAward)).all()
    assert [(a.rule, a.source, a.amount) for a in awards] == [
        ("challenge", f"challenge:{run.id}", 1)]


def test_a_timed_out_run_pays_for_its_right_answers(ctx, make_user, make_questions):
    make_questions(singles(5))
    user = person(make_user())
    run, _ = challenge.start(user, T0, random.Random(1))
    answer_current(user, run, T0 + READ)
    answer_current(user, run, T0 + 2 * READ)
    assert challenge.end_late_run(user.id, T0 + timedelta(minutes=5)) is None  # the page
    db.session.commit()
    overview = challenge.overview(user)
    assert overview.running is None and run.end_reason == "timeout"
    assert overview.personal_best == 2 and total_points(user.id) == 2


# --- bests ----------------------------------------------------------------------------------


def test_personal_and_department_bests(ctx, make_user, make_department):
    office, other_office = make_department("法制科"), make_department("财政科")
    me = person(make_user(name="张三", department_id=office))
    colleague = make_user(name="李四", department_id=office)
    stranger = make_user(name="王五", department_id=other_office)
    add_run(me.id, office, 3)
    add_run(me.id, office, 5, started=T0 + timedelta(hours=1))
    add_run(colleague.id, office, 7, started=T0 + timedelta(hours=2))
    add_run(stranger.id, other_office, 12)
    add_run(me.id, office, 2, started=T0 + timedelta(hours=3))
    db.session.commit()
    view = challenge.overview(me)
    assert view.personal_best == 5
    assert (view.department_best.score, view.department_best.name) == (7, "李四")
    assert [run.score for run in view.recent] == [2, 5, 3]  # mine, newest first
    # A run in progress is not a result yet; a person who moved keeps old runs' department.
    db.session.get(User, colleague.id).department_id = other_office
    add_run(me.id, office, 9, status="running", started=T0 + timedelta(days=1))
    db.session.commit()
    view = challenge.overview(me)
    assert view.personal_best == 5 and view.department_best.score == 7
    assert view.running is not None and view.running.score == 9
    lonely = person(make_user(name="赵六"))
    assert challenge.overview(lonely).department_best is None
    assert challenge.overview(lonely).personal_best is None
    # A department where nobody has answered one right has no best to name.
    quiet = make_department("信息科")
    zero = person(make_user(name="林倩", department_id=quiet))
    add_run(zero.id, quiet, 0)
    db.session.commit()
    assert challenge.overview(zero).department_best is None
    assert challenge.overview(zero).personal_best == 0
