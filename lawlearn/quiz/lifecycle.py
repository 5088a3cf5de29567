"""Withdrawing and deleting a quiz. Neither may strand people: a published plan still
running asks its audience to take the quiz, and a session's exit quiz (随堂测验) is what
its attendees must pass before their attendance counts. A quiz can be deleted only while
nothing records or points at it: a draft made by mistake."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.errors import Conflict
from lawlearn.extensions import db
from lawlearn.localtime import local_day
from lawlearn.quiz.models import Attempt, Quiz


def _sessions_using(quiz: Quiz, now: datetime | None = None) -> list[str]:
    """Titles of the sessions with ``quiz`` as their exit quiz (cancelled ones too: their
    rows still point at it); with ``now``, only those someone may still need it for: not
    cancelled, and check-in still to close or an attendee owing it."""
    from lawlearn.sessions.models import (  # sessions import quiz
        Attendance,
        StudySession,
        checkin_closes,
    )

    query = select(StudySession.title).where(StudySession.exit_quiz_id == quiz.id)
    if now is not None:
        owed = select(Attendance.id).where(Attendance.session_id == StudySession.id,
                                           Attendance.status == "pending_quiz").exists()
        # Check-in may close after the session ends: whoever checks in then owes the quiz.
        closes = checkin_closes()
        query = query.where(StudySession.cancelled_at.is_(None), or_(closes > now, owed))
    return list(dict.fromkeys(db.session.scalars(query.order_by(StudySession.starts_at))))


def withdrawal_blockers(quiz: Quiz, now: datetime) -> list[str]:
    """Why ``quiz`` may not be withdrawn now, in words (empty: it may)."""
    from lawlearn.plans.targets import items_pointing_at, named_items  # plans import quiz

    reasons = []
    if items := items_pointing_at("quiz", quiz.id, open_on=local_day(now)):
        reasons.append(_("进行中的学习计划要求完成它：%(items)s", items=named_items(items)))
    if sessions := _sessions_using(quiz, now):
        reasons.append(_("它是学法活动%(titles)s的随堂测验，签到的人须通过它才算出席",
                         titles="、".join(f"《{title}》" for title in sessions)))
    return reasons


def withdraw_quiz(actor: User, quiz: Quiz, now: datetime) -> None:
    """Take a published quiz back from its audience; refused, with every reason, when
    people still need it (the plan item or the exit quiz could never be done)."""
    reasons = withdrawal_blockers(quiz, now)
    if reasons:
        raise Conflict(_("不能撤回：%(reasons)s。请先修改这些计划事项或活动。",
                         reasons="；".join(reasons)), code="quiz_in_use")
    quiz.published = False
    record_audit(actor, "quiz.unpublish", quiz, _("撤回测验《%(title)s》", title=quiz.title))


def deletion_blockers(quiz: Quiz) -> list[str]:
    """Why ``quiz`` may not be deleted, in words (empty: it may)."""
    from lawlearn.plans.targets import items_pointing_at, named_items

    reasons = []
    if quiz.published:
        reasons.append(_("测验已发布，请先撤回"))
    attempts = db.session.scalar(select(func.count(Attempt.id)).where(
        Attempt.quiz_id == quiz.id)) or 0
    if attempts:
        reasons.append(_("已有 %(n)d 次作答记录", n=attempts))
    if items := items_pointing_at("quiz", quiz.id):
        reasons.append(_("学习计划的事项用到它：%(items)s", items=named_items(items)))
    if sessions := _sessions_using(quiz):
        reasons.append(_("它是学法活动%(titles)s的随堂测验",
                         titles="、".join(f"《{title}》" for title in sessions)))
    return reasons


def delete_quiz(actor: User, quiz: Quiz) -> None:
    """Delete a quiz made by mistake with its questions' places, rules and audience (the
    questions stay in the bank); refused, with every reason, otherwise."""
    reasons = deletion_blockers(quiz)
    if reasons:
        raise Conflict(_("不能删除：%(reasons)s。", reasons="；".join(reasons)),
                       code="quiz_in_use")
    record_audit(actor, "quiz.delete", quiz, _("删除测验《%(title)s》", title=quiz.title))
    db.session.delete(quiz)
    db.session.flush()
