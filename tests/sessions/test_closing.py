"""结束签到: an admin closes a running session's check-in at once (the form refused a 签到截止
before the start, and the admin had to wait for it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from lawlearn.accounts.models import AuditEntry, User
from lawlearn.database import utcnow
from lawlearn.errors import Conflict, ValidationFailed
from lawlearn.extensions import db
from lawlearn.sessions import closing, services
from lawlearn.sessions.models import Attendance, StudySession
from tests.conftest import post_with_csrf
from tests.sessions.test_sessions import fields
from tests.sessions.test_sessions import kind_id as kind_id  # noqa: F401  (a fixture)


def _running(kind_id, *, started_minutes_ago: int = 10) -> StudySession:
    start = utcnow() - timedelta(minutes=started_minutes_ago)
    return services.create_sessions(None, fields(kind_id, start))[0]


def test_closing_now_writes_the_absentees_and_is_audited(ctx, kind_id, make_user, admin):
    came = make_user("came")
    missing = make_user("missing")
    session = _running(kind_id)
    now = utcnow()
    services.check_in(db.session.get(User, came.id), session, now, via="code")
    actor = db.session.get(User, admin.id)
    absent = closing.close_checkin_now(actor, session, now + timedelta(seconds=1))
    db.session.commit()
    records = {row.user_id: row.status for row in db.session.scalars(
        select(Attendance).where(Attendance.session_id == session.id))}
    assert records[came.id] == "late" and records[missing.id] == "absent"  # 10 min in
    assert absent == sum(1 for status in records.values() if status == "absent")
    assert session.closed_at is not None and session.checkin_closes_at is not None
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "session.close_checkin"))
    assert entry.actor_id == admin.id and "宪法学习" in entry.summary
    # A check-in after it is refused; a second closing says it is over.
    assert not services.checkin_open(session, now + timedelta(seconds=2))
    with pytest.raises(Conflict, match="签到已经结束"):
        closing.close_checkin_now(actor, session, now + timedelta(seconds=3))


def test_closing_is_refused_before_the_start_and_once_cancelled(ctx, kind_id, admin):
    actor = db.session.get(User, admin.id)
    ahead = _running(kind_id, started_minutes_ago=-20)  # starts in 20 minutes
    with pytest.raises(ValidationFailed, match="活动尚未开始"):
        closing.close_checkin_now(actor, ahead, utcnow())
    assert ahead.closed_at is None and ahead.checkin_closes_at is None
    services.cancel_session(actor, ahead, "改期", utcnow())
    with pytest.raises(Conflict, match="活动已取消"):
        closing.close_checkin_now(actor, ahead, ahead.starts_at + timedelta(minutes=1))


def test_the_attendance_page_offers_it_to_admins_only(app, admin_client, kind_id, make_user,
                                                      client, login):
    with app.app_context():
        session_id = _running(kind_id).id
        db.session.commit()
    url = f"/admin/sessions/{session_id}/attendance"
    page = admin_client.get(url).get_data(as_text=True)
    assert "结束签到" in page and "现在结束签到？" in page
    closed = post_with_csrf(admin_client, url, f"/admin/sessions/{session_id}/close-checkin",
                            follow_redirects=True)
    text = closed.get_data(as_text=True)
    assert "已结束签到，未签到的" in text and ">结束签到</button>" not in text
    again = post_with_csrf(admin_client, url, f"/admin/sessions/{session_id}/close-checkin",
                           follow_redirects=True)
    assert "签到已经结束。" in again.get_data(as_text=True)
    assert admin_client.post(f"/admin/sessions/{session_id}/close-checkin").status_code == 400


def test_staff_and_the_leader_cannot_close_check_in(app, client, login, make_user, kind_id):
    with app.app_context():
        session_id = _running(kind_id).id
        db.session.commit()
    for username, roles in (("worker", ("staff",)), ("chief", ("leader", "staff"))):
        login(make_user(username, roles=roles))
        response = post_with_csrf(client, "/me", f"/admin/sessions/{session_id}/close-checkin")
        assert response.status_code == 403, username
        page = client.get(f"/admin/sessions/{session_id}/attendance")
        assert ">结束签到</button>" not in page.get_data(as_text=True)
        post_with_csrf(client, "/me", "/logout")
    with app.app_context():
        assert db.session.get(StudySession, session_id).closed_at is None


def test_a_closing_stays_with_its_session(ctx, kind_id, admin, make_user):
    """结束签到 keeps its time in the session's 签到截止. Saved again for the whole series (a
    new room, say), it was copied, shifted, to every later session: each closed 20 minutes
    in. Moving 签到截止 later again is the admin's way to reopen check-in."""
    actor = db.session.get(User, admin.id)
    start = utcnow() - timedelta(minutes=20)
    series = services.create_sessions(None, fields(kind_id, start), repeat="weekly",
                                      until=start + timedelta(days=15))
    first, later = series[0], series[1:]
    assert len(later) == 2 and all(s.checkin_closes_at is None for s in later)
    closing.close_checkin_now(actor, first, utcnow())
    db.session.commit()
    shown = first.checkin_closes_at.replace(second=0, microsecond=0)  # as the form shows it
    services.update_session(actor, first, fields(kind_id, first.starts_at, place="二楼",
                                                 checkin_closes_at=shown), whole_series=True)
    db.session.commit()
    assert all(s.place == "二楼" and s.checkin_closes_at is None for s in later)
    assert not services.checkin_open(first, utcnow())
    # 签到截止 cleared (the session's end, an hour and a half away): check-in opens again for
    # those who forgot, the absentees already written staying until they check in.
    services.update_session(actor, first, fields(kind_id, first.starts_at, place="二楼"))
    db.session.commit()
    assert first.checkin_closes_at is None and first.closed_at is not None
    assert services.checkin_open(first, utcnow())


def test_a_sessions_own_page_shows_absent_once_check_in_is_over(app, client, login, make_user,
                                                                kind_id):
    """Opened first after the end, the session's page said 尚无记录 while the list (which
    closed the session on its way) said 缺席."""
    from lxml import html

    person = make_user("first-look")
    with app.app_context():
        session_id = _running(kind_id, started_minutes_ago=150).id  # ended 30 minutes ago
        db.session.commit()
    login(person)
    page = html.fromstring(client.get(f"/sessions/{session_id}").data)
    status = page.xpath("//dt[text()='我的出勤']/following-sibling::dd[1]")[0]
    assert status.text_content().strip() == "缺席"
    with app.app_context():
        assert db.session.get(StudySession, session_id).closed_at is not None
        assert db.session.scalar(select(Attendance.status).where(
            Attendance.session_id == session_id, Attendance.user_id == person.id)) == "absent"
