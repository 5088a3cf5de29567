"""The leaders' dashboard (数据看板): a year's figures against the office's targets, monthly
trends, departments ranked by participation, the people whose attendance needs following up
and the law articles most often answered wrongly in each unit. Plain functions, no HTTP.
The targets of each year are in lawlearn.reports.dashboard_targets.

The figures come from the participation report, so the dashboard and the report always
agree: the monthly sessions, attendance and outreach events are the report's own rows put
in their local month. The monthly quiz pass rate and the wrong answers are aggregates in
SQL. Everything runs a fixed number of queries whatever the number of people, sessions,
answers or events.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, func, select, union_all
from sqlalchemy.orm import joinedload

from lawlearn.accounts.departments import department_sort_key
from lawlearn.accounts.models import Department, User
from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.localtime import day_start, local_day
from lawlearn.reports.dashboard_targets import (
    FIRST_YEAR,
    TargetProgress,
    YearTargets,
    attendance_threshold,
    target_progress,
    targets_for,
)
from lawlearn.reports.participation import (
    DepartmentRow,
    ParticipationReport,
    PersonRow,
    build_report,
)
from lawlearn.reports.scope import Scope
from lawlearn.rounding import half_up
from lawlearn.sessions.attendance import Counts

LOWEST_COUNT = 10
ARTICLES_PER_UNIT = 5


def year_figures(report: ParticipationReport) -> dict[str, float | None]:
    """The year's headline figures from a report built ``with_tables``."""
    takers = sum(quiz.takers for quiz in report.quizzes)
    outreach = report.outreach
    return {
        "sessions": len(report.sessions),
        "attendance_rate": report.total.values.get("attendance_rate"),
        "quiz_pass_rate": sum(quiz.passed for quiz in report.quizzes) / takers if takers else None,
        "hours_per_capita": report.total.per_capita("hours_earned"),
        "outreach_events": outreach.totals.events if outreach else 0,
        "people_reached": outreach.totals.reach if outreach else 0,
    }


# --- the period ---------------------------------------------------------------------------


def year_period(year: int, now: datetime) -> tuple[date, date]:
    """1 January to 31 December, or to today for the current year (local days)."""
    today = local_day(now)
    if not FIRST_YEAR <= year <= today.year:
        raise ValidationFailed(_("年份须在 %(first)d 年到 %(last)d 年之间。", first=FIRST_YEAR,
                                 last=today.year), field="year")
    return date(year, 1, 1), min(date(year, 12, 31), today)


def year_elapsed(year: int, now: datetime) -> float:
    """How much of the year has passed (1 for past years), for reading count targets."""
    today = local_day(now)
    if year < today.year:
        return 1.0
    first, last = date(year, 1, 1), date(year, 12, 31)
    return ((today - first).days + 1) / ((last - first).days + 1)


def month_buckets(year: int, date_to: date) -> list[tuple[datetime, datetime]]:
    """Each local month of ``year`` as naive UTC [start, end), cut at the end of
    ``date_to``; months after it are empty ranges."""
    end = day_start(date_to + timedelta(days=1))
    starts = [day_start(date(year, month, 1)) for month in range(1, 13)]
    starts.append(day_start(date(year + 1, 1, 1)))
    return [(min(starts[i], end), min(starts[i + 1], end)) for i in range(12)]


# --- monthly trends -----------------------------------------------------------------------


@dataclass
class MonthlyTrends:
    months: int  # months of the year so far; later months are None
    sessions: list[int | None]
    attended: list[int]
    counted: list[int]
    attendance_rate: list[float | None]
    quiz_takers: list[int]
    quiz_passed: list[int]
    quiz_pass_rate: list[float | None]
    outreach_events: list[int | None]


