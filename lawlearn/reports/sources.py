"""Where each figure of the participation report comes from: one source per domain.

A source declares its columns and collects them per person for a scope in a fixed number
of queries, whatever the number of people. A domain adds figures to every report, table
and export by adding its columns and its collector here, in one place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, case, cast, func, select, union_all
from sqlalchemy.orm import selectinload

from lawlearn.accounts.models import Role, UserRole
from lawlearn.extensions import db
from lawlearn.localtime import local_day
from lawlearn.plans.kind_base import owes
from lawlearn.reports.columns import Column
from lawlearn.reports.scope import Person, Scope, rows_of
from lawlearn.rounding import half_up
from lawlearn.sessions.attendance import Counts

Figures = dict[int, dict[str, Any]]  # user id → column key → value
@dataclass(frozen=True)
class Source:
    name: str
    columns: tuple[Column, ...]
    collect: Callable[[Scope], Figures]


# --- sessions -----------------------------------------------------------------------------

ATTENDANCE = _l("集中学法")


def _sessions(scope: Scope) -> Figures:
    """The records of the sessions a report counts (started in the period, not cancelled,
    check-in closed: see tables.counted_sessions), plus, at a session awaiting its closing,
    everyone expected without a record as absent (tables.awaiting_absent)."""
    from lawlearn.reports.tables import NO_RECORDS, attendance_by_person, awaiting_absent

    rule = scope.rule
    records = attendance_by_person(scope)
    missing: dict[int, int] = defaultdict(int)
    for user_ids in awaiting_absent(scope).values():
        for user_id in user_ids:
            missing[user_id] += 1
    figures: Figures = {}
    for user_id in records.keys() | missing.keys():
        present, late, excused, absent, pending, _hours = records.get(user_id, NO_RECORDS)
        tally = Counts(int(present), int(late), int(excused),
                       int(absent) + missing.get(user_id, 0), int(pending))
        figures[user_id] = {
            "sessions_expected": tally.expected, "sessions_present": tally.present,
            "sessions_late": tally.late, "sessions_excused": tally.excused,
            "sessions_absent": tally.absent, "sessions_pending": tally.pending,
            "sessions_attended": tally.attended(rule), "sessions_counted": tally.counted(rule)}
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
    department includes its sections; people and roles too; not one that ended before the
    person joined), from an index built once:
    a person's plans are found in a few dictionary lookups, not by testing every plan, and
    people of the same department and roles share one answer."""

    def __init__(self, plans: list, due_items: dict[int, list]) -> None:
        self.due_items = due_items
        self.everyone: list = []
        self.by_department: dict[int, list] = defaultdict(list)
        self.by_user: dict[int, list] = defaultdict(list)
        self.by_role: dict[str, list] = defaultdict(list)
        self._known: dict[tuple, tuple[frozenset[int], int, float]] = {}
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

    def of(self, user: Person, roles: tuple[str, ...]) -> tuple[frozenset[int], int, float]:
        """(the ids of the person's plans, their items due, the most hours one asks for)."""
        if Role.STAFF not in roles:  # no plan is for an account that does not study
            return frozenset(), 0, 0.0
        joined = local_day(user.joined_at)
        key = (user.department_id, roles, joined)
        shared = user.id not in self.by_user
        if shared and key in self._known:
            return self._known[key]
        found = {plan.id: plan for plan in self.everyone}
        department = user.department
        keys = [department.id, department.parent_id] if department is not None else []
        groups = [self.by_department.get(key, ()) for key in keys if key] \
            + [self.by_user.get(user.id, ())] + [self.by_role.get(role, ()) for role in roles]
        for group in groups:
            for plan in group:
                found[plan.id] = plan
        # Not a plan that ended before the person joined (plans.progress says the same).
        found = {plan_id: plan for plan_id, plan in found.items() if plan.ends_on >= joined}
        # Not an item due before they joined (plans.kind_base.owes).
        answer = (frozenset(found), sum(1 for plan_id in found
                                        for item in self.due_items.get(plan_id, ())
                                        if owes(item, joined)),
                  max((float(plan.required_hours or 0) for plan in found.values()),
                      default=0.0))
        if shared:
            self._known[key] = answer
        return answer


