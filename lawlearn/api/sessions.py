"""Study-session endpoints of the API: my sessions, the rotating check-in token, check-ins."""

from __future__ import annotations

from datetime import timedelta

from flask import jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lawlearn.api import api_bp
from lawlearn.database import utcnow
from lawlearn.errors import PermissionDenied, ValidationFailed
from lawlearn.extensions import db
from lawlearn.sessions import services, tokens
from lawlearn.sessions.models import Attendance, StudySession

PAST_DAYS = 30


def _iso(value) -> str | None:
    return value.isoformat() + "Z" if value else None


def _checkin_body(attendance: Attendance) -> dict:
    return {"session_id": attendance.session_id, "status": attendance.status,
            "checked_in_at": _iso(attendance.checked_in_at)}


@api_bp.route("/sessions")
@login_required
def sessions():
    """Sessions of the last 30 days and upcoming: mine (staff) or all (admin)."""
    now = utcnow()
    query = (select(StudySession).options(selectinload(StudySession.kind))
             .where(StudySession.ends_at >= now - timedelta(days=PAST_DAYS))
             .order_by(StudySession.starts_at, StudySession.id))
    if not current_user.is_admin:
        query = query.where(services.audience_condition(current_user))
    rows = list(db.session.scalars(query))
    mine = {session_id: status for session_id, status in db.session.execute(
        select(Attendance.session_id, Attendance.status).where(
            Attendance.user_id == current_user.id, Attendance.session_id.in_([s.id for s in rows])))}
    return jsonify([{
        "id": s.id, "title": s.title, "kind": s.kind.name, "starts_at": _iso(s.starts_at),
        "ends_at": _iso(s.ends_at), "place": s.place, "checkin_open": services.checkin_open(s, now),
        "cancelled": s.cancelled_at is not None, "my_status": mine.get(s.id),
    } for s in rows])


@api_bp.route("/sessions/<int:session_id>/checkin-token")
@login_required
def checkin_token(session_id: int):
    """The check-in token of this 10-second window, for a projector of one's own (admin)."""
    if not current_user.is_admin:
        raise PermissionDenied(_("只有管理员可以获取签到二维码。"))
    session = services.get_session(session_id)
    now = utcnow()
    token = tokens.make_token(session.id, now)
    left = tokens.seconds_left(now)
    return jsonify(token=token, url=url_for("sessions.scan", t=token, _external=True),
                   code=tokens.make_code(session.id, now),
                   # the token: accepted in its own window and the next one
                   expires_in=left + tokens.WINDOW_SECONDS, rotates_in=left,
                   # the typed code lasts longer (tokens.CODE_WINDOWS)
                   code_expires_in=left + (tokens.CODE_WINDOWS - 1) * tokens.WINDOW_SECONDS)


@api_bp.route("/checkins", methods=["POST"])
@login_required
def check_in():
    """Check in with a scanned token: 201 the first time, 200 with the same body after."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("token"), str):
        raise ValidationFailed(_("请求体须为 {\"token\": \"…\"}。"), code="invalid_json")
    now = utcnow()
    session = services.get_session(tokens.read_token(body["token"], now))
    attendance, created = services.check_in(
        current_user, session, now, via="qr", user_agent=request.user_agent.string or "",
        address=request.remote_addr or "")
    db.session.commit()
    return jsonify(_checkin_body(attendance)), 201 if created else 200