def monthly_trends(report: ParticipationReport, scope: Scope) -> MonthlyTrends:
    """Sessions held, attendance rate, quiz pass rate and outreach events per local month.

    Sessions and outreach events are the report's own rows (built ``with_tables``), put in
    the local month they started in, so the months always add up to the year's figures;
    the quiz pass rate is one query: each answer's local month (a ``case`` over the months'
    bounds), whether each person took and passed each quiz within a month, counted by month.
    """
    from lawlearn.quiz.models import Attempt

    held, attended, counted, events = [0] * 12, [0] * 12, [0] * 12, [0] * 12
    for row in report.sessions:
        month = local_day(row.starts_at).month - 1
        tally = Counts(row.present, row.late, row.excused, row.absent)
        held[month] += 1
        attended[month] += tally.attended(report.rule)
        counted[month] += tally.counted(report.rule)
    for event in report.outreach.events if report.outreach else []:
        events[local_day(event.starts_at).month - 1] += 1

    start, end = scope.bounds
    month_of = case(*((Attempt.submitted_at < month_end, index) for index, (_start, month_end)
                      in enumerate(month_buckets(scope.date_from.year, scope.date_to))),
                    else_=11)
    answers = (select(Attempt.user_id, Attempt.quiz_id, month_of.label("month"),
                      case((Attempt.passed.is_(True), 1), else_=0).label("passed"))
               .where(Attempt.submitted_at >= start, Attempt.submitted_at < end,
                      scope.user_filter(Attempt.user_id)).subquery())
    pairs = (select(answers.c.month, func.max(answers.c.passed).label("passed"))
             .group_by(answers.c.user_id, answers.c.quiz_id, answers.c.month).subquery())
    takers, passers = [0] * 12, [0] * 12
    for month, pairs_taken, pairs_passed in db.session.execute(
            select(pairs.c.month, func.count(), func.sum(pairs.c.passed)).group_by(pairs.c.month)):
        takers[month], passers[month] = int(pairs_taken), int(pairs_passed or 0)

    months = scope.date_to.month if scope.date_to.year == scope.date_from.year else 12

    def so_far(values: list) -> list:
        return [value if index < months else None for index, value in enumerate(values)]

    return MonthlyTrends(
        months, so_far(held), attended, counted,
        so_far([a / c if c else None for a, c in zip(attended, counted, strict=True)]),
        takers, passers,
        so_far([p / t if t else None for p, t in zip(passers, takers, strict=True)]),
        so_far(events))


# --- departments and people -----------------------------------------------------------------


def department_ranking(report: ParticipationReport) -> list[DepartmentRow]:
    """Units (or, for one department, its sections) by attendance rate, then plan completion,
    then study hours per person; a department without a figure comes after those with one."""
    rows = [row for row in report.departments if row.department_id is not None]
    if report.department is None:
        rows = [row for row in rows if not row.is_section]
    else:
        # Its sections and its own people (本级), not the unit's whole row.
        rows = [row for row in rows
                if row.department_id != report.department.id or row.own_staff] or rows

    def key(row: DepartmentRow) -> tuple:
        # Compared as shown (rates to 0.1%, hours to 0.1): two departments both showing
        # 88.1% are tied, and the caption's next figure decides, as it says.
        def desc(value: float | None, places: int) -> tuple:
            return (value is None, -half_up(value or 0, places))
        return (*desc(row.values.get("attendance_rate"), 3),
                *desc(row.values.get("items_rate"), 3),
                *desc(row.per_capita("hours_earned"), 1), row.name)

    return sorted(rows, key=key)


@dataclass
class FollowUp:
    """The people whose attendance needs following up, lowest rate first."""

    threshold: float | None  # the attendance target (0..1); None: no target this year
    people: list[PersonRow]  # at most ``limit`` of them
    total: int  # how many need following up
    counted: int  # active people with at least one session in their rate


def needs_follow_up(person: PersonRow, threshold: float | None) -> bool:
    """Below the attendance target; without a target, below 100% with an absence."""
    rate = person.values.get("attendance_rate")
    if rate is None:
        return False
    if threshold is not None:
        return rate < threshold - 1e-9
    return rate < 1 and bool(person.values.get("sessions_absent"))


def follow_up(report: ParticipationReport, threshold: float | None,
              limit: int = LOWEST_COUNT) -> FollowUp:
    """Active people who need following up (see ``needs_follow_up``): lowest rate first,
    then most absences, then name (pinyin) and username, so the order is the same on every
    visit."""
    counted = [p for p in report.people if p.active and p.values.get("sessions_counted")]
    people = [p for p in counted if needs_follow_up(p, threshold)]
    people.sort(key=lambda p: (p.values["attendance_rate"], -(p.values["sessions_absent"] or 0),
                               p.name_key, p.name, p.username))
    return FollowUp(threshold, people[:limit], len(people), len(counted))


# --- wrong answers by law article -------------------------------------------------------------


@dataclass
class WrongArticle:
    article: Any  # a LawArticle with its law
    wrong: int  # wrong answers
    people: int  # people who answered it wrongly


@dataclass
class UnitWrongArticles:
    department_id: int | None
    name: str
    articles: list[WrongArticle] = field(default_factory=list)


