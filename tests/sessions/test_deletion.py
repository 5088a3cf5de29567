"""删除活动: a session scheduled by mistake is deleted (cancelling it told everyone expected
of a session they had never heard of); one with records, leave or a plan asking for it
stays, and the page says why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import AuditEntry, User
from lawlearn.database import utcnow
from lawlearn.errors import Conflict
from lawlearn.extensions import db
from lawlearn.plans.models import Notice
from lawlearn.sessions import deletion, leave, services
from lawlearn.sessions.models import SessionAudience, StudySession
from tests.conftest import post_with_csrf
from tests.sessions.test_sessions import fields
from tests.sessions.test_sessions import kind_id as kind_id  # noqa: F401  (a fixture)


def _tomorrow(kind_id, **extra) -> StudySession:
    return services.create_sessions(None, fields(kind_id, utcnow() + timedelta(days=1),
                                                 **extra))[0]


def test_a_session_made_by_mistake_goes_without_a_word(ctx, kind_id, admin, make_department):
    unit = make_department("审批一科")
    session = _tomorrow(kind_id, audience_all=False, department_ids=[unit])
    session_id = session.id
    assert deletion.deletion_blockers(session) == []
    deletion.delete_session(db.session.get(User, admin.id), session)
    db.session.commit()
    assert db.session.get(StudySession, session_id) is None
    assert db.session.scalar(select(func.count()).select_from(SessionAudience)) == 0
    assert db.session.scalar(select(func.count()).select_from(Notice)) == 0  # nobody told
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "session.delete"))
    assert entry.actor_id == admin.id and "宪法学习" in entry.summary


def test_a_session_with_records_or_leave_stays(ctx, kind_id, admin, make_user):
    clerk = db.session.get(User, make_user("clerk").id)
    asked = _tomorrow(kind_id)
    leave.request_leave(clerk, asked, "出差", utcnow())
    held = services.create_sessions(None, fields(kind_id, utcnow() - timedelta(minutes=5)))[0]
    services.check_in(clerk, held, utcnow(), via="code")
    db.session.commit()
    assert deletion.deletion_blockers(asked) == ["已有 1 份请假申请"]
    assert deletion.deletion_blockers(held) == ["已有 1 条出勤记录"]
    with pytest.raises(Conflict, match="不能删除：已有 1 条出勤记录。"):
        deletion.delete_session(db.session.get(User, admin.id), held)


def test_the_session_page_deletes_for_admins_only(app, admin_client, login, make_user,
                                                  kind_id):
    with app.app_context():
        session_id = _tomorrow(kind_id).id
        db.session.commit()
    url = f"/admin/sessions/{session_id}"
    page = admin_client.get(url).get_data(as_text=True)
    assert "删除活动《宪法学习》？此操作无法撤销。" in page
    assert admin_client.post(f"{url}/delete").status_code == 400  # no token: nothing
    gone = post_with_csrf(admin_client, url, f"{url}/delete", follow_redirects=True)
    assert "已删除学法活动《宪法学习》。" in gone.get_data(as_text=True)
    assert admin_client.get(url).status_code == 404

    with app.app_context():
        kept_id = _tomorrow(kind_id).id
        db.session.commit()
    post_with_csrf(admin_client, "/me", "/logout")
    login(make_user("worker"))
    refused = post_with_csrf(admin_client, "/me", f"/admin/sessions/{kept_id}/delete")
    assert refused.status_code == 403
    with app.app_context():
        assert db.session.get(StudySession, kept_id) is not None


def test_a_session_people_have_heard_of_stays(ctx, kind_id, admin, make_user):
    """Deleting "without a word" a session already cancelled, moved or reminded of left
    people's notices leading nowhere (and, after a move, people expecting it)."""
    make_user("clerk")
    actor = db.session.get(User, admin.id)
    cancelled = _tomorrow(kind_id)
    services.cancel_session(actor, cancelled, "改期", utcnow())
    assert deletion.deletion_blockers(cancelled) == ["活动已取消，应参加的人员已收到取消通知"]
    moved = _tomorrow(kind_id)
    services.update_session(actor, moved, fields(kind_id, moved.starts_at + timedelta(hours=2)),
                            now=utcnow())
    db.session.commit()
    told = db.session.scalar(select(func.count()).select_from(Notice).where(
        Notice.link == f"/sessions/{moved.id}"))
    assert told and deletion.deletion_blockers(moved) == [f"已有 {told} 条通知提到它"]


def test_a_check_in_slipping_in_before_the_delete_keeps_the_session(ctx, kind_id, admin,
                                                                    make_user, monkeypatch):
    """The checks and the DELETE are two statements: the DELETE asks again, or a check-in
    committed between them would cascade away with the session."""
    clerk = db.session.get(User, make_user("clerk").id)
    session = services.create_sessions(None, fields(kind_id, utcnow() - timedelta(minutes=5)))[0]
    db.session.commit()
    monkeypatch.setattr(deletion, "deletion_blockers", lambda _session: [])  # checked before
    services.check_in(clerk, session, utcnow(), via="code")  # … and this came after
    with pytest.raises(Conflict, match="刚刚有人签到或请假"):
        deletion.delete_session(db.session.get(User, admin.id), session)
    db.session.rollback()
    assert db.session.get(StudySession, session.id) is not None
