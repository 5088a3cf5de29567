"""When an admin may mark someone's attendance: a mark is a fact about the session, so it
waits for the moment it could be true. 请假 may be recorded any time (it is asked ahead)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _

from lawlearn.errors import Conflict
from lawlearn.i18n import display_datetime
from lawlearn.sessions.models import StudySession


def check_mark_time(session: StudySession, status: str, now: datetime) -> None:
    """Refuse 出席 before check-in opens, 缺席 before the session starts and 迟到 before
    lateness begins (a mark two days ahead showed staff "已签到" for a session to come)."""
    opens = session.opens_at
    late_from = session.starts_at + timedelta(minutes=session.late_after_minutes)
    if status == "present" and now < opens:
        message = _("签到于 %(time)s 开放，开放后才能标记出席；如需请假，可先标记请假。",
                    time=display_datetime(opens))
    elif status == "absent" and now < session.starts_at:
        message = _("活动于 %(time)s 开始，开始后才能标记缺席。",
                    time=display_datetime(session.starts_at))
    elif status == "late" and now <= late_from:
        message = _("%(time)s 以后到场才算迟到，现在还不能标记迟到。", time=display_datetime(late_from))
    else:
        return
    raise Conflict(message, code="too_early_to_mark")
