"""Check-in: the 签到 tab, the page a scanned QR code opens, and the admin's projector.

A scanned token is valid for 10–20 s, less than a log-in takes. The first time a browser
opens a valid link, the link and the time are noted in that browser's signed session
cookie; within :data:`SCAN_GRACE` the same browser may log in and confirm. A photo of the
projector forwarded to a group chat is still refused once its window has passed, and the
check-in is tied to the account that confirms it, never to the link.
"""

from __future__ import annotations

import calendar
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import segno
from flask import current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import format_time, to_user_timezone, to_utc
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Regexp

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.errors import DomainError
from lawlearn.extensions import db, limiter, login_manager
from lawlearn.sessions import code_checkin, services, sessions_admin_bp, sessions_bp, tokens
from lawlearn.sessions.models import ATTENDANCE_STATUSES, Attendance, StudySession, checkin_closes

SCAN_GRACE = timedelta(minutes=5)
# The browser's own mark, kept across logins, so the shared-device flag tells phones apart
# (several accounts checked in from one phone) rather than phones of one model on one
# network, which User-Agent and address alone cannot.
DEVICE_COOKIE = "lawlearn_device"
DEVICE_COOKIE_SHAPE = re.compile(r"[A-Za-z0-9_-]{32}")
SEEN_KEY = "checkin_seen"
CHECKED_IN = ("present", "late", "pending_quiz")
LATEST_NAMES = 8
class CodeForm(FlaskForm):
    code = StringField(_l("六位签到码"), filters=[code_checkin.halfwidth], validators=[
        DataRequired(message=_l("请输入屏幕上的六位签到码。")),
        # [0-9], not \d: \d takes any script's digits (٣, ३), which no code holds.
        Regexp(r"^[0-9]{6}$", message=_l("签到码是六位数字。"))],
        # Room for spaces around a pasted code (maxlength cuts a paste short, silently).
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 12,
                   "class": "code-input"})


class ScanForm(FlaskForm):
    t = HiddenField(validators=[DataRequired()])


@sessions_bp.app_template_filter("hhmm")
def display_hhmm(value: datetime | None) -> str:
    """14:30, in the configured time zone."""
    return format_time(value, "HH:mm") if value else ""


# --- the 签到 tab ---------------------------------------------------------------------------


@dataclass
class CheckinCard:
    """One of today's sessions as the 签到 tab shows it."""

    session: StudySession
    phase: str  # cancelled, before, open, late, closed
    opens_at: datetime
    attendance: Attendance | None

    @property
    def checked_in(self) -> bool:
        return self.attendance is not None and self.attendance.checked_in_at is not None


def phase_of(study: StudySession, now: datetime) -> str:
    """Where ``study``'s check-in stands at ``now``."""
    if study.cancelled_at is not None:
        return "cancelled"
    if services.checkin_open(study, now):
        late_from = study.starts_at + timedelta(minutes=study.late_after_minutes)
        return "late" if now > late_from else "open"
    return "before" if now < study.opens_at else "closed"


def today_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Naive-UTC start and end of the local (configured time zone) day holding ``now``."""
    local = to_user_timezone(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    start = to_utc(midnight.replace(tzinfo=None))
    return start, start + timedelta(days=1)


def todays_cards(user: User, now: datetime) -> list[CheckinCard]:
    """Sessions ``user`` is expected at that take place today, or whose check-in is open."""
    start, end = today_bounds(now)
    closes = checkin_closes()
    sessions = list(db.session.scalars(
        select(StudySession)
        .where(services.audience_condition(user), StudySession.starts_at < end + timedelta(days=1),
               closes >= start)
        .order_by(StudySession.starts_at, StudySession.id)))
    # Check-in of tomorrow's first session may open before midnight: keep it when it does.
    sessions = [s for s in sessions if s.starts_at < end or services.checkin_open(s, now)]
    mine = {a.session_id: a for a in db.session.scalars(select(Attendance).where(
        Attendance.user_id == user.id, Attendance.session_id.in_([s.id for s in sessions])))}
    return [CheckinCard(s, phase_of(s, now),
                        s.opens_at, mine.get(s.id))
            for s in sessions]


def render_checkin(form: CodeForm, now: datetime, *, error: str | None = None,
                   status: int = 200):
    cards = todays_cards(current_user, now)
    return render_template("sessions/checkin.html", cards=cards, form=form, error=error,
                           statuses=ATTENDANCE_STATUSES,
                           any_open=any(c.phase in ("open", "late") for c in cards)), status


@sessions_bp.route("/checkin")
@login_required
def checkin():
    """签到 tab: today's sessions with their check-in state, and the six-digit code form."""
    return render_checkin(CodeForm(), utcnow())


