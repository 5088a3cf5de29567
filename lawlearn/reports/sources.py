"""Where each figure of the participation report comes from: one source per domain.

A source declares its columns and collects them per person for a scope in a fixed number
of queries, whatever the number of people. A domain adds figures to every report, table
and export by adding its columns and its collector here, in one place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from lawlearn.accounts.models import Department, User, UserRole
from lawlearn.extensions import db
from lawlearn.localtime import day_bounds
from lawlearn.reports.columns import Column
from lawlearn.sessions.attendance import AttendanceRule, attendance_summary

Figures = dict[int, dict[str, Any]]  # user id → column key → value


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


@dataclass(frozen=True)
class Source:
    name: str
    columns: tuple[Column, ...]
    collect: Callable[[Scope], Figures]


# --- sessions -----------------------------------------------------------------------------

ATTENDANCE = _l("集中学法")


def _sessions(scope: Scope) -> Figures:
    summary = attendance_summary(user_ids=[scope.user_id] if scope.user_id else None,
                                 department_id=scope.department_id, date_from=scope.date_from,
                                 date_to=scope.date_to, rule=scope.rule, now=scope.now)
    figures: Figures = {}
    for person in summary.people:
        counts = person.counts
        figures[person.user_id] = {
            "sessions_expected": counts.expected, "sessions_present": counts.present,
            "sessions_late": counts.late, "sessions_excused": counts.excused,
            "sessions_absent": counts.absent, "sessions_attended": counts.attended(scope.rule),
            "sessions_counted": counts.counted(scope.rule)}
    return figures


SESSIONS = Source("sessions", (
    Column("sessions_expected", _l("应参学"), group=ATTENDANCE),
    Column("sessions_present", _l("出席"), group=ATTENDANCE),
    Column("sessions_late", _l("迟到"), group=ATTENDANCE),
    Column("sessions_excused", _l("请假"), group=ATTENDANCE),
    Column("sessions_absent", _l("缺席"), group=ATTENDANCE),
    Column("sessions_attended", _l("计为参学"), hidden=True),
    Column("sessions_counted", _l("计入参学率"), hidden=True),
    Column("attendance_rate", _l("参学率"), kind="rate", combine="ratio",
           ratio_of=("sessions_attended", "sessions_counted"), group=ATTENDANCE),
), _sessions)


# --- study plans and study hours ----------------------------------------------------------

PLANS = _l("学习计划")


def _in_audience(plan, user: User, roles: set[str]) -> bool:
    """The Python twin of plans.progress.audience_condition for a plan already loaded."""
    if plan.audience_all:
        return True
    department = user.department
    department_ids = {department.id, department.parent_id} if department else set()
    return any(row.user_id == user.id or (row.department_id and row.department_id in department_ids)
               or (row.role and row.role in roles) for row in plan.audience)


def _plans(scope: Scope) -> Figures:
    from sqlalchemy.orm import selectinload

    from lawlearn.plans.kinds import item_states
    from lawlearn.plans.models import Plan
    from lawlearn.plans.progress import hours_between
    from lawlearn.sessions.attendance import _people_query

    people_query = _people_query().where(User.active.is_(True))
    condition = scope.people_condition()
    if condition is not None:
        people_query = people_query.where(condition)
    people = list(db.session.scalars(people_query))
    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, role in db.session.execute(select(UserRole.user_id, UserRole.role).where(
            scope.user_filter(UserRole.user_id))):
        roles[user_id].add(role)

    # Plans running during the period; an item is due in the period when its due date (or,
    # without one, its plan's last day) falls in it.
    plans = list(db.session.scalars(
        select(Plan).where(Plan.status.in_(("published", "closed")),
                           Plan.starts_on <= scope.date_to, Plan.ends_on >= scope.date_from)
        .options(selectinload(Plan.items), selectinload(Plan.audience))))
    due_items = [item for plan in plans for item in plan.items if item.required
                 and scope.date_from <= (item.due_on or plan.ends_on) <= scope.date_to]
    user_ids = [p.id for p in people] if len(people) <= 900 else None
    states = item_states(due_items, user_ids, scope.now) if due_items and people else {}
    hours = hours_between(scope.date_from, scope.date_to, user_ids, scope.now)

    figures: Figures = {}
    for person in people:
        mine = roles.get(person.id, set())
        audience = [plan for plan in plans if _in_audience(plan, person, mine)]
        planned = {plan.id for plan in audience}
        due = [item for item in due_items if item.plan_id in planned]
        done = sum(1 for item in due if (state := states.get((item.id, person.id)))
                   and state.done)
        row = hours.get(person.id)
        figures[person.id] = {
            "items_due": len(due), "items_done": done,
            "hours_earned": row.total if row else 0.0,
            "hours_required": max((plan.required_hours for plan in audience), default=0.0)}
    # Hours of people no longer active (or moved out of scope) still count where they are.
    for user_id, row in hours.items():
        if user_id not in figures:
            figures[user_id] = {"hours_earned": row.total}
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


def _quizzes(scope: Scope) -> Figures:
    from lawlearn.quiz.models import Attempt

    start, end = scope.bounds
    rows = db.session.execute(
        select(Attempt.user_id, Attempt.quiz_id, Attempt.score, Attempt.max_score,
               Attempt.passed)
        .where(Attempt.submitted_at >= start, Attempt.submitted_at < end,
               scope.user_filter(Attempt.user_id)))
    taken: dict[int, set[int]] = defaultdict(set)
    passed: dict[int, set[int]] = defaultdict(set)
    scores: dict[int, list[float]] = defaultdict(list)
    for user_id, quiz_id, score, max_score, did_pass in rows:
        taken[user_id].add(quiz_id)
        if did_pass:
            passed[user_id].add(quiz_id)
        if max_score:
            scores[user_id].append(100 * float(score or 0) / float(max_score))
    figures: Figures = {}
    for user_id, quizzes in taken.items():
        mine = scores.get(user_id, [])
        figures[user_id] = {
            "quizzes_taken": len(quizzes), "quizzes_passed": len(passed.get(user_id, ())),
            "best_score": round(max(mine), 1) if mine else None,
            "score_sum": sum(mine), "scored_attempts": len(mine)}
    return figures


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