def wrong_articles(scope: Scope, per_unit: int = ARTICLES_PER_UNIT) -> list[UnitWrongArticles]:
    """Per unit (for one department: per its own departments), the law articles whose
    questions were answered wrongly most often in quizzes and daily practice; three
    queries. People are counted in the department they belong to now."""
    from lawlearn.library.models import LawArticle
    from lawlearn.practice.models import DailySet, DailySetItem
    from lawlearn.quiz.models import Attempt, AttemptItem, Question

    start, end = scope.bounds
    in_quizzes = (select(Attempt.user_id.label("user_id"), Question.article_id.label("article_id"))
                  .select_from(AttemptItem)
                  .join(Attempt, Attempt.id == AttemptItem.attempt_id)
                  .join(Question, Question.id == AttemptItem.question_id)
                  .where(AttemptItem.correct.is_(False), Question.article_id.is_not(None),
                         Attempt.submitted_at >= start, Attempt.submitted_at < end,
                         scope.user_filter(Attempt.user_id)))
    in_practice = (select(DailySet.user_id, Question.article_id).select_from(DailySetItem)
                   .join(DailySet, DailySet.id == DailySetItem.set_id)
                   .join(Question, Question.id == DailySetItem.question_id)
                   .where(DailySetItem.correct.is_(False), Question.article_id.is_not(None),
                          DailySet.day >= scope.date_from, DailySet.day <= scope.date_to,
                          scope.user_filter(DailySet.user_id)))
    wrong = union_all(in_quizzes, in_practice).subquery()
    # Per person first: each row of ``mine`` is one person, so the people are a count(*).
    mine = (select(wrong.c.user_id, wrong.c.article_id, func.count().label("wrong"))
            .group_by(wrong.c.user_id, wrong.c.article_id).subquery())
    unit = (User.department_id if scope.department_id is not None
            else func.coalesce(Department.parent_id, Department.id))
    rows = db.session.execute(
        select(unit, mine.c.article_id, func.sum(mine.c.wrong), func.count())
        .select_from(mine).join(User, User.id == mine.c.user_id)
        .outerjoin(Department, Department.id == User.department_id)
        .group_by(unit, mine.c.article_id)).all()
    by_unit: dict[int | None, list[tuple[int, int, int]]] = defaultdict(list)
    for unit_id, article_id, count, people in rows:
        by_unit[unit_id].append((article_id, int(count), int(people)))
    top = {unit_id: sorted(found, key=lambda r: (-r[1], -r[2], r[0]))[:per_unit]
           for unit_id, found in by_unit.items()}
    article_ids = sorted({article_id for found in top.values() for article_id, *_n in found})
    if not article_ids:
        return []
    articles = {a.id: a for a in db.session.scalars(
        select(LawArticle).options(joinedload(LawArticle.law))
        .where(LawArticle.id.in_(article_ids)))}
    units = {d.id: d for d in db.session.scalars(
        select(Department).options(joinedload(Department.parent))
        .where(Department.id.in_([key for key in top if key is not None])))} \
        if any(key is not None for key in top) else {}
    groups = []
    for unit_id in sorted(top, key=lambda key: department_sort_key(units.get(key))):
        department = units.get(unit_id)
        groups.append(UnitWrongArticles(
            unit_id, department.full_name if department else _("未分配部门"),
            [WrongArticle(articles[a], n, p) for a, n, p in top[unit_id] if a in articles]))
    return groups


# --- the dashboard --------------------------------------------------------------------------


@dataclass
class Dashboard:
    year: int
    report: ParticipationReport
    elapsed: float  # share of the year passed
    figures: dict[str, float | None]
    year_targets: YearTargets
    targets: list[TargetProgress]
    trends: MonthlyTrends
    departments: list[DepartmentRow]
    follow_up: FollowUp
    wrong_articles: list[UnitWrongArticles]

    date_from = property(lambda self: self.report.date_from)
    date_to = property(lambda self: self.report.date_to)
    department = property(lambda self: self.report.department)


def build_dashboard(year: int, *, department_id: int | None = None,
                    now: datetime | None = None) -> Dashboard:
    """The dashboard of ``year`` for the whole office or one department (with its sections)."""
    now = now or utcnow()
    date_from, date_to = year_period(year, now)
    # Only the columns the dashboard shows (attendance, plan completion, hours).
    report = build_report(date_from, date_to, department_id=department_id, now=now,
                          with_tables=True, sources=("sessions", "plans"))
    scope = Scope(date_from, date_to, department_id, now, report.rule)
    figures = year_figures(report)
    targets = targets_for(year)
    return Dashboard(year, report, year_elapsed(year, now), figures, targets,
                     target_progress(figures, targets, department_id),
                     monthly_trends(report, scope), department_ranking(report),
                     follow_up(report, attendance_threshold(targets)), wrong_articles(scope))
