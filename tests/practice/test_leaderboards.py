"""积分榜: ranks with ties, my own rank wherever I am, departments per capita, local-time
period boundaries, and a fixed number of queries."""

from __future__ import annotations

import itertools
from datetime import date, datetime

import pytest
from sqlalchemy import delete

from lawlearn.extensions import db
from lawlearn.practice import leaderboards
from lawlearn.practice.models import PointAward

# Wednesday 2026-03-04 12:00 in Shanghai.
NOW = datetime(2026, 3, 4, 4, 0)


SOURCES = itertools.count()


def give(user_id: int, amount: int, day: date) -> None:
    """Ledger rows written directly: the boards read the ledger, not the rules."""
    db.session.add(PointAward(user_id=user_id, rule="quiz_passed", amount=amount,
                              source=f"test:{next(SOURCES)}", day=day, awarded_at=NOW))


def test_periods_are_local_calendar_weeks_months_and_years(ctx):
    assert leaderboards.period_bounds("week", NOW) == (date(2026, 3, 2), date(2026, 3, 8))
    assert leaderboards.period_bounds("month", NOW) == (date(2026, 3, 1), date(2026, 3, 31))
    assert leaderboards.period_bounds("year", NOW) == (date(2026, 1, 1), date(2026, 12, 31))
    # Sunday 23:30 in Shanghai is 15:30 UTC: still that week. 16:00 UTC is Monday.
    assert leaderboards.period_bounds("week", datetime(2026, 3, 8, 15, 30))[0] == date(2026, 3, 2)
    assert leaderboards.period_bounds("week", datetime(2026, 3, 8, 16, 0))[0] == date(2026, 3, 9)
    # 2026-02-28 17:00 UTC is already 1 March in Shanghai; New Year's Eve likewise.
    assert leaderboards.period_bounds("month", datetime(2026, 2, 28, 17, 0)) == (
        date(2026, 3, 1), date(2026, 3, 31))
    assert leaderboards.period_bounds("month", datetime(2026, 2, 10)) == (
        date(2026, 2, 1), date(2026, 2, 28))
    assert leaderboards.period_bounds("year", datetime(2026, 12, 31, 16, 0))[0] == date(2027, 1, 1)
    with pytest.raises(ValueError):
        leaderboards.period_bounds("decade", NOW)


def test_people_ranks_with_ties_and_period_boundaries(ctx, make_user):
    a, b, c, d, me = (make_user(name=n) for n in ("甲", "乙", "丙", "丁", "我"))
    gone = make_user(name="离职", active=False)
    monday, sunday = date(2026, 3, 2), date(2026, 3, 8)
    give(a.id, 10, monday)
    give(b.id, 7, sunday)
    give(b.id, 3, monday)  # b: 10, tied with a
    give(c.id, 5, date(2026, 3, 1))  # the Sunday before: last week, but this month
    give(c.id, 4, monday)
    give(d.id, 2, date(2026, 2, 28))  # last month, this year
    give(gone.id, 50, monday)  # inactive people are not ranked
    give(me.id, 0, monday)  # a capped award: no points
    db.session.commit()

    week = leaderboards.people_board("week", NOW, me.id)
    # Ties share the rank (listed by name, in the database's collation).
    assert sorted((r.rank, r.name, r.points) for r in week.rows) == [
        (1, "乙", 10), (1, "甲", 10), (3, "丙", 4)]
    assert (week.me.rank, week.me.points, week.ranked) == (4, 0, 3)  # after everyone with points
    assert not week.me_in_rows

    month = leaderboards.people_board("month", NOW, c.id)
    assert sorted((r.rank, r.name, r.points) for r in month.rows) == [
        (1, "乙", 10), (1, "甲", 10), (3, "丙", 9)]
    assert month.rows[2].name == "丙"
    assert month.me.rank == 3 and month.me.points == 9 and month.me_in_rows
    assert [r.is_viewer for r in month.rows] == [False, False, True]

    year = leaderboards.people_board("year", NOW, d.id)
    assert [(r.rank, r.points) for r in year.rows] == [(1, 10), (1, 10), (3, 9), (4, 2)]
    assert year.me.rank == 4


def test_my_rank_is_given_outside_the_top(ctx, make_user):
    people = [make_user() for _ in range(6)]
    for index, person in enumerate(people):
        give(person.id, 60 - index * 10, date(2026, 3, 3))  # 60, 50, 40, 30, 20, 10
    db.session.commit()
    board = leaderboards.people_board("week", NOW, people[4].id, limit=3)
    assert [r.points for r in board.rows] == [60, 50, 40]
    assert (board.me.rank, board.me.points, board.me.user_id) == (5, 20, people[4].id)
    assert board.ranked == 6 and not board.me_in_rows