def _code_refused(response) -> bool:
    return response.status_code in (409, 422)


@sessions_bp.route("/checkin/code")
@login_required
def checkin_code_page():
    """A refused code leaves this address in the bar: a tab restored or opened from the
    history asks for it, and finds the 签到 tab instead of 405."""
    return redirect(url_for("sessions.checkin", _anchor="code-heading"))


@sessions_bp.route("/checkin/code", methods=["POST"])
@login_required
@limiter.shared_limit(code_checkin.CODE_RATE_LIMIT, code_checkin.CODE_LIMIT_SCOPE,
                      key_func=lambda: code_checkin.code_guesser(), deduct_when=_code_refused)
def checkin_code():
    """Check in with the six-digit code the projector shows beside the QR code."""
    form, now = CodeForm(), utcnow()
    if not form.validate_on_submit():
        return render_checkin(form, now, status=422)
    try:
        study = code_checkin.session_for_code(current_user, form.code.data, now)
    except DomainError as refusal:
        return render_checkin(form, now, status=refusal.status, error=refusal.message)
    return _check_in_and_show(study, now, via="code")


# --- a scanned QR code ------------------------------------------------------------------------


def _epoch(moment: datetime) -> int:
    return calendar.timegm(moment.timetuple())


def scanned_session_id(token: str, now: datetime) -> int:
    """The session of a scanned token that this browser first opened within its window.

    Raises :class:`tokens.BadCheckinToken` for a forged link, or one that was already
    stale when this browser first opened it (more than :data:`SCAN_GRACE` ago counts as
    never).
    """
    seen = session.get(SEEN_KEY)
    if isinstance(seen, dict) and seen.get("t") == token:
        seen_at = datetime.fromtimestamp(int(seen.get("at", 0)), UTC).replace(tzinfo=None)
        if timedelta() <= now - seen_at <= SCAN_GRACE:
            return tokens.read_token(token, seen_at)
    session_id = tokens.read_token(token, now)
    session[SEEN_KEY] = {"t": token, "at": _epoch(now)}
    return session_id


def _render_scan_error(error: DomainError, now: datetime | None = None):
    """The page for a link that cannot be confirmed. An expired link of a session whose
    check-in is over says that, not "scan the newest code" (the screen shows none)."""
    message = error.message
    study = db.session.get(StudySession, getattr(error, "session_id", None) or 0) \
        if now is not None and error.code == "expired_token" else None
    if study is not None and not services.checkin_open(study, now):
        message = services.checkin_shut_reason(study, now)
    return render_template("sessions/scan.html", error=message, study=None), error.status


def _scan_page(study: StudySession, token: str, now: datetime):
    """The confirmation page, or why there is nothing to confirm."""
    attendance = db.session.scalar(select(Attendance).filter_by(session_id=study.id,
                                                                user_id=current_user.id))
    notice = None
    if attendance is not None and attendance.checked_in_at is not None:
        return render_template("sessions/scan_result.html", study=study, attendance=attendance,
                               created=False, statuses=ATTENDANCE_STATUSES)
    if not services.checkin_open(study, now):
        notice = services.checkin_shut_reason(study, now)
    elif not services.is_expected(current_user, study):
        notice = _("您不在本次活动的应到人员名单中，请联系管理员。")
    form = ScanForm(t=token)
    return render_template("sessions/scan.html", study=study, form=form, notice=notice,
                           error=None, phase=phase_of(study, now)), 409 if notice else 200


@sessions_bp.route("/checkin/scan")
def scan():
    """The page a scanned QR code opens: the session and a 确认签到 button (changes nothing)."""
    token, now = request.args.get("t", ""), utcnow()
    try:
        session_id = scanned_session_id(token, now)
    except tokens.BadCheckinToken as error:
        return _render_scan_error(error, now)
    if not current_user.is_authenticated:
        return login_manager.unauthorized()  # to /login?next=<this URL>, and back here
    try:
        study = services.get_session(session_id)
    except DomainError as error:
        return _render_scan_error(error)
    return _scan_page(study, token, now)


