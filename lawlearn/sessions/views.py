"""Staff pages: my sessions, a session's page, the personal calendar feed."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lawlearn.database import utcnow
from lawlearn.exports import attachment_headers
from lawlearn.extensions import db
from lawlearn.sessions import services, sessions_bp
from lawlearn.sessions.calendar import (
    calendar_feed,
    calendar_token,
    reset_calendar_token,
    user_for_calendar_token,
)
from lawlearn.sessions.models import Attendance, LeaveRequest, StudySession


def my_sessions(user, now, *, past_days: int = 60, upcoming_days: int = 60):
    """Sessions I am expected at, with my attendance, in two queries."""
    sessions = db.session.scalars(select(StudySession).where(
        services.audience_condition(user),
        StudySession.starts_at >= now - timedelta(days=past_days),
        StudySession.starts_at <= now + timedelta(days=upcoming_days))
        .options(selectinload(StudySession.kind)).order_by(StudySession.starts_at)).all()
    ids = [s.id for s in sessions]
    mine = {a.session_id: a for a in db.session.scalars(select(Attendance).where(
        Attendance.user_id == user.id, Attendance.session_id.in_(ids)))} if ids else {}
    return sessions, mine


@sessions_bp.route("/sessions")
@login_required
def index():
    """My sessions: upcoming and past, with my status; the calendar subscription."""
    now = utcnow()
    services.close_ended_sessions(now)
    token = calendar_token(current_user)
    # Commit before loading the lists: a commit expires what was loaded, and the page
    # would then reload every session and status one by one.
    db.session.commit()
    sessions, mine = my_sessions(current_user, now)
    # My leave requests for them (one query): 待审批 shows before any attendance exists.
    leaves = {leave.session_id: leave for leave in db.session.scalars(select(LeaveRequest).where(
        LeaveRequest.user_id == current_user.id,
        LeaveRequest.session_id.in_([s.id for s in sessions])))} if sessions else {}
    return render_template("sessions/index.html", now=now, mine=mine, leaves=leaves,
                           running=[s for s in sessions if s.starts_at <= now <= s.ends_at],
                           upcoming=[s for s in sessions if s.starts_at > now],
                           past=[s for s in reversed(sessions) if s.ends_at < now],
                           feed_url=url_for("sessions.calendar", token=token, _external=True))


def readable_session(session_id: int) -> StudySession:
    """A session the caller may read: one they are in the audience of (an admin: any);
    404 otherwise, so its title, time and place stay with its audience. A session from
    before one joined stays readable (a plan item may link to it)."""
    study = db.session.scalar(select(StudySession).where(
        StudySession.id == session_id,
        services.audience_condition(current_user, since_joined=False)))
    if study is None and not current_user.is_admin:
        abort(404)
    return study or services.get_session(session_id)


@sessions_bp.route("/sessions/<int:session_id>")
@login_required
def session(session_id: int):
    """A session: when, where, what to study, my status, leave and check-in."""
    now = utcnow()
    study = readable_session(session_id)
    # Check-in over: my 缺席 is written now, as opening the list would (尚无记录 otherwise).
    if (study.closed_at is None and study.cancelled_at is None and study.closes_at <= now
            and services.close_session(study, now)):
        db.session.commit()
    attendance = db.session.scalar(select(Attendance).filter_by(session_id=study.id,
                                                                user_id=current_user.id))
    leave = db.session.scalar(select(LeaveRequest).filter_by(session_id=study.id,
                                                             user_id=current_user.id))
    return render_template("sessions/session.html", study=study, attendance=attendance,
                           leave=leave, now=now, open=services.checkin_open(study, now))


@sessions_bp.route("/me/calendar/reset", methods=["POST"])
@login_required
def reset_calendar():
    """Give my calendar feed a new secret address (the old one stops working)."""
    reset_calendar_token(current_user)
    db.session.commit()
    flash(_("已生成新的日历订阅地址，旧地址已失效。"), "success")
    return redirect(url_for("sessions.index"))


@sessions_bp.route("/calendar/<token>.ics")
def calendar(token: str):
    """The personal calendar feed; the secret in the address is the only credential."""
    user = user_for_calendar_token(token)
    if user is None:
        abort(404)
    body = calendar_feed(user, utcnow(),
                         lambda s: url_for("sessions.session", session_id=s.id, _external=True))
    response = Response(body, headers=attachment_headers("lawlearn.ics", "text/calendar",
                                                         inline=True))
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@sessions_bp.app_template_filter("leave_label")
def leave_label(status: str) -> str:
    from lawlearn.sessions.models import LEAVE_STATUSES

    return str(LEAVE_STATUSES.get(status, status))
