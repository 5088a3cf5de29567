"""Two requests writing one person's attendance at once: an admin's double click, a mark
while the person checks in, a check-in in the very second the session closes. Each time
the unique (session, person) key keeps one record and nobody gets a 500."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from lawlearn.accounts.models import User
from lawlearn.extensions import db
from lawlearn.sessions import services
from lawlearn.sessions.models import Attendance, StudySession
from tests.races import reads, twin_at
from tests.sessions import test_leave_and_attendance as leave_tests
from tests.sessions.test_leave_and_attendance import NOW, make_session

org = leave_tests.org  # the fixture: two units, a section and their people


def records(session_id: int) -> list[tuple[int, str, str]]:
    return [tuple(row) for row in db.session.execute(select(
        Attendance.user_id, Attendance.status, Attendance.source).where(
        Attendance.session_id == session_id))]


def test_a_double_click_on_mark_keeps_one_record_with_the_last_status(app, org):
    with app.app_context():
        session_id = make_session(NOW + timedelta(days=1)).id

    def mark(status: str) -> None:
        services.mark(db.session.get(User, org.admin.id), db.session.get(StudySession, session_id),
                      db.session.get(User, org.clerk.id), status, "", NOW + timedelta(days=1))

    with app.app_context():
        with twin_at(app, lambda: mark("excused"), after=reads("attendance")) as ran:
            mark("present")
        db.session.commit()
        assert ran
        assert records(session_id) == [(org.clerk.id, "present", "manual")]


def test_a_check_in_in_the_second_the_session_closes_stands(app, org):
    """The check-in began inside the window; the closing wrote the person absent before
    the check-in's insert: the check-in turns that record into a check-in."""
    with app.app_context():
        study = make_session(NOW - timedelta(minutes=10), department_ids=(org.office,))
        session_id, closes_at = study.id, study.closes_at
    just_before = closes_at - timedelta(seconds=1)

    def close() -> None:
        services.close_session(db.session.get(StudySession, session_id), closes_at)

    with app.app_context():
        with twin_at(app, close, after=reads("attendance")) as ran:
            attendance, created = services.check_in(
                db.session.get(User, org.secretary.id), db.session.get(StudySession, session_id),
                just_before, via="code")
        db.session.commit()
        assert ran and created and attendance.checked_in_at == just_before
        assert sorted(records(session_id)) == sorted([(org.office_lead.id, "absent", "closing"),
                                                      (org.secretary.id, "late", "code")])
        assert db.session.scalar(select(func.count()).select_from(Attendance)) == 2


def test_two_page_views_closing_a_session_at_once_write_its_absentees_once(app, org):
    """The second view has listed the ended session when the first one closes it and
    commits: the second must skip it, not insert the absentees again (a unique-key 500)."""
    with app.app_context():
        session_id = make_session(NOW - timedelta(hours=3), department_ids=(org.office,)).id

    def first_view() -> None:
        assert services.close_ended_sessions(NOW) == 1

    with app.app_context():
        with twin_at(app, first_view, after=reads("study_session")) as ran:
            closed = services.close_ended_sessions(NOW)
        db.session.commit()
        assert ran and closed == 0
        assert sorted(records(session_id)) == sorted([(org.office_lead.id, "absent", "closing"),
                                                      (org.secretary.id, "absent", "closing")])

