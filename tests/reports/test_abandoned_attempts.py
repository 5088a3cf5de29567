"""An exam paper left open past its deadline (a tab closed mid-exam) is handed in, as the
results page had it, before any report or a plan's progress counts attempts: they had
counted it only once its owner came back to the site."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.localtime import local_day
from lawlearn.plans.matrix import matrix
from lawlearn.plans.models import Plan, PlanItem
from lawlearn.quiz import services
from lawlearn.quiz.models import Attempt, Quiz
from lawlearn.reports.participation import build_report, my_figures
from tests.plans.test_kinds import add_item, make_person, make_plan


def _abandon(app, person_id: int, quiz_id: int) -> int:
    """Start a 30-minute paper two hours ago, answer one question, leave it: its id."""
    with app.app_context():
        started = utcnow() - timedelta(hours=2)
        attempt, _new = services.start_attempt(db.session.get(User, person_id),
                                               db.session.get(Quiz, quiz_id), started)
        services.save_answer(attempt, attempt.items[0].question_id, "A", started)
        db.session.commit()
        return attempt.id


def _handed_in(app, attempt_id: int):
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        return attempt.submitted_at, attempt.auto_submitted, attempt.deadline


def test_a_report_counts_a_paper_abandoned_past_its_deadline(app, make_user, make_quiz):
    person = make_user("left")
    quiz_id = make_quiz(title="年度学法考试", is_exam=True, time_limit_minutes=30,
                        opens_at=utcnow() - timedelta(hours=3))
    attempt_id = _abandon(app, person.id, quiz_id)
    assert _handed_in(app, attempt_id)[0] is None
    with app.app_context():
        today = local_day(utcnow())
        report = build_report(date(today.year, 1, 1), today)
        row = next(row for row in report.people if row.username == "left")
        assert row.values["quizzes_taken"] == 1
        assert row.values["items_answered"] == 1
        assert [(quiz.title, quiz.takers, quiz.attempts) for quiz in report.quizzes] == [
            ("年度学法考试", 1, 1)]
    submitted_at, auto, deadline = _handed_in(app, attempt_id)
    assert submitted_at == deadline and auto  # handed in at its deadline, and kept


def test_a_persons_own_figures_count_it_too(app, make_user, make_quiz):
    person = make_user("mine")
    quiz_id = make_quiz(time_limit_minutes=30, opens_at=utcnow() - timedelta(hours=3))
    attempt_id = _abandon(app, person.id, quiz_id)
    with app.app_context():
        today = local_day(utcnow())
        figures = my_figures(db.session.get(User, person.id), date(today.year, 1, 1), today)
        assert figures["quizzes_taken"] == 1
    assert _handed_in(app, attempt_id)[1]


def _abandoned_in_a_plan(app, make_user, make_quiz, username: str) -> tuple[int, int, int]:
    """A plan item asking for a quiz (pass mark 0: any paper handed in passes), and a paper
    of ``username`` abandoned at it: (attempt id, plan id, item id)."""
    person = make_user(username)
    quiz_id = make_quiz(time_limit_minutes=30, opens_at=utcnow() - timedelta(hours=3),
                        pass_percent=0)
    attempt_id = _abandon(app, person.id, quiz_id)
    with app.app_context():
        year = local_day(utcnow()).year
        plan = make_plan(starts_on=date(year, 1, 1), ends_on=date(year, 12, 31))
        item = add_item(plan, "quiz", settings={"quiz_id": quiz_id}, due_on=date(year, 1, 2))
        db.session.commit()
        return attempt_id, plan.id, item.id


def test_a_plans_progress_counts_it(app, admin_client, make_user, make_quiz):
    """The progress page (and its export, and a reminder) hand such papers in first."""
    attempt_id, plan_id, item_id = _abandoned_in_a_plan(app, make_user, make_quiz, "planner")
    assert admin_client.get(f"/admin/plans/{plan_id}/progress").status_code == 200
    assert _handed_in(app, attempt_id)[0] is not None
    with app.app_context():
        grid = matrix(db.session.get(Plan, plan_id), utcnow())
        planner = next(person for person in grid.people if person.username == "planner")
        assert grid.state(db.session.get(PlanItem, item_id), planner).done
        assert db.session.scalar(select(func.count()).select_from(Attempt)
                                 .where(Attempt.submitted_at.is_(None))) == 0


def test_a_reminder_hands_them_in_before_telling_anyone(app, make_user, make_quiz):
    from lawlearn.plans.oversight import remind

    attempt_id, plan_id, _item = _abandoned_in_a_plan(app, make_user, make_quiz, "reminded")
    with app.app_context():
        admin = make_person("boss", roles=("admin",))
        db.session.commit()
        # The paper passes once handed in: nobody owes the item any more.
        assert remind(admin, db.session.get(Plan, plan_id), utcnow(), not_done=True).sent == 0
        db.session.commit()
    assert _handed_in(app, attempt_id)[0] is not None
