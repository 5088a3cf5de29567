"""Where each figure of the participation report comes from: one source per domain.

A source declares its columns and collects them per person for a scope in a fixed number
of queries, whatever the number of people. A domain adds figures to every report, table
and export by adding its columns and its collector here, in one place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import selectinload

from lawlearn.accounts.models import Department, User, UserRole
from lawlearn.extensions import db
from lawlearn.localtime import day_bounds
from lawlearn.reports.columns import Column
from lawlearn.sessions.attendance import AttendanceRule, Counts

Figures = dict[int, dict[str, Any]]  # user id → column key → value
MAX_IN_LIST = 900  # ids in one IN (...) list; past this a subquery or no filter is used


@dataclass(frozen=True, slots=True)
class Person:
    """What a report needs of a user (the attributes share User's names)."""

    id: int
    name: str
    username: str
    active: bool
    department_id: int | None
    department: Department | None


@dataclass(frozen=True)
class Scope:
    """What a report covers: local days (both included), a department with its sections
    or the whole office (``department_id`` None), counted at ``now``."""

    date_from: date
    date_to: date
    department_id: int | None
    now: datetime
    rule: AttendanceRule
    user_id: int | None = None  # one person's own record
    # What several sources need, loaded once per scope (see ``people``).
    _cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        """The period as naive UTC [start, end)."""
        return day_bounds(self.date_from, self.date_to)

    def department_ids(self):
        """SQL: the department and its sections."""
        return select(Department.id).where(or_(Department.id == self.department_id,
                                               Department.parent_id == self.department_id))

    def people_condition(self):
        """SQL condition on User for the scope (None: everyone)."""
        if self.user_id is not None:
            return User.id == self.user_id
        if self.department_id is None:
            return None
        return User.department_id.in_(self.department_ids())

    def user_filter(self, column):
        """SQL: ``column`` (a user id) belongs to someone in the scope."""
        condition = self.people_condition()
        if condition is None:
            return True
        return column.in_(select(User.id).where(condition))

    def people(self) -> list[Person]:
        """Everyone in the scope, active or not, with their department and its unit, by
        name; two light queries (columns, not User objects), shared by the sources and
        the report."""
        if "people" not in self._cache:
            departments = {department.id: department for department in db.session.scalars(
                select(Department).options(selectinload(Department.parent)))}
            query = select(User.id, User.name, User.username, User.active,
                           User.department_id).order_by(User.name, User.username, User.id)
            condition = self.people_condition()
            if condition is not None:
                query = query.where(condition)
            self._cache["people"] = [
                Person(user_id, name, username, active, department_id,
                       departments.get(department_id) if department_id else None)
                for user_id, name, username, active, department_id in db.session.execute(query)]
        return self._cache["people"]

    def user_ids(self) -> list[int] | None:
        """The ids of everyone in the scope for an ``IN`` list, or None (no filter: the
        whole office, or too many ids for one statement; callers then keep only theirs)."""
        if self.user_id is not None:
            return [self.user_id]
        if self.department_id is None:
            return None
        ids = [person.id for person in self.people()]
        return ids if len(ids) <= MAX_IN_LIST else None


@dataclass(frozen=True)
class Source:
    name: str
    columns: tuple[Column, ...]
    collect: Callable[[Scope], Figures]


# --- sessions -----------------------------------------------------------------------------

ATTENDANCE = _l("集中学法")


def _sessions(scope: Scope) -> Figures:
    """Counted as attendance.attendance_summary counts: the records of the period's
    started, not cancelled sessions, plus everyone expected without a record at a session
    whose check-in has closed but which is not closed yet (absent)."""
    from lawlearn.sessions.attendance import _add_awaiting_close, _in_period
    from lawlearn.sessions.models import Attendance, StudySession

    in_period = _in_period(scope.date_from, scope.date_to, scope.now)
    statuses = ("present", "late", "excused", "absent", "pending_quiz")
    counts: dict[int, Counts] = defaultdict(Counts)
    # One row a person (statuses pivoted in SQL), not one per person and status.
    for user_id, *by_status in db.session.execute(
            select(Attendance.user_id,
                   *(func.sum(case((Attendance.status == status, 1), else_=0))
                     for status in statuses))
            .join(StudySession, StudySession.id == Attendance.session_id)
            .where(*in_period, scope.user_filter(Attendance.user_id))
            .group_by(Attendance.user_id)):
        tally = counts[user_id]
        for status, n in zip(statuses, by_status, strict=True):
            if n:
                tally.add(status, int(n))
    _add_awaiting_close(scope.people(), counts, in_period, scope.now)
    figures: Figures = {}
    for user_id, tally in counts.items():
        figures[user_id] = {
            "sessions_expected": tally.expected, "sessions_present": tally.present,
            "sessions_late": tally.late, "sessions_excused": tally.excused,
            "sessions_absent": tally.absent, "sessions_pending": tally.pending,
            "sessions_attended": tally.attended(scope.rule),
            "sessions_counted": tally.counted(scope.rule)}
    return figures


SESSIONS = Source("sessions", (
    Column("sessions_expected", _l("应参学"), group=ATTENDANCE),
    Column("sessions_present", _l("出席"), group=ATTENDANCE),
    Column("sessions_late", _l("迟到"), group=ATTENDANCE),
    Column("sessions_excused", _l("请假"), group=ATTENDANCE),
    Column("sessions_absent", _l("缺席"), group=ATTENDANCE),
    # Checked in, exit quiz not passed yet: expected, but in no rate.
    Column("sessions_pending", _l("待完成随堂测验"), hidden=True),
    Column("sessions_attended", _l("计为参学"), hidden=True),
    Column("sessions_counted", _l("计入参学率"), hidden=True),
    Column("attendance_rate", _l("参学率"), kind="rate", combine="ratio",
           ratio_of=("sessions_attended", "sessions_counted"), group=ATTENDANCE),
), _sessions)


# --- study plans and study hours ----------------------------------------------------------

PLANS = _l("学习计划")


class _Audiences:
    """Which of ``plans`` each person is for, as plans.progress.audience_condition says (a
    department includes its sections; people and roles too), from an index built once:
    a person's plans are found in a few dictionary lookups, not by testing every plan."""

    def __init__(self, plans: list) -> None:
        self.everyone: list = []
        self.by_department: dict[int, list] = defaultdict(list)
        self.by_user: dict[int, list] = defaultdict(list)
        self.by_role: dict[str, list] = defaultdict(list)
        for plan in plans:
            if plan.audience_all:
                self.everyone.append(plan)
                continue
            for row in plan.audience:
                if row.department_id:
                    self.by_department[row.department_id].append(plan)
                if row.user_id:
                    self.by_user[row.user_id].append(plan)
                if row.role:
                    self.by_role[row.role].append(plan)

    def plans_of(self, user: Person, roles: set[str]) -> list:
        found = {plan.id: plan for plan in self.everyone}
        department = user.department
        keys = [department.id, department.parent_id] if department is not None else []
        groups = [self.by_department.get(key, ()) for key in keys if key] \
            + [self.by_user.get(user.id, ())] + [self.by_role.get(role, ()) for role in roles]
        for group in groups:
            for plan in group:
                found[plan.id] = plan
        return list(found.values())


def _plans(scope: Scope) -> Figures:
    """Per active person: the required items of their plans due in the period (an item
    without a due date is due on its plan's last day), how many of them were done by the
    period's end (as the plan pages judge an item done), and the most study hours any of
    their plans running during the period asks for. Study hours earned, for everyone in scope, come from the
    plans' one hours ledger (plans.progress.hours_between)."""
    from lawlearn.plans.kinds import item_states
    from lawlearn.plans.models import Plan
    from lawlearn.plans.progress import hours_between

    everyone = scope.people()
    people = [person for person in everyone if person.active]
    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, role in db.session.execute(select(UserRole.user_id, UserRole.role).where(
            scope.user_filter(UserRole.user_id))):
        roles[user_id].add(role)

    plans = list(db.session.scalars(
        select(Plan).where(Plan.status.in_(("published", "closed")),
                           Plan.starts_on <= scope.date_to, Plan.ends_on >= scope.date_from)
        .options(selectinload(Plan.items), selectinload(Plan.audience))
        .order_by(Plan.id)))
    due_plan: dict[int, int] = {}  # item id → its plan's id, for the items due in the period
    due_count: dict[int, int] = defaultdict(int)  # plan id → items due
    for plan in plans:
        for item in plan.items:
            if item.required and scope.date_from <= (item.due_on or plan.ends_on) <= scope.date_to:
                due_plan[item.id] = plan.id
                due_count[plan.id] += 1
    user_ids = scope.user_ids()
    done: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))  # user → plan → n
    if due_plan and people:
        due_items = [item for plan in plans for item in plan.items if item.id in due_plan]
        _start, end = scope.bounds
        for (item_id, user_id), state in item_states(due_items, user_ids, scope.now).items():
            # Done by the end of the period: a past period's report does not change when
            # someone catches up later.
            if state.done and (state.done_at is None or state.done_at < end):
                done[user_id][due_plan[item_id]] += 1
    hours = hours_between(scope.date_from, scope.date_to, user_ids, scope.now)

    audiences = _Audiences(plans)
    figures: Figures = {}
    for person in people:
        mine = audiences.plans_of(person, roles.get(person.id, set()))
        finished = done.get(person.id, {})
        figures[person.id] = {
            "items_due": sum(due_count.get(plan.id, 0) for plan in mine),
            "items_done": sum(finished.get(plan.id, 0) for plan in mine),
            "hours_required": max((float(plan.required_hours or 0) for plan in mine),
                                  default=0.0)}
    # Hours earned by everyone in scope, deactivated people included (a person who left
    # keeps the hours they earned while here).
    for person in everyone:
        row = hours.get(person.id)
        if row is not None:
            figures.setdefault(person.id, {})["hours_earned"] = row.total
    return figures


