"""A report runs the same number of SQL queries for a small office and one five times as
large: nothing is loaded per person, session, quiz or event."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from lawlearn.accounts.models import User
from lawlearn.extensions import db
from lawlearn.reports.participation import build_report, my_figures
from tests.conftest import _empty_tables
from tests.reports.conftest import (
    NOW,
    PERIOD,
    at,
    check_in,
    close,
    item,
    make_campaign,
    make_person,
    make_plan,
    make_quiz,
    make_session,
    mark,
    new_department,
    outreach_event,
    plan_item,
    practice_day,
    take_quiz,
)


def populate(size: int) -> dict:
    """``size`` people in each of three departments, with the same sessions, quizzes, plans
    and events whatever the size; everyone does something of every kind."""
    from lawlearn.plans.actions import submit_reflection
    from lawlearn.sessions.services import cancel_session

    unit = new_department("执法局")
    section = new_department("法制科", unit.id)
    other = new_department("办公室")
    people = []
    for index in range(size):
        for department, roles in ((unit, ("dept_lead", "staff")), (section, ("staff",)),
                                  (other, ("staff",))):
            people.append(make_person(f"p{department.id}x{index}", department_id=department.id,
                                      roles=roles))
    people.append(make_person("nobody"))  # no department
    q1 = make_quiz("宪法小测", opens_at=at(1, 1), closes_at=at(12, 31))
    q2 = make_quiz("随堂测验", opens_at=at(1, 1), closes_at=at(12, 31))
    closed = make_session(at(2, 10, 1), hours=2)
    awaiting = make_session(at(6, 27, 1), hours=1, department_ids=(unit.id,))
    running = make_session(at(6, 30, 3, 30), department_ids=(other.id,), exit_quiz_id=q2.id)
    cancelled = make_session(at(3, 3, 1))
    plan = make_plan("年度计划", date(2025, 1, 1), date(2025, 12, 31), [
        item("quiz", date(2025, 3, 31), hours=1, quiz_id=q1.id),
        item("session", date(2025, 3, 31), session_id=closed.id),
        item("reflection", date(2025, 6, 1), hours=1, min_length=2),
        item("streak", None, hours=1, days=2)], required_hours=40)
    make_plan("执法局计划", date(2025, 1, 1), date(2025, 6, 30), [
        item("streak", None, days=1)], required_hours=20, department_ids=(unit.id,))
    make_plan("领导计划", date(2025, 1, 1), date(2025, 6, 30), [
        item("reflection", None, min_length=2)], required_hours=30, roles=("dept_lead",))
    statuses = ("present", "late", "excused", "absent")
    for index, person in enumerate(people):
        status = statuses[index % 4]
        if status in ("present", "late"):
            check_in(person, closed, 0 if status == "present" else 30)
        elif status == "excused":
            mark(people[0], closed, person, "excused")
        take_quiz(person, q1, at(2, 1 + index % 20), index % 5)
        practice_day(person, date(2025, 4, 1))
        practice_day(person, date(2025, 4, 2))
        submit_reflection(person, plan_item(plan, "reflection"), "心得体会", at(5, 1))
        if person.department_id in (unit.id, section.id) and index % 2:
            check_in(person, awaiting, 0)
        if person.department_id == other.id:
            check_in(person, running, 0)
        check_in(person, cancelled, 0)
    close(closed)
    cancel_session(people[0], cancelled, "停电", at(3, 3, 2))
    people[1].active = False  # deactivated, with activity
    campaign = make_campaign("宣传月", date(2025, 3, 1), date(2025, 3, 31))
    outreach_event("进社区", unit.id, at(3, 5), participants=10, campaign=campaign)
    outreach_event("进学校", section.id, at(4, 5), participants=10)
    db.session.commit()
    return {"unit": unit.id, "person": people[2].id}


@pytest.mark.parametrize("scope", ["office", "unit"])
def test_build_report_takes_the_same_queries_for_few_or_many(app, count_queries, scope):
    counts = []
    for size in (2, 10):
        with app.app_context():
            _empty_tables()
            ids = populate(size)
            department_id = ids["unit"] if scope == "unit" else None
            db.session.expire_all()
            with count_queries.recording() as statements:
                report = build_report(*PERIOD, department_id=department_id, now=NOW)
            assert report.sessions and report.quizzes and report.outreach.events
            assert len(report.people) >= 2 * size
            without_tables = count_queries(lambda department_id=department_id: build_report(
                *PERIOD, department_id=department_id, now=NOW, with_tables=False))
            person = db.session.get(User, ids["person"])
            mine = count_queries(lambda person=person: my_figures(person, *PERIOD, now=NOW))
            counts.append((len(statements), without_tables, mine, statements))
    (small, small_people, small_mine, few), (large, large_people, large_mine, many) = counts
    assert small == large, "\n".join(many)
    assert small_people == large_people
    assert small_mine == large_mine
    # 42: with the statement that hands in papers left past their deadline, and the one
    # counting who each quiz was for (应参加).
    assert small < 42 and small_people < small


def test_the_awaiting_session_is_counted_for_the_scope(ctx):
    """Sanity for the data above: the session still awaiting its closing counts the unit's
    active people without a record as absent (a deactivated one with a record stays), in
    the people's rows and the sessions table alike."""
    ids = populate(2)
    report = build_report(*PERIOD, department_id=ids["unit"], now=NOW)
    row = next(row for row in report.sessions if row.starts_at == datetime(2025, 6, 27, 1))
    assert row.expected == 4 and row.present == 2 and row.absent == 2
    assert sum(r.expected for r in report.sessions) == report.total.values["sessions_expected"]
