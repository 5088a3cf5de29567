"""四舍五入 where the office checks figures by hand: a half rounds up, in per-capita figures,
percentages on pages and in exports (Python's round() and Babel round it to even)."""

from __future__ import annotations

import pytest

from lawlearn.i18n import display_one_decimal, display_rate
from lawlearn.reports.export_tables import percent_text, value_text
from lawlearn.reports.participation import DepartmentRow
from lawlearn.rounding import half_up


@pytest.mark.parametrize(("value", "places", "expected"), [
    (106.25, 1, 106.3), (99.25, 1, 99.3), (103.25, 1, 103.3), (106.24, 1, 106.2),
    (0.1 + 0.2, 1, 0.3), (2.675, 2, 2.68), (0.8125, 3, 0.813), (-1.25, 1, -1.3), (7, 1, 7.0)])
def test_a_half_rounds_up(value, places, expected):
    assert round(106.25, 1) == 106.2  # what this replaces
    assert half_up(value, places) == expected


def test_per_capita_figures_and_percentages_round_a_half_up(ctx):
    """信息科: 425 points for 4 people is 106.25 per head, shown 106.3; 13 of 16 is
    81.25%, shown 81.3% on the page and in the CSV."""
    row = DepartmentRow(1, "信息科", True, 4, {"points": 425})
    assert row.per_capita("points") == 106.3
    assert value_text(row.per_capita("points"), "decimal") == "106.3"
    assert percent_text(13 / 16) == "81.3%" and percent_text(2 / 3) == "66.7%"
    assert display_rate(13 / 16) == "81.3%" and display_rate(1) == "100.0%"
    assert percent_text(None) == ""
    assert display_one_decimal(425 / 4) == "106.3"  # 积分榜's 人均


def test_study_hours_are_rounded_once_on_the_sum_as_the_report_does():
    """我的学时 and the plan pages: a 0.25 h item and a 1 h session make 1.3, as the report
    counts it (the parts were rounded first, to even: 0.2 + 1.0)."""
    from lawlearn.plans.progress import HoursRow
    from lawlearn.plans.views import hours_filter

    assert HoursRow(1, 0.25, 1.0).total == 1.3
    assert HoursRow(1, 0.25 + 0.25, 0.0).total == 0.5
    assert hours_filter(1.25) == "1.3" and hours_filter(2.0) == "2"
