"""Closing a session's check-in: everyone expected with no record becomes absent, once, when
check-in has closed (on page views), or at once by 结束签到. Editing 签到截止 in the form was
the only way to end it early, and the form refuses a time before the start, so the admin
had to wait; a hall that has all come in, or a session that ends early, closes in a tap."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import exists, func, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.errors import Conflict, ValidationFailed
from lawlearn.extensions import db
from lawlearn.i18n import inner_title
from lawlearn.sessions.expected import expected_condition
from lawlearn.sessions.models import Attendance, StudySession, checkin_closes


def close_checkin_now(actor: User, session: StudySession, now: datetime) -> int:
    """Close ``session``'s check-in at ``now`` and write its absentees; how many people
    were marked absent. Refused before the session starts (nothing to close yet: a session
    called off is cancelled instead), once cancelled, and when check-in has closed."""
    if session.cancelled_at is not None:
        raise Conflict(_("活动已取消，无需结束签到。"), code="cancelled")
    if session.closed_at is not None or session.closes_at <= now:
        raise Conflict(_("签到已经结束。"), code="checkin_closed")
    if now < session.starts_at:
        raise ValidationFailed(_("活动尚未开始，不能结束签到。如果活动不再举行，请取消活动。"))
    session.checkin_closes_at = now
    if not close_session(session, now):  # another admin's tap, or a page view, came first
        raise Conflict(_("签到已经结束。"), code="checkin_closed")
    absent = db.session.scalar(select(func.count()).select_from(Attendance).where(
        Attendance.session_id == session.id, Attendance.status == "absent",
        Attendance.source == "closing")) or 0
    record_audit(actor, "session.close_checkin", session,
                 _("结束《%(title)s》的签到", title=inner_title(session.title)),
                 {"closed_at": now.isoformat(), "absent": absent})
    return absent


def close_session(session: StudySession, now: datetime) -> bool:
    """After check-in closes: everyone expected with no record is absent. False when the
    session was already closed (by another request, say: the first one to claim it writes
    the absentees, so two page views at once cannot both insert them)."""
    claimed = db.session.execute(
        update(StudySession).where(StudySession.id == session.id,
                                   StudySession.closed_at.is_(None))
        .values(closed_at=now).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        return False
    set_committed_value(session, "closed_at", now)
    # One INSERT … SELECT: nothing of a city-wide audience passes through Python.
    unrecorded = select(User.id, literal(session.id), literal("absent"),
                        literal("closing")).where(
        expected_condition(session),
        ~exists().where(Attendance.session_id == session.id, Attendance.user_id == User.id))
    db.session.execute(_insert_skipping_existing().from_select(
        ["user_id", "session_id", "status", "source"], unrecorded))
    return True


def _insert_skipping_existing():
    """INSERT INTO attendance … ON CONFLICT DO NOTHING: a check-in committed after the
    closing's SELECT began (the last second of the window) keeps its record."""
    dialect = sqlite if db.session.get_bind().dialect.name == "sqlite" else postgresql
    return dialect.insert(Attendance.__table__).on_conflict_do_nothing(
        index_elements=["session_id", "user_id"])


def close_ended_sessions(now: datetime) -> int:
    """Close every session whose check-in has closed (on page views; cheap when none).
    Returns how many were closed: the caller commits when any was."""
    closes = checkin_closes()
    ended = db.session.scalars(select(StudySession).where(
        closes <= now, StudySession.closed_at.is_(None),
        StudySession.cancelled_at.is_(None))).all()
    return sum(close_session(session, now) for session in ended)