@sessions_bp.route("/checkin/scan", methods=["POST"])
@login_required
def scan_confirm():
    """Confirm the check-in of a scanned QR code for the logged-in account."""
    form, now = ScanForm(), utcnow()
    if not form.validate_on_submit():
        return render_template("sessions/scan.html", study=None,
                               error=_("签到链接无效，请重新扫描屏幕上的二维码。")), 400
    try:
        study = services.get_session(scanned_session_id(form.t.data, now))
    except DomainError as error:
        return _render_scan_error(error, now)
    return _check_in_and_show(study, now, via="qr")


def device_cookie() -> str | None:
    value = request.cookies.get(DEVICE_COOKIE, "")
    return value if DEVICE_COOKIE_SHAPE.fullmatch(value) else None


@sessions_bp.after_request
def _mark_the_device(response):
    """Give a signed-in browser its device cookie on the staff session pages (the code
    page and the scan page come before every check-in), so that it is there when they
    check in."""
    if (request.method == "GET" and current_user.is_authenticated
            and device_cookie() is None and response.status_code == 200
            and response.mimetype == "text/html"):
        response.set_cookie(DEVICE_COOKIE, secrets.token_urlsafe(24), max_age=5 * 365 * 86400,
                            secure=bool(current_app.config.get("HTTPS")), httponly=True,
                            samesite="Lax")
    return response


def _check_in_and_show(study: StudySession, now: datetime, *, via: str):
    try:
        attendance, created = services.check_in(
            current_user, study, now, via=via, user_agent=request.user_agent.string or "",
            address=request.remote_addr or "", device_id=device_cookie())
    except DomainError as error:
        db.session.rollback()
        return render_template("sessions/scan_result.html", study=study, attendance=None,
                               error=error.message, statuses=ATTENDANCE_STATUSES), error.status
    db.session.commit()
    return render_template("sessions/scan_result.html", study=study, attendance=attendance,
                           created=created, error=None, statuses=ATTENDANCE_STATUSES)


# --- the projector ----------------------------------------------------------------------------


def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as an SVG data: URI (dark on white, with its quiet zone)."""
    return segno.make_qr(url, error="m").svg_data_uri(scale=1, border=4, omitsize=True,
                                                       dark="#000", light="#fff")


def projector_payload(study: StudySession, now: datetime) -> dict:
    """What the projector shows now: the rotating token as a QR code and the counter."""
    token = tokens.make_token(study.id, now)
    url = url_for("sessions.scan", t=token, _external=True)
    by_status = dict(db.session.execute(
        select(Attendance.status, func.count()).where(Attendance.session_id == study.id)
        .group_by(Attendance.status)).all())
    checked_in = sum(by_status.get(status, 0) for status in CHECKED_IN)
    latest = db.session.scalars(
        select(User.name).join(Attendance, Attendance.user_id == User.id)
        .where(Attendance.session_id == study.id, Attendance.status.in_(CHECKED_IN),
               Attendance.checked_in_at.is_not(None))
        .order_by(Attendance.checked_in_at.desc(), Attendance.id.desc()).limit(LATEST_NAMES)).all()
    phase = phase_of(study, now)
    return {
        "token": token, "url": url, "code": tokens.make_code(study.id, now),
        "qr_data_uri": qr_data_uri(url), "seconds_left": tokens.seconds_left(now),
        "window_seconds": tokens.WINDOW_SECONDS, "phase": phase,
        "checkin_open": phase in ("open", "late"), "phase_text": phase_text(study, phase),
        "checked_in": checked_in, "expected": services.expected_count(study),
        # On approved leave: not coming, though on the list (应到 33 with 2 away read as 33).
        "excused": by_status.get("excused", 0),
        "latest": list(latest),
    }


def phase_text(study: StudySession, phase: str) -> str:
    if phase == "cancelled":
        return _("本次活动已取消")
    if phase == "before":
        return _("签到将于 %(time)s 开放", time=format_time(study.opens_at, "HH:mm"))
    if phase == "late":
        return _("签到进行中（现在签到记为迟到）")
    if phase == "closed":
        return _("签到已结束")
    return _("签到进行中")


@sessions_admin_bp.route("/<int:session_id>/projector")
def projector(session_id: int):
    """Full-screen projector page: rotating QR code, fallback code and live counter."""
    study = services.get_session(session_id)
    return render_template("sessions_admin/projector.html", study=study,
                           state=projector_payload(study, utcnow()),
                           checkin_url=url_for("sessions.checkin", _external=True))


@sessions_admin_bp.route("/<int:session_id>/projector.json")
def projector_state(session_id: int):
    """The projector's current QR code, code, countdown and counter, for its script."""
    study = services.get_session(session_id)
    return jsonify(projector_payload(study, utcnow()))