PLAN_COLUMNS = Source("plans", (
    Column("items_due", _l("应完成事项"), group=PLANS),
    Column("items_done", _l("已完成事项"), group=PLANS),
    Column("items_rate", _l("完成率"), kind="rate", combine="ratio",
           ratio_of=("items_done", "items_due"), group=PLANS),
    Column("hours_earned", _l("已获学时"), kind="hours", per_capita=True, group=PLANS),
    Column("hours_required", _l("应修学时"), kind="hours", per_capita=True, group=PLANS),
), _plans)


# --- quizzes --------------------------------------------------------------------------------

QUIZZES = _l("在线测试")


def attempt_percent():
    """SQL: a submitted attempt's score as a percent of its maximum (NULL without one)."""
    from lawlearn.quiz.models import Attempt

    return case((Attempt.max_score > 0,
                 100.0 * func.coalesce(Attempt.score, 0) / Attempt.max_score))


def attempt_passed():
    """SQL: 1 for a passed attempt, else 0 (aggregated with max: passed at least once)."""
    from lawlearn.quiz.models import Attempt

    return case((Attempt.passed.is_(True), 1), else_=0)


def _quizzes(scope: Scope) -> Figures:
    """Attempts submitted in the period: distinct quizzes taken and passed (at least one
    passed attempt), the best attempt's score and the average over the attempts (percent
    of each attempt's maximum). One query."""
    from lawlearn.quiz.models import Attempt

    start, end = scope.bounds
    percent = attempt_percent()
    per_quiz = (select(Attempt.user_id.label("user_id"),
                       func.max(attempt_passed()).label("passed"),
                       func.max(percent).label("best"), func.sum(percent).label("total"),
                       func.count(percent).label("scored"))
                .where(Attempt.submitted_at >= start, Attempt.submitted_at < end,
                       scope.user_filter(Attempt.user_id))
                .group_by(Attempt.user_id, Attempt.quiz_id).subquery())
    # Rolled up per person in SQL: one row a person, however many quizzes.
    rows = db.session.execute(
        select(per_quiz.c.user_id, func.count(), func.sum(per_quiz.c.passed),
               func.max(per_quiz.c.best), func.sum(per_quiz.c.total),
               func.sum(per_quiz.c.scored))
        .group_by(per_quiz.c.user_id))
    return {user_id: {
        "quizzes_taken": taken, "quizzes_passed": int(passed or 0),
        "best_score": round(float(best), 1) if best is not None else None,
        "score_sum": float(total or 0), "scored_attempts": int(scored or 0)}
        for user_id, taken, passed, best, total, scored in rows}


