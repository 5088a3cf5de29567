"""A personal calendar feed (.ics) of the sessions a person is expected at, and the secret
address it is read from."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select, update

from lawlearn.accounts.models import User
from lawlearn.extensions import db
from lawlearn.sessions.models import StudySession
from lawlearn.sessions.services import audience_condition

FEED_PAST_DAYS = 90


def calendar_token(user: User) -> str:
    """The secret of the person's calendar address, made on first use. Set only where none
    is stored yet: two tabs opened at once must not each show a different address, one of
    them already dead."""
    if not user.calendar_token:
        db.session.execute(update(User).where(User.id == user.id,
                                              User.calendar_token.is_(None))
                           .values(calendar_token=secrets.token_urlsafe(24))
                           .execution_options(synchronize_session=False))
        db.session.refresh(user, ["calendar_token"])
    return user.calendar_token


def reset_calendar_token(user: User) -> str:
    user.calendar_token = secrets.token_urlsafe(24)
    return user.calendar_token


def user_for_calendar_token(token: str) -> User | None:
    if not token:
        return None
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    return user if user is not None and user.active else None


def calendar_feed(user: User, now: datetime, session_url) -> bytes:
    """The feed: sessions from 90 days ago on; cancelled ones stay, marked CANCELLED."""
    sessions = db.session.scalars(select(StudySession).where(
        audience_condition(user), StudySession.starts_at >= now - timedelta(days=FEED_PAST_DAYS))
        .order_by(StudySession.starts_at)).all()
    calendar = Calendar()
    calendar.add("prodid", "-//lawlearn//法治学习宣传平台//ZH")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "学法活动")
    for session in sessions:
        event = Event()
        event.add("uid", f"session-{session.id}@lawlearn")
        event.add("dtstamp", now.replace(tzinfo=UTC))
        event.add("dtstart", session.starts_at.replace(tzinfo=UTC))
        event.add("dtend", session.ends_at.replace(tzinfo=UTC))
        event.add("summary", session.title)
        if session.place:
            event.add("location", session.place)
        cancelled = (f"已取消：{session.cancel_reason}" if session.cancelled_at is not None
                     else "")
        description = "\n".join(filter(None, [cancelled,
                                              session.kind.name if session.kind else "",
                                              session.speaker, session.description]))
        if description:
            event.add("description", description)
        event.add("url", session_url(session))
        if session.cancelled_at is not None:
            event.add("status", "CANCELLED")
        calendar.add_component(event)
    return calendar.to_ical()