def test_departments_per_capita_lets_a_small_unit_win(ctx, make_user, make_department):
    big = make_department("区司法局")
    big_section = make_department("普法科", big)
    small = make_department("法制办")
    empty = make_department("新设单位")  # no members: not ranked
    big_people = [make_user(department_id=big) for _ in range(3)] + \
        [make_user(department_id=big_section) for _ in range(3)]
    small_people = [make_user(department_id=small) for _ in range(2)]
    make_user(department_id=small, active=False)  # not counted as a member
    viewer = big_people[4]  # in a section: ranked with its unit
    day = date(2026, 3, 3)
    for person in big_people[:4]:
        give(person.id, 10, day)  # 40 points for 6 people: 6.67 each
    give(small_people[0].id, 15, day)  # 15 points for 2 people: 7.5 each
    db.session.commit()

    board = leaderboards.department_board("week", NOW, viewer.id)
    assert [(r.rank, r.name, r.members, r.points, round(r.per_capita, 2))
            for r in board.rows] == [(1, "法制办", 2, 15, 7.5), (2, "区司法局", 6, 40, 6.67)]
    assert board.viewer_unit_id == big and board.mine.name == "区司法局"
    assert empty not in {r.department_id for r in board.rows}
    # A tie shares the rank.
    give(big_people[4].id, 5, day)  # 45 / 6 = 7.5
    db.session.commit()
    board = leaderboards.department_board("week", NOW, small_people[1].id)
    assert [(r.rank, r.name) for r in board.rows] == [(1, "区司法局"), (1, "法制办")]
    assert board.mine.name == "法制办"


def test_my_totals_by_period(ctx, make_user):
    me = make_user()
    give(me.id, 1, date(2025, 12, 31))
    give(me.id, 2, date(2026, 2, 1))
    give(me.id, 4, date(2026, 3, 1))
    give(me.id, 8, date(2026, 3, 2))
    db.session.commit()
    totals = leaderboards.my_totals(me.id, NOW)
    assert (totals.total, totals.year, totals.month, totals.week) == (15, 14, 12, 8)


@pytest.mark.parametrize("scope", ["people", "departments"])
def test_boards_take_a_fixed_number_of_queries(app, ctx, make_user, make_department, scope,
                                               count_queries):
    def build(count: int) -> int:
        unit = make_department(f"单位{count}")
        section = make_department("科室", unit)
        users = [make_user(department_id=unit if i % 2 else section) for i in range(count)]
        for index, person in enumerate(users):
            give(person.id, index + 1, date(2026, 3, 3))
        db.session.commit()
        db.session.expire_all()
        return users[0].id

    def run(viewer_id: int):
        if scope == "people":
            board = leaderboards.people_board("week", NOW, viewer_id)
            return [(r.name, r.department) for r in board.rows]
        board = leaderboards.department_board("week", NOW, viewer_id)
        return [(r.name, r.members) for r in board.rows]

    small_viewer = build(3)
    small = count_queries(lambda: run(small_viewer))
    large_viewer = build(30)
    large = count_queries(lambda: run(large_viewer))
    assert small == large <= 2


# --- the page -----------------------------------------------------------------------------


def test_leaderboard_page_shows_tabs_the_board_and_my_rank(app, client, login, make_user,
                                                           make_department):
    from lawlearn.database import utcnow
    from lawlearn.practice.points import local_day

    unit = make_department("区司法局")
    leader = make_user(name="领先者", department_id=unit)
    me = make_user(name="我自己", department_id=unit)
    with app.app_context():
        give(leader.id, 12, local_day(utcnow()))
        db.session.commit()
    login(me)
    html = client.get("/practice/leaderboard").get_data(as_text=True)
    assert "积分榜" in html and "我的排名" in html and "领先者" in html
    # No points yet: no rank (everyone without points would share "第 2 名").
    assert "本期还没有积分。完成每日一练即可上榜。" in html and "第 2 名" not in html
    assert 'aria-current="page">本周' in html
    for period in ("week", "month", "year"):
        assert f"period={period}" in html
    departments = client.get("/practice/leaderboard?scope=departments&period=year")
    text = departments.get_data(as_text=True)
    assert departments.status_code == 200 and "本单位排名" in text and "区司法局" in text
    assert "人均 6.0 分" in text  # 12 points for 2 people
    # Unknown values fall back to this week, people.
    assert client.get("/practice/leaderboard?period=x&scope=y").status_code == 200
    # A period nobody has points in ranks no unit (each was "第 1 名 · 人均 0.0 分").
    with app.app_context():
        db.session.execute(delete(PointAward))
        db.session.commit()
    empty = client.get("/practice/leaderboard?scope=departments&period=week")
    text = empty.get_data(as_text=True)
    assert "本期各单位还没有积分，暂无排名。" in text and "本期还没有单位获得积分。" in text
    assert "第 1 名" not in text


def test_leaderboard_page_takes_a_fixed_number_of_queries(app, client, login, make_user,
                                                          make_department, count_queries):
    from lawlearn.database import utcnow
    from lawlearn.practice.points import local_day

    viewer = make_user()
    login(viewer)

    def add(count: int) -> None:
        unit = make_department(f"单位{count}")
        people = [make_user(department_id=unit) for _ in range(count)]
        with app.app_context():
            for index, person in enumerate(people):
                give(person.id, index + 1, local_day(utcnow()))
            db.session.commit()

    def queries(url: str) -> int:
        return count_queries(lambda: client.get(url))

    add(2)
    small = [queries("/practice/leaderboard"), queries("/practice/leaderboard?scope=departments")]
    add(25)
    large = [queries("/practice/leaderboard"), queries("/practice/leaderboard?scope=departments")]
    assert small == large
