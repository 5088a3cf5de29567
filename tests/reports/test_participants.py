"""Who studies: the people with the 干部职工 role. An account with only 管理员 (the IT admin
created with `users create --role admin`, as the README says) or only 主要负责人 is not
expected at sessions, in no plan, not counted in the reports, the sessions' attendance
report or the department board, and sees no session or plan as its own: one rule
everywhere, so no two figures disagree."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from lawlearn.accounts.models import User
from lawlearn.extensions import db
from lawlearn.localtime import local_day
from lawlearn.plans.models import Plan, PlanAudience
from lawlearn.plans.progress import audience_condition as plan_audience
from lawlearn.plans.progress import audience_users_query
from lawlearn.reports.participation import build_report
from lawlearn.sessions import services as sessions
from lawlearn.sessions.attendance import attendance_summary
from lawlearn.sessions.models import Attendance, SessionKind, StudySession
from tests.plans.test_kinds import make_plan


def test_an_account_that_only_administers_is_not_a_participant(app, make_user,
                                                               make_department):
    section = make_department("法制科")
    studying = make_user("clerk", department_id=section)
    it_admin = make_user("it", roles=("admin",), department_id=section)
    leader = make_user("boss", roles=("leader",))
    with app.app_context():
        kind = SessionKind(name="集中学法")
        db.session.add(kind)
        db.session.flush()
        start = datetime(2025, 3, 3, 2, 0)
        session = sessions.create_sessions(None, sessions.SessionFields(
            title="宪法学习", kind_id=kind.id, starts_at=start,
            ends_at=start + timedelta(hours=1)))[0]
        assert sessions.expected_count(session) == 1
        assert not sessions.is_expected(db.session.get(User, it_admin.id), session)
        sessions.close_session(session, start + timedelta(hours=2))
        absent = db.session.scalars(select(Attendance.user_id).where(
            Attendance.session_id == session.id)).all()
        assert absent == [studying.id]  # the closing marks nobody else absent

        # Records an account got while it still studied stay out of the figures too.
        db.session.add(Attendance(session_id=session.id, user_id=it_admin.id,
                                  status="absent", source="manual"))
        db.session.commit()
        day = local_day(start)
        report = build_report(day.replace(month=1, day=1), day, now=start + timedelta(days=1))
        assert [person.username for person in report.people] == ["clerk"]
        unit = build_report(day.replace(month=1, day=1), day, department_id=section,
                            now=start + timedelta(days=1))
        assert [person.username for person in unit.people] == ["clerk"]

        everyone = make_plan("年度学法计划")
        assert set(db.session.scalars(audience_users_query(everyone))) == {
            db.session.get(User, studying.id)}
        named = make_plan("专题计划", audience_all=False, audience=[
            {"department_id": section}, {"user_id": leader.id}, {"role": "admin"}])
        assert isinstance(named.audience[0], PlanAudience)
        assert {u.username for u in db.session.scalars(audience_users_query(named))} == {
            "clerk"}  # named or not, who does not study is in no plan

        # Their own pages agree: no session or plan of theirs, nothing to check in to.
        for ref in (it_admin, leader):
            account = db.session.get(User, ref.id)
            assert db.session.scalars(select(StudySession.id).where(
                sessions.audience_condition(account))).all() == []
            assert db.session.scalars(select(Plan.id).where(
                plan_audience(account))).all() == []
        assert sorted(db.session.scalars(select(Plan.id).where(plan_audience(
            db.session.get(User, studying.id))))) == [everyone.id, named.id]

        # The sessions' attendance report counts as the participation report does.
        summary = attendance_summary(date_from=day.replace(month=1, day=1), date_to=day,
                                     now=start + timedelta(days=1))
        assert [person.username for person in summary.people] == ["clerk"]
