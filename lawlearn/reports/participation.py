"""The participation report: per person, per department and for the whole scope, plus the
sessions, quizzes and outreach behind it. Plain functions, no HTTP.

People are counted under the department they belong to now: someone who moved mid-year
brings their whole year with them, and is counted once. Deactivated people appear only
when they have something in the period. Every function runs a fixed number of queries
whatever the number of people.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from lawlearn.accounts.models import Department, User
from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.reports.columns import Column
from lawlearn.reports.sources import SOURCES, Scope, all_columns
from lawlearn.sessions.attendance import AttendanceRule, _department_sort_key, _people_query

MAX_DAYS = 366 * 5


@dataclass
class PersonRow:
    user_id: int
    name: str
    username: str
    department_id: int | None
    department: str
    active: bool
    values: dict[str, Any]


@dataclass
class DepartmentRow:
    department_id: int | None
    name: str
    is_section: bool
    people: int
    values: dict[str, Any]

    def per_capita(self, key: str) -> float | None:
        value = self.values.get(key)
        return round(value / self.people, 1) if self.people and value is not None else None


@dataclass
class SessionRow:
    session_id: int
    title: str
    kind: str
    starts_at: datetime
    expected: int
    present: int
    late: int
    excused: int
    absent: int
    rate: float | None


@dataclass
class QuizRow:
    quiz_id: int
    title: str
    is_exam: bool
    takers: int
    passed: int
    attempts: int
    average_score: float | None

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.takers if self.takers else None


@dataclass
class ParticipationReport:
    date_from: date
    date_to: date
    department: Department | None
    rule: AttendanceRule
    generated_at: datetime
    columns: list[Column]
    people: list[PersonRow]
    departments: list[DepartmentRow]
    total: DepartmentRow
    sessions: list[SessionRow] = field(default_factory=list)
    quizzes: list[QuizRow] = field(default_factory=list)
    outreach: Any = None  # an OutreachSection

    @property
    def visible_columns(self) -> list[Column]:
        return [column for column in self.columns if not column.hidden]

    @property
    def scope_name(self) -> str:
        return self.department.full_name if self.department else _("全区政府办（全部部门）")


def check_period(date_from: date | None, date_to: date | None) -> None:
    if date_from is None or date_to is None:
        raise ValidationFailed(_("请填写开始日期和结束日期。"), field="date_from")
    if date_to < date_from:
        raise ValidationFailed(_("结束日期不能早于开始日期。"), field="date_to")
    if (date_to - date_from).days > MAX_DAYS:
        raise ValidationFailed(_("统计期间不能超过五年。"), field="date_to")


def person_figures(scope: Scope) -> dict[int, dict[str, Any]]:
    """Every source's figures per person, ratios worked out per person."""
    figures: dict[int, dict[str, Any]] = defaultdict(dict)
    for source in SOURCES:
        for user_id, values in source.collect(scope).items():
            figures[user_id].update(values)
    return figures


def _finish(values: dict[str, Any], columns: list[Column]) -> dict[str, Any]:
    """Fill missing counts with 0 and compute the ratio columns."""
    for column in columns:
        if column.combine == "ratio":
            values[column.key] = column.combined([values])
        elif values.get(column.key) is None and column.combine == "sum":
            values[column.key] = 0.0 if column.kind in ("hours", "score") else 0
    return values


def _has_activity(values: dict[str, Any]) -> bool:
    return any(value for key, value in values.items() if key not in ("items_due", "hours_required"))


def _group(name: str, department_id: int | None, is_section: bool,
           members: list[dict[str, Any]], columns: list[Column]) -> DepartmentRow:
    values = {column.key: column.combined(members) for column in columns}
    return DepartmentRow(department_id, name, is_section, len(members), values)


def build_report(date_from: date, date_to: date, *, department_id: int | None = None,
                 now: datetime | None = None,
                 rule: dict[str, Any] | AttendanceRule | None = None,
                 with_tables: bool = True) -> ParticipationReport:
    """The report for the period and scope. ``with_tables`` adds the sessions, quizzes and
    outreach sheets (the exports need them; a page of people does not)."""
    check_period(date_from, date_to)
    department = None
    if department_id is not None:
        department = db.session.get(Department, department_id)
        if department is None:
            raise ValidationFailed(_("部门不存在。"), field="department")
    now = now or utcnow()
    scope = Scope(date_from, date_to, department_id, now, AttendanceRule.from_config(rule))
    columns = all_columns()
    figures = person_figures(scope)

    people_query = _people_query().order_by(User.name, User.username)
    condition = scope.people_condition()
    if condition is not None:
        people_query = people_query.where(condition)
    people: list[PersonRow] = []
    users: dict[int, User] = {}
    for user in db.session.scalars(people_query):
        values = _finish(dict(figures.get(user.id, {})), columns)
        if not user.active and not _has_activity(figures.get(user.id, {})):
            continue
        users[user.id] = user
        people.append(PersonRow(user.id, user.name, user.username, user.department_id,
                                user.department.full_name if user.department else _("未分配部门"),
                                user.active, values))

    departments = _by_department(people, users, department_id, columns)
    total = _group(_("合计"), department_id, False, [p.values for p in people], columns)
    report = ParticipationReport(date_from, date_to, department, scope.rule, now, columns,
                                 people, departments, total)
    if with_tables:
        from lawlearn.reports.tables import outreach_section, quiz_rows, session_rows

        report.sessions = session_rows(scope)
        report.quizzes = quiz_rows(scope)
        report.outreach = outreach_section(scope)
    return report


def _by_department(people: list[PersonRow], users: dict[int, User], department_id: int | None,
                   columns: list[Column]) -> list[DepartmentRow]:
    """Each department's people combined; a unit's row includes its sections' people,
    unless the report is about one section alone."""
    members: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    known: dict[int | None, Department | None] = {}
    for person in people:
        department = users[person.user_id].department
        targets = [department]
        if department is not None and department.parent is not None \
                and department.id != department_id:
            targets.append(department.parent)
        for target in targets:
            key = target.id if target else None
            known[key] = target
            members[key].append(person.values)
    rows = []
    for key in sorted(known, key=lambda k: _department_sort_key(known[k])):
        target = known[key]
        rows.append(_group(target.full_name if target else _("未分配部门"), key,
                           bool(target and target.parent_id), members[key], columns))
    return rows


def my_figures(user: User, date_from: date, date_to: date, *,
               now: datetime | None = None) -> dict[str, Any]:
    """One person's figures (我的学法档案), the same as their row in any report."""
    check_period(date_from, date_to)
    now = now or utcnow()
    scope = Scope(date_from, date_to, None, now, AttendanceRule.from_config(), user_id=user.id)
    columns = all_columns()
    values: dict[str, Any] = {}
    for source in SOURCES:
        values.update(source.collect(scope).get(user.id, {}))
    return _finish(values, columns)
