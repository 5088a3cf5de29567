"""Which sessions the attendance figures count: a session counts once its check-in has
closed, on every page (我的出勤, the admin's 出勤统计) as in the reports."""

from __future__ import annotations

from datetime import timedelta

from lawlearn.accounts.models import User
from lawlearn.extensions import db
from lawlearn.sessions import attendance, services
from tests.sessions import test_leave_and_attendance as leave_tests
from tests.sessions.test_leave_and_attendance import NOW, YEAR, make_session, record

org = leave_tests.org  # the fixture: two units, a section and their people


def test_a_session_still_open_counts_for_nobody_until_check_in_closes(ctx, org):
    """An admin marks someone late while check-in is still open: their figures (我的出勤,
    the admin's 出勤统计) keep the same sessions as everyone else's and as the reports."""
    done = make_session(NOW - timedelta(days=2))
    running = make_session(NOW - timedelta(minutes=30))  # check-in open until its end
    record(done, db.session.get(User, org.clerk.id), "present")
    services.mark(db.session.get(User, org.admin.id), running, db.session.get(User, org.clerk.id),
                  "late", "", NOW)
    db.session.commit()

    mine = attendance.my_record(db.session.get(User, org.clerk.id), *YEAR, now=NOW)
    assert [(e.session.id, e.status, e.counted) for e in mine.entries] == [
        (running.id, "late", False), (done.id, "present", True)]
    assert (mine.counts.expected, mine.counts.present, mine.counts.late) == (1, 1, 0)
    summary = attendance.attendance_summary(date_from=YEAR[0], date_to=YEAR[1], now=NOW)
    assert summary.sessions == 1
    expected = {person.username: person.counts.expected for person in summary.people}
    assert expected["clerk"] == expected["officer"] == 1
    later = attendance.my_record(db.session.get(User, org.clerk.id), *YEAR,
                                 now=running.closes_at)
    assert (later.counts.expected, later.counts.late) == (2, 1)
