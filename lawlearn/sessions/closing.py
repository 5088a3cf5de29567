"""结束签到: an admin ends a running session's check-in now. The only way was editing
签到截止 in the session's form, which refuses a time before the start and so made the admin
wait; a hall that has all come in, or a session that ends early, is closed in one tap and
everyone expected with no record becomes absent, as at any closing."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.errors import Conflict, ValidationFailed
from lawlearn.extensions import db
from lawlearn.i18n import inner_title
from lawlearn.sessions.models import Attendance, StudySession
from lawlearn.sessions.services import close_session


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
