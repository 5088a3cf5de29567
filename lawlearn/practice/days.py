"""The office's calendar days (Asia/Shanghai unless configured): daily sets, daily caps,
leaderboard periods and report periods all count in local days, while moments are stored as
naive UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app


def office_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")


def local_day(moment: datetime) -> date:
    """The office's calendar day of a naive UTC moment (23:30 in Beijing is still that day)."""
    return moment.replace(tzinfo=UTC).astimezone(office_zone()).date()


def day_start(day: date) -> datetime:
    """The naive UTC moment a local calendar day begins (16:00 UTC the day before)."""
    return datetime.combine(day, time(), office_zone()).astimezone(UTC).replace(tzinfo=None)


def utc_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """Naive UTC [start, end) of the local days ``date_from`` to ``date_to`` inclusive."""
    return day_start(date_from), day_start(date_to + timedelta(days=1))
