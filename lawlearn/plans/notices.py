"""In-site notices: a plan published, a reminder, a reflection returned. No HTTP here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, func, select, update

from lawlearn.extensions import db
from lawlearn.plans.models import Notice


def plan_link(plan_id: int) -> str:
    """The staff page of a plan (where a publish notice or a reminder leads)."""
    return f"/plans/{plan_id}"


def reminder_link(plan_id: int) -> str:
    """A reminder's link: the plan's page, marked so that reminders of a plan are told
    apart from its other notices (whatever the language their title was written in)."""
    return f"/plans/{plan_id}?from=reminder"


def item_link(item_id: int) -> str:
    """The staff page of a plan item (where a reviewed reflection's notice leads)."""
    return f"/plans/items/{item_id}"


def notify(user_ids: Iterable[int], title: str, body: str, link: str | None,
           now: datetime) -> int:
    """One notice per person, written in one statement; returns how many."""
    rows = [{"user_id": user_id, "title": title, "body": body, "link": link, "created_at": now}
            for user_id in sorted(set(user_ids))]
    if rows:
        db.session.execute(Notice.__table__.insert(), rows)
    return len(rows)


def notify_each(bodies: dict[int, str], title: str, link: str | None, now: datetime) -> int:
    """One notice per person with a body of their own, written in one statement; returns
    how many."""
    rows = [{"user_id": user_id, "title": title, "body": bodies[user_id], "link": link,
             "created_at": now} for user_id in sorted(bodies)]
    if rows:
        db.session.execute(Notice.__table__.insert(), rows)
    return len(rows)


def notified_since(link: str, since: datetime) -> set[int]:
    """Who got a notice leading to ``link`` after ``since`` (one query)."""
    return set(db.session.scalars(select(Notice.user_id).where(
        Notice.link == link, Notice.created_at > since)))


# Every staff page shows the count in its top bar: built once (see quiz.listing).
_UNREAD = (select(func.count()).select_from(Notice.__table__)
           .where(Notice.__table__.c.user_id == bindparam("user_id"),
                  Notice.__table__.c.read_at.is_(None)))


def unread_count(user_id: int) -> int:
    return db.session.execute(_UNREAD, {"user_id": user_id}).scalar() or 0


def notices_query(user_id: int):
    return select(Notice).where(Notice.user_id == user_id).order_by(Notice.created_at.desc(),
                                                                     Notice.id.desc())


def mark_read(user_id: int, now: datetime, notice_id: int | None = None) -> int:
    """Mark one notice (or all) of ``user_id`` read; someone else's is never touched."""
    query = update(Notice).where(Notice.user_id == user_id, Notice.read_at.is_(None))
    if notice_id is not None:
        query = query.where(Notice.id == notice_id)
    return db.session.execute(query.values(read_at=now)
                              .execution_options(synchronize_session=False)).rowcount
