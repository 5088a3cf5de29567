"""Telling the people expected at a session that it moved or was cancelled (the bell): or
they come on the old day, to the old room, or to an empty hall."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from lawlearn.accounts.models import User
from lawlearn.extensions import db
from lawlearn.i18n import display_datetime
from lawlearn.sessions.expected import expected_condition
from lawlearn.sessions.models import StudySession


def _tell_expected(session: StudySession, title: str, body: str, now: datetime) -> int:
    from lawlearn.plans.notices import notify  # here: plans imports this package

    expected = db.session.scalars(select(User.id).where(expected_condition(session)))
    return notify(expected, title, body, f"/sessions/{session.id}", now)


def tell_of_change(session: StudySession, starts_at: datetime, place: str, count: int,
                   now: datetime) -> None:
    """A new time or place of ``session`` (it was at ``starts_at`` in ``place``); ``count``
    sessions of its series moved alike."""
    now_at = {"when": display_datetime(session.starts_at),
              "where": session.place or _("（地点待定）")}
    body = _("原定于 %(was)s 在 %(old)s 的学法活动，改为 %(when)s 在 %(where)s 举行。",
             was=display_datetime(starts_at), old=place.strip(), **now_at) \
        if place and place.strip() != session.place else \
        _("原定于 %(was)s 的学法活动，改为 %(when)s 在 %(where)s 举行。",
          was=display_datetime(starts_at), **now_at)
    if count > 1:
        body += _("本系列之后的 %(n)d 场同样调整。", n=count - 1)
    _tell_expected(session, _("学法活动变更：%(title)s", title=session.title), body, now)


def tell_of_cancellation(session: StudySession, now: datetime) -> int:
    """``session`` is cancelled, with its reason; how many people were told."""
    return _tell_expected(session, _("学法活动取消：%(title)s", title=session.title),
                          _("原定于 %(when)s 的学法活动已取消。原因：%(reason)s",
                            when=display_datetime(session.starts_at),
                            reason=session.cancel_reason), now)
