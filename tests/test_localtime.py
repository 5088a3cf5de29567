"""The office's time zone and calendar days, shared by every domain (and still importable
under the names the domains used before)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from lawlearn import exports, localtime
from lawlearn.practice import days, points
from lawlearn.sessions import attendance


def test_shanghai_by_default(ctx):
    assert localtime.local_zone() == ZoneInfo("Asia/Shanghai")
    # 15:59 UTC is 23:59 in Beijing; 16:00 UTC is already the next day.
    assert localtime.local_day(datetime(2026, 3, 1, 15, 59)) == date(2026, 3, 1)
    assert localtime.local_day(datetime(2026, 3, 1, 16, 0)) == date(2026, 3, 2)
    assert localtime.day_start(date(2026, 3, 2)) == datetime(2026, 3, 1, 16, 0)
    assert localtime.day_bounds(date(2026, 1, 1), date(2026, 12, 31)) == (
        datetime(2025, 12, 31, 16, 0), datetime(2026, 12, 31, 16, 0))
    assert exports.local_time(datetime(2026, 3, 1, 16, 30)) == "2026-03-02 00:30"


@pytest.mark.app_config(BABEL_DEFAULT_TIMEZONE="Europe/Berlin")
def test_the_configured_zone_counts_with_its_daylight_saving(ctx):
    assert localtime.local_zone() == ZoneInfo("Europe/Berlin")
    # Summer time starts on 29 March 2026: that local day is 23 hours long.
    start, end = localtime.day_bounds(date(2026, 3, 29), date(2026, 3, 29))
    assert (start, end) == (datetime(2026, 3, 28, 23, 0), datetime(2026, 3, 29, 22, 0))
    assert localtime.local_day(datetime(2026, 7, 1, 22, 30)) == date(2026, 7, 2)
    assert attendance.local_today(datetime(2026, 7, 1, 21, 59)) == date(2026, 7, 1)


def test_the_old_names_still_answer_the_same(ctx):
    moment = datetime(2026, 3, 1, 16, 0)
    first, last = date(2026, 3, 1), date(2026, 3, 31)
    assert points.local_day(moment) == days.local_day(moment) == localtime.local_day(moment)
    assert days.day_start(first) == localtime.day_start(first)
    assert days.office_zone() == localtime.local_zone()
    assert days.utc_bounds(first, last) == attendance.period_bounds(first, last) == \
        localtime.day_bounds(first, last)
    assert attendance.this_year(moment) == (date(2026, 1, 1), date(2026, 12, 31))


def test_the_same_day_next_year_keeps_29_february_as_28_february():
    """What copying a yearly study plan or outreach campaign does to its dates."""
    assert localtime.same_day_next_year(date(2024, 2, 29)) == date(2025, 2, 28)
    assert localtime.same_day_next_year(date(2024, 3, 1)) == date(2025, 3, 1)
    assert localtime.same_day_next_year(date(2025, 12, 31)) == date(2026, 12, 31)
    assert localtime.same_day_next_year(date(2023, 2, 28)) == date(2024, 2, 28)


def test_a_time_range_names_the_end_day_only_when_it_is_another_day(app):
    """A two-hour session reads 2026年11月30日 06:30 – 08:30; one past local midnight
    names both days (in Shanghai time, whatever the UTC dates)."""
    from lawlearn.i18n import display_time_range

    with app.test_request_context():
        assert display_time_range(datetime(2026, 11, 29, 22, 30), datetime(2026, 11, 30, 0, 30)) \
            == "2026年11月30日 06:30 – 08:30"
        assert display_time_range(datetime(2026, 11, 30, 14, 0), datetime(2026, 11, 30, 17, 0)) \
            == "2026年11月30日 22:00 – 2026年12月1日 01:00"
        assert display_time_range(None, datetime(2026, 11, 30, 0, 30)) == "2026年11月30日 08:30"
