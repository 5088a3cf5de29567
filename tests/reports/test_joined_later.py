"""Someone who joins the office later is not in what ended before their account was made:
last year's report reads the same after this year's new staff are added, a plan that ended
before someone joined is not theirs, and a session closed days late marks nobody absent
who joined after it (reports/scope.Scope.counts_in_full, plans.progress.audience_users_query
and audience_condition, sessions.services.expected_until). A past session entered later
(an office starting mid-year enters the year's earlier sessions) expects everyone there
when it was entered, by their 加入日期."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime

from sqlalchemy import select

from lawlearn.accounts.models import User
from lawlearn.extensions import db
from lawlearn.plans.models import Plan
from lawlearn.plans.progress import audience_condition as plan_audience
from lawlearn.plans.progress import audience_users_query
from lawlearn.reports.participation import build_report
from lawlearn.sessions import services as sessions
from lawlearn.sessions.attendance import attendance_summary
from lawlearn.sessions.models import Attendance, StudySession
from tests.reports.conftest import (
    NOW,
    PERIOD,
    at,
    close,
    item,
    make_person,
    make_plan,
    make_session,
    mark,
)


def _newcomer(department_id: int, joined: datetime, username: str = "newcomer"):
    person = make_person(username, name="新人壬", department_id=department_id)
    person.created_at = person.joined_at = joined
    db.session.flush()
    return person


def _figures(report) -> dict:
    return {"people": [(p.user_id, p.values) for p in report.people],
            "departments": [(d.department_id, d.people, d.values) for d in report.departments],
            "total": (report.total.people, report.total.values),
            "sessions": [asdict(row) for row in report.sessions]}


def test_a_past_periods_report_reads_the_same_after_new_staff_join(office):
    whole, unit = build_report(*PERIOD, now=NOW), build_report(
        *PERIOD, department_id=office.unit, now=NOW)
    newcomer = _newcomer(office.section, datetime(2025, 7, 3, 2))

    assert _figures(build_report(*PERIOD, now=NOW)) == _figures(whole)
    assert _figures(build_report(*PERIOD, department_id=office.unit, now=NOW)) \
        == _figures(unit)
    # The period they joined in counts them in full: 2025's plan's streak is due 30 Sept.
    later = build_report(date(2025, 7, 1), date(2025, 12, 31), now=datetime(2025, 12, 31, 4))
    row = next(p for p in later.people if p.user_id == newcomer.id)
    assert row.values["items_due"] >= 1 and row.values["items_done"] == 0


def test_a_plan_that_ended_before_someone_joined_is_not_theirs(office):
    first_quarter = make_plan("一季度学习", date(2025, 1, 1), date(2025, 3, 31), [
        item("reflection", date(2025, 3, 15), hours=1, min_length=5)])
    newcomer = _newcomer(office.section, at(5, 1))
    clerk = office.user("clerk")

    audience = set(db.session.scalars(audience_users_query(first_quarter)
                                      .with_only_columns(db.text("id"))))
    assert clerk.id in audience and newcomer.id not in audience
    theirs = set(db.session.scalars(select(Plan.title).where(plan_audience(newcomer))))
    assert "一季度学习" not in theirs and "2025年度学法计划" in theirs
    assert "一季度学习" in set(db.session.scalars(select(Plan.title).where(
        plan_audience(clerk))))

    report = build_report(*PERIOD, now=NOW)
    rows = {p.user_id: p.values for p in report.people}
    # Joined mid-period: counted, owing the plans not over when they came, and of those
    # only the items due since (the clerk's five less 一季度学习's and the quiz of 31 March:
    # the 31 May session, the 15 June reflection and 执法局专题学习's undated streak).
    assert rows[clerk.id]["items_due"] == 5 and rows[newcomer.id]["items_due"] == 3


def test_a_session_closed_late_marks_nobody_absent_who_joined_after_it(office):
    awaiting = db.session.get(StudySession, office.sessions["H"])  # 27 June, 办公室, open
    awaiting.created_at = at(6, 20)  # scheduled a week ahead
    db.session.flush()
    before = build_report(*PERIOD, now=NOW)
    absent_before = next(s.absent for s in before.sessions if s.session_id == awaiting.id)
    expected_before = sessions.expected_count(awaiting)
    newcomer = _newcomer(office.office, at(6, 29))

    report = build_report(*PERIOD, now=NOW)
    assert next(s.absent for s in report.sessions if s.session_id == awaiting.id) \
        == absent_before
    assert newcomer.id not in {p.user_id for p in report.people if p.values["sessions_absent"]}
    assert sessions.expected_count(awaiting) == expected_before
    # The sessions' 出勤统计 says the same before the session is closed.
    summary = attendance_summary(date_from=PERIOD[0], date_to=PERIOD[1], now=NOW)
    assert all(p.counts.absent == 0 for p in summary.people if p.user_id == newcomer.id)
    assert close(awaiting)
    assert db.session.scalar(select(Attendance).where(
        Attendance.session_id == awaiting.id, Attendance.user_id == newcomer.id)) is None
    theirs = set(db.session.scalars(select(StudySession.id).where(
        sessions.audience_condition(newcomer))))
    assert awaiting.id not in theirs and office.sessions["E"] in theirs  # E: still to come


def test_a_past_session_entered_later_expects_everyone_there_when_it_was_entered(office):
    """Everyone in the office then, by their 加入日期, whenever their account was made: an
    office starting mid-year imports its staff with the days they came, then enters the
    year's earlier sessions. Someone who joined after the session was not there: the user
    form and the import template say so ("此日期前结束的…学法活动…不计入此人"), and the
    rule had expected them (absent at a session held before they came)."""
    imported = _newcomer(office.office, at(6, 29), username="imported")
    imported.joined_at = at(1, 5)  # came in January; account made in June
    newcomer = _newcomer(office.office, at(6, 29))
    entered = make_session(at(3, 2), title="补录的三月学法")  # entered now, for March
    assert entered.created_at > imported.created_at
    assert sessions.is_expected(imported, entered)
    assert not sessions.is_expected(newcomer, entered)
    mark(office.user("lead"), entered, imported, "present", at(3, 2))
    # Before its closing writes the absences, the reports count them in Python: the same.
    waiting = build_report(*PERIOD, now=NOW)
    assert newcomer.id not in {person.user_id for person in waiting.people
                               if person.values.get("sessions_absent")}
    assert close(entered)
    recorded = dict(db.session.execute(select(Attendance.user_id, Attendance.status).where(
        Attendance.session_id == entered.id)).all())
    assert len(recorded) == sessions.expected_count(entered)
    assert recorded[imported.id] == "present" and newcomer.id not in recorded
    report = build_report(*PERIOD, now=NOW)
    row = next(row for row in report.sessions if row.session_id == entered.id)
    assert row.expected == len(recorded)
    assert newcomer.id not in {person.user_id for person in report.people
                               if person.values.get("sessions_expected")}


def test_a_newcomer_still_reads_a_session_from_before_they_came(app, client, login,
                                                                make_user):
    """Who is counted is not who may read: a plan item may link to an older session."""
    with app.app_context():
        old = make_session(at(3, 2), title="三月学法")
        old.created_at = at(2, 20)
        db.session.commit()
        old_id = old.id
    login(make_user("newcomer", joined=None))  # made now
    page = client.get(f"/sessions/{old_id}")
    assert page.status_code == 200 and "三月学法" in page.get_data(as_text=True)


def test_an_office_importing_its_staff_later_gives_their_joining_day(office):
    """Accounts are made on the day of the import; 加入日期 says when people came, and the
    figures go by it: the past period counts them in full, a plan that ended before the
    import is theirs. A session is another matter: nobody could check in, or be marked,
    before their account existed, so one held and closed before the import does not
    expect them; one entered after it (for a past day) does."""
    from lawlearn.localtime import day_start

    entered_ahead = db.session.get(StudySession, office.sessions["A"])  # 10 February
    entered_ahead.created_at = at(2, 1)
    first_quarter = make_plan("一季度学习", date(2025, 1, 1), date(2025, 3, 31), [
        item("reflection", date(2025, 3, 15), hours=1, min_length=5)])
    imported_on = datetime(2026, 1, 10, 2)
    came_earlier = _newcomer(office.section, imported_on, "came_earlier")
    came_earlier.joined_at = day_start(date(2024, 9, 1))
    no_day_given = _newcomer(office.section, imported_on, "no_day_given")
    clerk = office.user("clerk")
    db.session.flush()

    rows = {p.user_id: p.values for p in build_report(*PERIOD, now=NOW).people}
    assert came_earlier.id in rows and no_day_given.id not in rows
    assert rows[came_earlier.id]["items_due"] == rows[clerk.id]["items_due"] > 0
    audience = set(db.session.scalars(audience_users_query(first_quarter)
                                      .with_only_columns(db.text("id"))))
    assert came_earlier.id in audience and no_day_given.id not in audience
    assert "一季度学习" in set(db.session.scalars(select(Plan.title).where(
        plan_audience(came_earlier))))
    assert not sessions.is_expected(came_earlier, entered_ahead)
    assert came_earlier.id not in set(db.session.scalars(select(User.id).where(
        sessions.expected_condition(entered_ahead))))
    entered_later = make_session(at(3, 2), title="补录的三月学法")  # entered now, for March
    assert sessions.is_expected(came_earlier, entered_later)
    assert came_earlier.id in set(db.session.scalars(select(User.id).where(
        sessions.expected_condition(entered_later))))


def test_an_account_that_does_not_study_owes_no_plan_in_its_own_record(office):
    """An admin-only account (the IT admin) is in no plan, as the plan pages say: its own
    record owes no item and no hours either."""
    from lawlearn.reports.participation import my_figures

    it = make_person("itadmin", name="系统管理员", roles=("admin",))
    clerk = office.user("clerk")
    assert my_figures(clerk, *PERIOD, now=NOW)["items_due"] > 0
    mine = my_figures(it, *PERIOD, now=NOW)
    assert mine["items_due"] == 0 and mine["hours_required"] == 0