def _plans(scope: Scope) -> Figures:
    """Per person, from the plans running during the period (published or closed) that
    are for them: the required items due in the period and by today (an item without a due
    date is due on its plan's last day) and how many were done by the period's end (one done at no
    known moment counts as done); the most hours one of those plans asks for; and the
    hours earned: those of every item of those plans done in the period, by its ``done_at``
    (what the person did, not when a page noticed it), session items left out, plus the
    study hours of the counted sessions attended (present or late). An item done at no
    known moment cannot be placed in a period and earns no hours (no kind gives one today;
    counting it in every period would count it many times over). Items and hours required
    count only the people the period counts in full (Scope.counts_in_full: active, and
    here before the period ended); hours earned everyone in the scope (a person who left
    keeps the hours they earned while here)."""
    from lawlearn.plans.kinds import item_states
    from lawlearn.plans.models import Plan
    from lawlearn.reports.tables import NO_RECORDS, attendance_by_person

    everyone = scope.people()
    found: dict[int, list[str]] = defaultdict(list)
    for user_id, role in rows_of(select(UserRole.user_id, UserRole.role).where(
            scope.user_filter(UserRole.user_id))):
        found[user_id].append(role)
    roles = {user_id: tuple(sorted(mine)) for user_id, mine in found.items()}

    plans = list(db.session.scalars(
        select(Plan).where(Plan.status.in_(("published", "closed")),
                           Plan.starts_on <= scope.date_to, Plan.ends_on >= scope.date_from)
        .options(selectinload(Plan.items), selectinload(Plan.audience))
        .order_by(Plan.id)))
    start, end = scope.bounds
    # A period not over yet (this year, asked on 1 December) counts the items due by today:
    # one due on 31 December is not yet late, and counting it would lower the rate that
    # goes upward (the dashboard's 计划完成率 counts the same way).
    last_due = min(scope.date_to, local_day(scope.now))
    plan_of: dict[int, int] = {}  # item id → its plan's id, for the items the report reads
    due: set[int] = set()  # the items due in the period, by today
    due_items: dict[int, list] = defaultdict(list)  # plan id → its items due
    hours_of: dict[int, float] = {}  # item id → the hours it earns
    needed = []
    for plan in plans:
        for item in plan.items:
            is_due = item.required and scope.date_from <= (item.due_on or plan.ends_on) \
                <= last_due
            earns = float(item.hours or 0) if item.kind != "session" else 0.0
            if is_due:
                due.add(item.id)
                due_items[plan.id].append(item)
            if earns:
                hours_of[item.id] = earns
            if is_due or earns:
                plan_of[item.id] = plan.id
                needed.append(item)
    audiences = _Audiences(plans, due_items)
    items = {item.id: item for item in needed}
    joined = {person.id: local_day(person.joined_at) for person in everyone}
    mine = {person.id: audiences.of(person, roles.get(person.id, ())) for person in everyone}
    # Per person, of their own plans: items due done by the period's end, and the hours of
    # items done in the period.
    done: dict[int, int] = defaultdict(int)
    not_theirs: dict[int, int] = defaultdict(int)  # items due their kind says they do not owe
    earned: dict[int, float] = defaultdict(float)
    if needed and everyone:
        for (item_id, user_id), state in item_states(needed, scope.user_ids(),
                                                     scope.now).items():
            if state.status not in ("done", "not_owed"):
                continue
            entry = mine.get(user_id)
            if entry is None or plan_of[item_id] not in entry[0]:
                continue  # not in the scope, or not one of their plans
            if state.status == "not_owed":
                # A session their account came after (plans.kinds.SessionKind): counted
                # among the items due by joining day alone, it is not theirs.
                if item_id in due and owes(items[item_id], joined[user_id]):
                    not_theirs[user_id] += 1
                continue
            when = state.done_at
            if item_id in due and (when is None or when < end) \
                    and owes(items[item_id], joined[user_id]):
                done[user_id] += 1
            hours = hours_of.get(item_id)
            if hours and when is not None and start <= when < end:
                earned[user_id] += hours
    attendance = attendance_by_person(scope)

    figures: Figures = {}
    for person in everyone:
        hours = half_up(float(attendance.get(person.id, NO_RECORDS)[5] or 0)
                        + earned.get(person.id, 0.0))
        if not scope.counts_in_full(person):
            if hours:
                figures[person.id] = {"hours_earned": hours}
            continue
        _ids, items_due, hours_required = mine[person.id]
        items_due -= not_theirs.get(person.id, 0)
        figures[person.id] = {"items_due": items_due, "items_done": done.get(person.id, 0),
                              "hours_earned": hours, "hours_required": hours_required,
                              "people_owing": 1}
    return figures


PLAN_COLUMNS = Source("plans", (
    Column("items_due", _l("应完成事项"), group=PLANS),
    Column("items_done", _l("已完成事项"), group=PLANS),
    Column("items_rate", _l("完成率"), kind="rate", combine="ratio",
           ratio_of=("items_done", "items_due"), group=PLANS),
    # Plan items and sessions attended alike (the hours a plan's requirement is met with).
    Column("hours_earned", _l("已获学时（含学法活动）"), kind="hours", per_capita=True,
           group=PLANS),
    # Per person who owes the period's plans (not someone who left, or joined after it).
    Column("hours_required", _l("应修学时"), kind="hours", per_capita=True,
           heads="people_owing", group=PLANS),
    Column("people_owing", _l("应修人数"), hidden=True, group=PLANS),
), _plans)


# --- quizzes --------------------------------------------------------------------------------

QUIZZES = _l("在线测试")


