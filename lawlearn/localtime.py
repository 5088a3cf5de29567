"""The office's time zone (Asia/Shanghai unless configured) and its calendar days.

Moments are stored as naive UTC; daily sets, daily caps, leaderboard and report periods and
export timestamps are counted in local days. Every domain asks here rather than reading
``BABEL_DEFAULT_TIMEZONE`` itself.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app

DEFAULT_ZONE = "Asia/Shanghai"
# The years a date from a form, a URL or a command may fall in: far wider than any record
# or report needs, and far from date.min and date.max, where moving a moment between local
# time and UTC (or to a day's end) overflows.
YEARS = (1900, 2999)


def local_zone() -> ZoneInfo:
    """The configured time zone (``BABEL_DEFAULT_TIMEZONE``)."""
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or DEFAULT_ZONE)


def local_moment(moment: datetime) -> datetime:
    """A naive UTC moment as an aware local one."""
    return moment.replace(tzinfo=UTC).astimezone(local_zone())


def local_day(moment: datetime) -> date:
    """The local calendar day of a naive UTC moment (23:30 in Beijing is still that day)."""
    return local_moment(moment).date()


def day_start(day: date) -> datetime:
    """The naive UTC moment a local calendar day begins (16:00 UTC the day before)."""
    return datetime.combine(day, time.min, local_zone()).astimezone(UTC).replace(tzinfo=None)


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """Naive UTC [start, end) of the local days ``first`` to ``last``, both included."""
    return day_start(first), day_start(last + timedelta(days=1))


def in_years(day: date) -> bool:
    """True when ``day`` (or a date-time) falls in :data:`YEARS`."""
    return YEARS[0] <= day.year <= YEARS[1]


def parse_day(text: str) -> date:
    """A YYYY-MM-DD day in :data:`YEARS` (from a URL or a command); ValueError otherwise."""
    day = date.fromisoformat(text.strip())
    if not in_years(day):
        raise ValueError(f"{text!r} is outside the years {YEARS[0]}-{YEARS[1]}")
    return day


def same_day_next_year(day: date) -> date:
    """The same calendar day a year later (what copying a yearly plan or campaign moves its
    dates to); 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)
