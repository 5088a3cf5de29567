"""The generated office (lawlearn.scale_data): its rows hang together, and the report over
it gives back what is in the tables."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import Department, User, UserRole
from lawlearn.extensions import db
from lawlearn.scale_data import generate

YEAR = 2025
NOW = datetime(2026, 1, 10, 4, 0)  # the whole of 2025 is over
STAFF = 60


def _count(model, *conditions) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0


@pytest.fixture
def office(ctx):
    counts = generate(STAFF, year=YEAR, now=NOW)
    db.session.commit()
    return counts


def test_counts_match_the_tables(office):
    from lawlearn.outreach.models import Campaign, OutreachEvent, OutreachMaterial
    from lawlearn.plans.models import PlanItem, PlanItemProgress, Reflection
    from lawlearn.practice.models import DailySet, PointAward
    from lawlearn.quiz.models import Attempt, AttemptItem, Quiz
    from lawlearn.sessions.models import Attendance, StudySession

    assert _count(User) == STAFF == office["people"]
    assert _count(Department) == office["departments"] == 40
    assert _count(Department, Department.parent_id.is_(None)) == 8
    assert _count(User, User.active.is_(False)) == office["deactivated"]
    expected = {
        "sessions": _count(StudySession), "attendance": _count(Attendance),
        "quizzes": _count(Quiz), "attempts": _count(Attempt),
        "attempt_items": _count(AttemptItem), "daily_sets": _count(DailySet),
        "point_awards": _count(PointAward), "reflections": _count(Reflection),
        "reflections_accepted": _count(Reflection, Reflection.status == "accepted"),
        "plan_items": _count(PlanItem), "plan_progress": _count(PlanItemProgress),
        "campaigns": _count(Campaign), "outreach_events": _count(OutreachEvent),
        "outreach_materials": _count(OutreachMaterial)}
    assert {key: office[key] for key in expected} == expected
    assert office["sessions"] == 40 and office["quizzes"] == 10
    # Every account is staff; each section has one dept_lead among its people.
    assert _count(UserRole, UserRole.role == "staff") == STAFF
    assert 0 < _count(UserRole, UserRole.role == "dept_lead") <= 32


def test_rows_are_consistent(office):
    from lawlearn.practice.models import DailySet
    from lawlearn.quiz.models import Attempt, AttemptItem, Question
    from lawlearn.sessions.models import Attendance, StudySession

    # Sessions are over and closed; every status occurs, every record is in a session.
    assert _count(StudySession, StudySession.closed_at.is_(None)) == 0
    statuses = dict(db.session.execute(select(Attendance.status, func.count())
                                       .group_by(Attendance.status)).all())
    assert set(statuses) == {"present", "late", "excused", "absent"}
    assert statuses["present"] > statuses["absent"] > 0
    # A session for one unit has only that unit's people (as they were on the day).
    targeted = _count(StudySession, StudySession.audience_all.is_(False))
    assert targeted == 10
    biggest = db.session.execute(select(func.count()).select_from(Attendance)
                                 .group_by(Attendance.session_id)).scalars().all()
    assert max(biggest) == STAFF and min(biggest) < STAFF / 4
    # Records of people deactivated during the year stop: of the sessions for everyone,
    # they have the first ones only. People who moved were at their old unit's sessions.
    general = db.session.scalars(select(StudySession.id).where(
        StudySession.audience_all.is_(True)).order_by(StudySession.starts_at)).all()
    gone = db.session.scalars(select(User.id).where(User.active.is_(False))).all()
    assert gone and office["moved"]
    for user_id in gone:
        mine = set(db.session.scalars(select(Attendance.session_id).where(
            Attendance.user_id == user_id)))
        attended = [session_id in mine for session_id in general]
        assert 0 < attended.count(True) < len(general)
        assert attended == sorted(attended, reverse=True)

    # Attempts are submitted, scored within the maximum, passed at 60 %.
    for score, max_score, passed in db.session.execute(
            select(Attempt.score, Attempt.max_score, Attempt.passed)):
        assert 0 <= score <= max_score and passed == (score >= 0.6 * max_score)
    assert _count(Attempt, Attempt.submitted_at.is_(None)) == 0
    # Five items an attempt, each on a question linked to an article; some answered wrong,
    # and the awarded points add up to the score.
    assert _count(AttemptItem) == 5 * _count(Attempt)
    wrong = _count(AttemptItem, AttemptItem.correct.is_(False))
    assert 0 < wrong < _count(AttemptItem)
    assert _count(Question, Question.article_id.is_(None)) == 0
    sums = db.session.execute(select(Attempt.score, func.sum(AttemptItem.awarded))
                              .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
                              .group_by(Attempt.id, Attempt.score)).all()
    assert all(abs(score - awarded) < 1e-9 for score, awarded in sums)
    # Practice: completed sets, about sixty days a person, all in the year.
    days = db.session.execute(select(func.min(DailySet.day), func.max(DailySet.day))).one()
    assert date(YEAR, 1, 1) <= days[0] and days[1] <= date(YEAR, 12, 31)
    assert _count(DailySet, DailySet.completed_at.is_(None)) == 0
    assert 30 * STAFF <= _count(DailySet) <= 90 * STAFF


def test_report_totals_equal_the_tables(office):
    from lawlearn.outreach.models import OutreachEvent
    from lawlearn.plans.models import Reflection
    from lawlearn.practice.models import DailySet, PointAward
    from lawlearn.quiz.models import Attempt
    from lawlearn.reports.participation import build_report
    from lawlearn.sessions.models import Attendance

    report = build_report(date(YEAR, 1, 1), date(YEAR, 12, 31), now=NOW)
    total = report.total.values
    by_status = dict(db.session.execute(select(Attendance.status, func.count())
                                        .group_by(Attendance.status)).all())
    for status in ("present", "late", "excused", "absent"):
        assert total[f"sessions_{status}"] == by_status[status], status
    assert total["sessions_expected"] == _count(Attendance)
    taken = db.session.scalar(select(func.count()).select_from(
        select(Attempt.user_id, Attempt.quiz_id).distinct().subquery()))
    assert total["quizzes_taken"] == taken
    assert total["practice_days"] == _count(DailySet)
    assert total["points"] == db.session.scalar(select(func.sum(PointAward.amount)))
    assert total["reflections_accepted"] == _count(Reflection, Reflection.status == "accepted")
    # Everyone active is listed; deactivated people only with something in the year.
    assert len(report.people) == STAFF
    assert sum(1 for person in report.people if not person.active) == office["deactivated"]
    # The sessions sheet adds up to the same records; outreach counts reported events.
    assert len(report.sessions) == office["sessions"]
    assert sum(row.expected for row in report.sessions) == _count(Attendance)
    assert report.outreach.totals.events == _count(
        OutreachEvent, OutreachEvent.status.in_(("submitted", "verified")))
    assert 0 < report.outreach.totals.events < office["outreach_events"]


def test_generated_only_once(office):
    with pytest.raises(ValueError):
        generate(STAFF, year=YEAR, now=NOW)


def test_year_must_have_days_over(ctx):
    with pytest.raises(ValueError):
        generate(10, year=2026, now=datetime(2025, 12, 31))


def test_demo_load_staff_refuses_an_office_with_real_accounts(app, runner, make_user):
    """Generated people never go into an office's own data: with accounts that are not the
    demo's, --staff refuses and writes nothing; the plain demo load leaves it alone."""
    make_user("root", roles=("admin", "staff"))
    result = runner.invoke(args=["demo", "load", "--staff", "25", "--year", "2025", "--json"])
    assert result.exit_code == 1 and "not the demo's" in result.output
    assert "Nothing was written" in result.output
    with app.app_context():
        assert _count(User) == 1 and _count(Department) == 0
    plain = runner.invoke(args=["demo", "load"])
    assert plain.exit_code == 0 and "Demo not loaded" in plain.output


def test_demo_load_staff_fills_a_new_database_after_the_demo(app, runner):
    """The benchmarks' office: the demo, then generated people up to N accounts, sharing
    the demo's units and campaigns of the same name; a second run refuses."""
    from lawlearn.outreach.models import Campaign

    result = runner.invoke(args=["demo", "load", "--staff", "60", "--year", "2026", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["loaded"] is True and answer["users"] == 33
    assert answer["generated"]["people"] == 27
    with app.app_context():
        assert _count(User) == 60
        names = db.session.execute(select(Department.parent_id, Department.name)).all()
        assert len(names) == len(set(names))  # no unit made twice
        titles = db.session.scalars(select(Campaign.title)).all()
        assert len(titles) == len(set(titles))
    again = runner.invoke(args=["demo", "load", "--staff", "60"])
    assert again.exit_code != 0 and "already" in again.output
    with app.app_context():
        assert _count(User) == 60