QUIZ_COLUMNS = Source("quizzes", (
    Column("quizzes_taken", _l("参加测试"), group=QUIZZES),
    Column("quizzes_passed", _l("通过测试"), group=QUIZZES),
    Column("best_score", _l("最高得分率"), kind="score", combine="max", group=QUIZZES),
    Column("score_sum", _l("得分率合计"), kind="score", hidden=True),
    Column("scored_attempts", _l("计分答卷"), hidden=True),
    Column("average_score", _l("平均得分率"), kind="score", combine="ratio",
           ratio_of=("score_sum", "scored_attempts"), group=QUIZZES),
), _quizzes)


# --- daily practice, reflections, points ----------------------------------------------------

DAILY = _l("日常学习")


def _practice(scope: Scope) -> Figures:
    from lawlearn.plans.models import Reflection
    from lawlearn.practice.models import DailySet, PointAward

    start, end = scope.bounds
    figures: Figures = defaultdict(dict)
    for user_id, days in db.session.execute(
            select(DailySet.user_id, func.count()).where(
                DailySet.completed_at.is_not(None), DailySet.day >= scope.date_from,
                DailySet.day <= scope.date_to, scope.user_filter(DailySet.user_id))
            .group_by(DailySet.user_id)):
        figures[user_id]["practice_days"] = days
    for user_id, accepted in db.session.execute(
            select(Reflection.user_id, func.count()).where(
                Reflection.status == "accepted", Reflection.reviewed_at >= start,
                Reflection.reviewed_at < end, scope.user_filter(Reflection.user_id))
            .group_by(Reflection.user_id)):
        figures[user_id]["reflections_accepted"] = accepted
    for user_id, points in db.session.execute(
            select(PointAward.user_id, func.sum(PointAward.amount)).where(
                PointAward.day >= scope.date_from, PointAward.day <= scope.date_to,
                scope.user_filter(PointAward.user_id))
            .group_by(PointAward.user_id)):
        figures[user_id]["points"] = int(points or 0)
    return figures


PRACTICE_COLUMNS = Source("practice", (
    Column("practice_days", _l("每日一练天数"), per_capita=True, group=DAILY),
    Column("reflections_accepted", _l("心得通过"), group=DAILY),
    Column("points", _l("学法积分"), per_capita=True, group=DAILY),
), _practice)


SOURCES: tuple[Source, ...] = (SESSIONS, PLAN_COLUMNS, QUIZ_COLUMNS, PRACTICE_COLUMNS)


def all_columns() -> list[Column]:
    return [column for source in SOURCES for column in source.columns]


def visible_columns() -> list[Column]:
    return [column for column in all_columns() if not column.hidden]
