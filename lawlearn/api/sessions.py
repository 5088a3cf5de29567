"""Study-session endpoints of the API: my sessions, the rotating check-in token, check-ins."""

from __future__ import annotations

from datetime import timedelta

from flask import g, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lawlearn.api import api_bp
from lawlearn.database import utcnow
from lawlearn.errors import PermissionDenied, ValidationFailed
from lawlearn.extensions import db, limiter
from lawlearn.sessions import code_checkin, services, tokens
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


def _typed_code() -> bool:
    """Whether this check-in is by the typed code (a scanned token is never held up by the
    person's wrong codes: the limit is for guessing codes)."""
    body = request.get_json(silent=True)
    return isinstance(body, dict) and not isinstance(body.get("token"), str) \
        and isinstance(body.get("code"), str)


def _code_refused(response) -> bool:
    """A wrong code counts against the person's guesses; a token's refusal does not."""
    return g.get("checkin_by_code", False) and response.status_code in (409, 422)


@api_bp.route("/checkins", methods=["POST"])
@login_required
@limiter.shared_limit(code_checkin.CODE_RATE_LIMIT, code_checkin.CODE_LIMIT_SCOPE,
                      key_func=lambda: code_checkin.code_guesser(), deduct_when=_code_refused,
                      exempt_when=lambda: not _typed_code())
def check_in():
    """Check in with a scanned token, or the six-digit code typed from the projector: 201
    the first time, 200 with the same body after."""
    body = request.get_json(silent=True)
    token = body.get("token") if isinstance(body, dict) else None
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(token, str) and not isinstance(code, str):
        raise ValidationFailed(_("请求体须为 {\"token\": \"…\"} 或 {\"code\": \"六位签到码\"}。"),
                               code="invalid_json")
    now = utcnow()
    if isinstance(token, str):
        session, via = services.get_session(tokens.read_token(token, now)), "qr"
    else:
        g.checkin_by_code = True
        session, via = code_checkin.session_for_code(current_user, code, now), "code"
    attendance, created = services.check_in(
        current_user, session, now, via=via, user_agent=request.user_agent.string or "",
        address=request.remote_addr or "")
    db.session.commit()
    return jsonify(_checkin_body(attendance)), 201 if created else 200
