"""In-site notices: a plan published, a reminder, a reflection returned. No HTTP here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select, update

from lawlearn.extensions import db
from lawlearn.plans.models import Notice


def notify(user_ids: Iterable[int], title: str, body: str, link: str | None,
           now: datetime) -> int:
    """One notice per person, written in one statement; returns how many."""
    rows = [{"user_id": user_id, "title": title, "body": body, "link": link, "created_at": now}
            for user_id in sorted(set(user_ids))]
    if rows:
        db.session.execute(Notice.__table__.insert(), rows)
    return len(rows)


def unread_count(user_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Notice).where(
        Notice.user_id == user_id, Notice.read_at.is_(None))) or 0


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
