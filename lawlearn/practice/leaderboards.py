"""积分榜: people and departments ranked by points this week, month or year.

Pure queries: each takes a period and ``now`` and runs a fixed number of queries whatever
the number of people. Periods are local calendar days (PointAward.day): a week runs Monday
to Sunday. Only active people count, on both boards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from lawlearn.accounts.models import Department, User, studies_condition
from lawlearn.extensions import db
from lawlearn.localtime import local_day
from lawlearn.practice.models import PointAward

PERIODS = {"week": _l("本周"), "month": _l("本月"), "year": _l("本年")}
TOP = 50


def period_bounds(period: str, now: datetime) -> tuple[date, date]:
    """First and last local day (inclusive) of this week, month or year at ``now``."""
    today = local_day(now)
    if period == "week":
        start = today - timedelta(days=today.weekday())
        return start, start + timedelta(days=6)
    if period == "month":
        start = today.replace(day=1)
        following = (start + timedelta(days=32)).replace(day=1)
        return start, following - timedelta(days=1)
    if period == "year":
        return today.replace(month=1, day=1), today.replace(month=12, day=31)
    raise ValueError(period)


# --- my points ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MyTotals:
    total: int
    week: int
    month: int
    year: int


def my_totals(user_id: int, now: datetime) -> MyTotals:
    """All-time points and this week's, month's and year's, in one query."""
    def within(period: str):
        start, end = period_bounds(period, now)
        return func.coalesce(func.sum(case((PointAward.day.between(start, end),
                                            PointAward.amount), else_=0)), 0)

    row = db.session.execute(select(
        func.coalesce(func.sum(PointAward.amount), 0), within("week"), within("month"),
        within("year")).where(PointAward.user_id == user_id)).one()
    return MyTotals(*(int(value) for value in row))


# --- people -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    rank: int
    user_id: int
    name: str
    department: str | None
    points: int
    is_viewer: bool


@dataclass(frozen=True)
class PeopleBoard:
    period: str
    start: date
    end: date
    rows: list[PersonRow]
    me: PersonRow  # the viewer, ranked even outside the top or with no points
    ranked: int  # people with points in the period

    @property
    def me_in_rows(self) -> bool:
        return any(row.is_viewer for row in self.rows)


def _period_totals(start: date, end: date):
    """Subquery: (user_id, points) of active people with points in the period."""
    return (select(PointAward.user_id, func.sum(PointAward.amount).label("points"))
            .join(User, User.id == PointAward.user_id)
            .where(User.active.is_(True), PointAward.day.between(start, end))
            .group_by(PointAward.user_id)
            .having(func.sum(PointAward.amount) > 0)
            .subquery())


def _department_name(unit: str | None, section: str | None) -> str | None:
    return f"{unit}/{section}" if unit and section else section


def people_board(period: str, now: datetime, viewer_id: int, *, limit: int = TOP) -> PeopleBoard:
    """The top ``limit`` people (ties share a rank: 1, 1, 3) and the viewer's own place,
    in two queries. With no points the viewer ranks after everyone who has some."""
    start, end = period_bounds(period, now)
    totals = _period_totals(start, end)
    parent = aliased(Department)
    rank = func.rank().over(order_by=totals.c.points.desc())
    rows = db.session.execute(
        select(rank.label("rank"), totals.c.user_id, totals.c.points, User.name,
               parent.name.label("unit"), Department.name.label("section"))
        .join(User, User.id == totals.c.user_id)
        .outerjoin(Department, Department.id == User.department_id)
        .outerjoin(parent, parent.id == Department.parent_id)
        .order_by(totals.c.points.desc(), User.name_key, User.name, User.id)
        .limit(limit)).all()
    mine = (select(func.coalesce(func.sum(PointAward.amount), 0))
            .where(PointAward.user_id == viewer_id, PointAward.day.between(start, end))
            .scalar_subquery())
    ahead = select(func.count()).select_from(totals).where(totals.c.points > mine) \
        .scalar_subquery()
    ranked = select(func.count()).select_from(totals).scalar_subquery()
    me = db.session.execute(
        select(mine.label("points"), ahead.label("ahead"), ranked.label("ranked"), User.name,
               parent.name.label("unit"), Department.name.label("section"))
        .select_from(User)
        .outerjoin(Department, Department.id == User.department_id)
        .outerjoin(parent, parent.id == Department.parent_id)
        .where(User.id == viewer_id)).one()
    return PeopleBoard(
        period, start, end,
        [PersonRow(int(r.rank), r.user_id, r.name, _department_name(r.unit, r.section),
                   int(r.points), r.user_id == viewer_id) for r in rows],
        PersonRow(int(me.ahead) + 1, viewer_id, me.name, _department_name(me.unit, me.section),
                  int(me.points), True),
        int(me.ranked))


# --- departments ------------------------------------------------------------------------


@dataclass(frozen=True)
class DepartmentRow:
    rank: int
    department_id: int
    name: str
    members: int
    points: int
    per_capita: float
    is_viewers: bool


@dataclass(frozen=True)
class DepartmentBoard:
    period: str
    start: date
    end: date
    rows: list[DepartmentRow]
    viewer_unit_id: int | None

    @property
    def mine(self) -> DepartmentRow | None:
        return next((row for row in self.rows if row.is_viewers), None)

    @property
    def scored(self) -> bool:
        """Whether any unit has points this period (else every unit is 第 1 名 on 0)."""
        return any(row.points for row in self.rows)


def department_board(period: str, now: datetime, viewer_id: int) -> DepartmentBoard:
    """Top-level units (their sections roll up into them) ranked by points per active member
    (people with no points count too, so a small unit can win), in two queries."""
    start, end = period_bounds(period, now)
    unit = func.coalesce(Department.parent_id, Department.id)
    members = (select(unit.label("unit_id"), func.count(User.id).label("members"))
               .select_from(User).join(Department, Department.id == User.department_id)
               .where(User.active.is_(True), studies_condition()).group_by(unit).subquery())
    points = (select(unit.label("unit_id"), func.sum(PointAward.amount).label("points"))
              .select_from(PointAward).join(User, User.id == PointAward.user_id)
              .join(Department, Department.id == User.department_id)
              .where(User.active.is_(True), studies_condition(),
                     PointAward.day.between(start, end))
              .group_by(unit).subquery())
    top = aliased(Department)
    rows = db.session.execute(
        select(top.id, top.name, members.c.members, func.coalesce(points.c.points, 0))
        .join(members, members.c.unit_id == top.id)
        .outerjoin(points, points.c.unit_id == top.id)
        .where(top.parent_id.is_(None))).all()
    viewer_unit = db.session.scalar(
        select(unit).select_from(User).join(Department, Department.id == User.department_id)
        .where(User.id == viewer_id))
    scored = sorted(((Fraction(int(total), int(count)), name, unit_id, int(count), int(total))
                     for unit_id, name, count, total in rows),
                    key=lambda entry: (-entry[0], entry[1], entry[2]))
    ranked: list[DepartmentRow] = []
    for position, (average, name, unit_id, count, total) in enumerate(scored, start=1):
        tied = ranked and Fraction(ranked[-1].points, ranked[-1].members) == average
        ranked.append(DepartmentRow(ranked[-1].rank if tied else position, unit_id, name, count,
                                    total, float(average), unit_id == viewer_unit))
    return DepartmentBoard(period, start, end, ranked, viewer_unit)
