"""A quiz published tells its people in the bell (通知): staff learned of a new exam only by
opening 答题. No HTTP here."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from lawlearn.accounts.models import User
from lawlearn.extensions import db
from lawlearn.quiz.audience import for_the_quiz
from lawlearn.quiz.models import Quiz


def quiz_link(quiz_id: int) -> str:
    return f"/quizzes/{quiz_id}"


def announce_quiz(quiz: Quiz, now: datetime) -> int:
    """A notice to each person the quiz is for who has not had one (a quiz withdrawn and
    published again tells nobody twice); none for a quiz listed to nobody (a session's exit
    quiz) or already closed. How many were told."""
    from lawlearn.i18n import display_datetime
    from lawlearn.plans.notices import notified_since, notify  # plans import this package

    if (not quiz.audience_all and not quiz.audience) or \
            (quiz.closes_at is not None and quiz.closes_at <= now):
        return 0
    link = quiz_link(quiz.id)
    told = notified_since(link, quiz.created_at)
    people = [user_id for user_id in db.session.scalars(select(User.id).where(
        for_the_quiz(quiz))) if user_id not in told]
    title = _("新考试：《%(title)s》", title=quiz.title) if quiz.is_exam \
        else _("新测验：《%(title)s》", title=quiz.title)
    window = _("开放时间：%(start)s 至 %(end)s", start=display_datetime(quiz.opens_at or now),
               end=display_datetime(quiz.closes_at)) if quiz.closes_at \
        else _("开放时间：%(start)s 起", start=display_datetime(quiz.opens_at or now))
    limit = _("；限时 %(n)d 分钟", n=quiz.time_limit_minutes) if quiz.time_limit_minutes else ""
    return notify(people, title, window + limit + "。", link, now)
