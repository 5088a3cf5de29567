"""Days typed into a URL far outside any record's years (year 1, year 9999) are reported or
ignored, never a 500: moved to UTC or to a day's end they would overflow."""

from __future__ import annotations

from datetime import date

import pytest

from lawlearn.cli_input import parse_day as parse_option
from lawlearn.localtime import parse_day

EXTREME_URLS = [
    "/admin/outreach/ledger?from=0001-01-01",
    "/admin/outreach/ledger?to=9999-12-31",
    "/admin/outreach/ledger.xlsx?from=0001-01-01&to=2026-12-31",
    "/outreach/ledger?from=0001-01-01&to=2026-12-31",
    "/admin/outreach/events?from=0001-01-01&to=9999-12-31",
    "/admin/sessions/report?from=2026-01-01&to=9999-12-31",
    "/admin/sessions/report?from=0001-01-01&format=csv",
    "/reports/?from=0001-01-01",
    "/reports/me?from=0001-01-01&to=9999-12-31",
    "/reports/me.csv?from=0001-01-01",
    "/me/attendance?from=0001-01-01&to=9999-12-31",
]


@pytest.mark.parametrize("url", EXTREME_URLS)
def test_an_extreme_day_in_a_url_is_no_error(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code < 500, (url, response.status_code)


def test_the_ledger_says_which_day_it_left_out(admin_client):
    html = admin_client.get("/admin/outreach/ledger?from=0001-01-01").get_data(as_text=True)
    assert "开始日期无效：应为 1900—2999 年间的日期" in html


def test_parse_day_keeps_to_the_years():
    assert parse_day(" 2026-11-29 ") == date(2026, 11, 29)
    for text in ("0001-01-01", "9999-12-31", "1899-12-31", "2026-13-01", ""):
        with pytest.raises(ValueError):
            parse_day(text)
    problems: list[str] = []
    assert parse_option("0001-01-01", "--from", problems) is None
    assert problems == ["--from: '0001-01-01' is not a date from 1900 to 2999 "
                        "(use YYYY-MM-DD, e.g. 2024-12-01)."]
