"""The six-digit check-in code the projector shows beside the QR code, for a phone whose
camera fails: which session a typed code opens, for the 签到 page and for
POST /api/v1/checkins {"code": …}. Plain functions; the callers check in and commit."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lawlearn.accounts.models import User
from lawlearn.errors import Conflict, ValidationFailed
from lawlearn.extensions import db
from lawlearn.sessions import tokens
from lawlearn.sessions.expected import checkin_open
from lawlearn.sessions.models import StudySession, checkin_closes
from lawlearn.sessions.services import audience_condition

# Wrong six-digit codes a person may try per minute: guessing one of the four valid codes
# (tokens.CODE_WINDOWS) among a million would take weeks.
CODE_RATE_LIMIT = "10 per minute"
# One count for the 签到 page and the API: a person cannot guess ten a minute on each.
CODE_LIMIT_SCOPE = "checkin-code"
# [0-9], not \d: \d takes any script's digits (٣, ३), which no code holds.
CODE_SHAPE = re.compile(r"[0-9]{6}")


def halfwidth(value: str | None) -> str | None:
    """１２３４５６ as 123456 (a Chinese keyboard in full-width mode types those), without
    the spaces a pasted or read-out code brings (" 439 878 ")."""
    return "".join(unicodedata.normalize("NFKC", value).split()) if value else value


def code_guesser() -> str:
    """Whose wrong codes count (the rate limit's key): the person, by id alone. Their login
    nonce (part of the session's user id) would reset with it and let one person guess
    hundreds of codes a minute."""
    return f"checkin-code:{current_user.id}"


def session_for_code(user: User, code: str, now: datetime) -> StudySession:
    """The session whose check-in is open at ``now``, whose current code is ``code`` and
    whose audience holds ``user``. Raises Conflict ``not_expected`` (the right code of a
    session they are not expected at: said, as its QR code says it), Conflict
    ``checkin_closed`` (nothing of theirs is open) or ValidationFailed ``invalid_code``."""
    code = halfwidth(code) or ""
    if not CODE_SHAPE.fullmatch(code):
        raise ValidationFailed(_("签到码是六位数字。"), code="invalid_code", field="code")
    open_now = [s for s in db.session.scalars(select(StudySession).where(
        StudySession.cancelled_at.is_(None), checkin_closes() >= now,
        StudySession.starts_at <= now + timedelta(days=1))) if checkin_open(s, now)]
    mine = set(db.session.scalars(select(StudySession.id).where(
        StudySession.id.in_([s.id for s in open_now]), audience_condition(user)))) \
        if open_now else set()
    matching = [s for s in open_now if tokens.code_matches(s.id, code, now)]
    for study in matching:
        if study.id in mine:
            return study
    if matching:
        raise Conflict(_("您不在本次活动的应到人员名单中，请联系管理员。"), code="not_expected")
    if not mine:
        raise Conflict(_("现在没有正在签到的活动，请在签到开放后再试。"), code="checkin_closed")
    raise ValidationFailed(_("签到码不正确或已过期，请核对屏幕上最新的六位数字。"),
                           code="invalid_code", field="code")