def attempt_percent():
    """SQL: a submitted attempt's score as a percent of its maximum (NULL without one)."""
    from lawlearn.quiz.models import Attempt

    return case((Attempt.max_score > 0,
                 100.0 * func.coalesce(Attempt.score, 0) / Attempt.max_score))


def _quizzes(scope: Scope) -> Figures:
    """Attempts submitted in the period: distinct quizzes taken and passed (at least one
    passed attempt), the best attempt's score and the average over the attempts (percent
    of each attempt's maximum). One query."""
    from lawlearn.quiz.models import Attempt

    start, end = scope.bounds
    percent = attempt_percent()
    passed_quiz = case((Attempt.passed.is_(True), Attempt.quiz_id))
    # One level of grouping, one row a person: sums, counts and maxima over the attempts
    # are the same over the quizzes, and distinct quiz ids count quizzes taken and passed.
    rows = rows_of(
        select(Attempt.user_id, func.count(func.distinct(Attempt.quiz_id)),
               func.count(func.distinct(passed_quiz)), func.max(percent), func.sum(percent),
               func.count(percent))
        .where(Attempt.submitted_at >= start, Attempt.submitted_at < end,
               scope.user_filter(Attempt.user_id))
        .group_by(Attempt.user_id))
    return {user_id: {
        "quizzes_taken": taken, "quizzes_passed": int(passed or 0),
        "best_score": half_up(float(best)) if best is not None else None,
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


# --- items answered ------------------------------------------------------------------------

ANSWERED = _l("答题")


def _given(response_column):
    """SQL: an answer was given (a timed-out question keeps a JSON null, not SQL NULL)."""
    return and_(response_column.is_not(None), cast(response_column, String) != "null")


def _answered(scope: Scope) -> Figures:
    """Questions answered in the period (答题数, one of the annual report's figures): in
    quiz papers handed in, in daily practice and in challenge runs. One query."""
    from lawlearn.practice.models import ChallengeAnswer, ChallengeRun, DailySet, DailySetItem
    from lawlearn.quiz.models import Attempt, AttemptItem

    start, end = scope.bounds
    counts = (
        select(Attempt.user_id, func.count())
        .select_from(AttemptItem).join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.submitted_at >= start, Attempt.submitted_at < end,
               _given(AttemptItem.response), scope.user_filter(Attempt.user_id))
        .group_by(Attempt.user_id),
        select(DailySet.user_id, func.count())
        .select_from(DailySetItem).join(DailySet, DailySet.id == DailySetItem.set_id)
        .where(DailySetItem.answered_at >= start, DailySetItem.answered_at < end,
               _given(DailySetItem.response), scope.user_filter(DailySet.user_id))
        .group_by(DailySet.user_id),
        select(ChallengeRun.user_id, func.count())
        .select_from(ChallengeAnswer).join(ChallengeRun, ChallengeRun.id == ChallengeAnswer.run_id)
        .where(ChallengeAnswer.answered_at >= start, ChallengeAnswer.answered_at < end,
               _given(ChallengeAnswer.response), scope.user_filter(ChallengeRun.user_id))
        .group_by(ChallengeRun.user_id))
    figures: Figures = {}
    for user_id, count in rows_of(union_all(*counts)):  # one statement for the three
        mine = figures.setdefault(user_id, {"items_answered": 0})
        mine["items_answered"] += count
    return figures


ANSWERED_COLUMNS = Source("answered", (
    Column("items_answered", _l("答题数"), per_capita=True, group=ANSWERED),
), _answered)


# --- daily practice, reflections, points ----------------------------------------------------

DAILY = _l("日常学习")


def _practice(scope: Scope) -> Figures:
    from lawlearn.plans.models import Reflection
    from lawlearn.practice.models import DailySet, PointAward

    start, end = scope.bounds
    figures: Figures = defaultdict(dict)
    for user_id, days in rows_of(
            select(DailySet.user_id, func.count()).where(
                DailySet.completed_at.is_not(None), DailySet.hurried.is_(False),
                DailySet.day >= scope.date_from,
                DailySet.day <= scope.date_to, scope.user_filter(DailySet.user_id))
            .group_by(DailySet.user_id)):
        figures[user_id]["practice_days"] = days
    for user_id, accepted in rows_of(
            select(Reflection.user_id, func.count()).where(
                Reflection.status == "accepted", Reflection.reviewed_at >= start,
                Reflection.reviewed_at < end, scope.user_filter(Reflection.user_id))
            .group_by(Reflection.user_id)):
        figures[user_id]["reflections_accepted"] = accepted
    for user_id, points in rows_of(
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


SOURCES: tuple[Source, ...] = (SESSIONS, PLAN_COLUMNS, QUIZ_COLUMNS, ANSWERED_COLUMNS,
                               PRACTICE_COLUMNS)


def all_columns() -> list[Column]:
    return [column for source in SOURCES for column in source.columns]


def visible_columns() -> list[Column]:
    return [column for column in all_columns() if not column.hidden]
