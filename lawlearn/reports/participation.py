"""The participation report: per person, per department and for the whole scope, plus the
sessions, quizzes and outreach behind it. Plain functions, no HTTP.

Counting rules (the figures of the annual report rest on them):

- People are counted under the department they belong to now: someone who moved mid-year
  brings their whole year with them and is counted once, in their current department (a
  department's report for the year does not include people who have left it). Plans are
  matched to people by their current department and roles too.
- A unit's row rolls up its sections; a report on a unit includes its sections; a report on
  one section shows that section alone. People without a department are "未分配部门".
- Deactivated people appear (and count as people in per-capita figures) only when they
  have something in the period: an attendance record, hours, an attempt, practice days,
  an accepted reflection or points. Plans count only active people.
- Sessions: started, not cancelled, in the period; see lawlearn.sessions.attendance for
  how late arrivals and leave count under the attendance rule.
- Rates are ratios of summed counts (never averages of rates), 0..1 or None; scores are
  percents 0..100 with one decimal, or None.

Every function runs a fixed number of queries whatever the number of people.
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
from lawlearn.reports.columns import Column, GroupTotals
from lawlearn.reports.sources import SOURCES, Person, Scope, Source, all_columns
from lawlearn.sessions.attendance import AttendanceRule, _department_sort_key

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
    # Checked in, exit quiz not passed yet: in ``expected``, in no rate.
    pending: int = 0


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


def person_figures(scope: Scope, sources: tuple[Source, ...] = SOURCES
                   ) -> dict[int, dict[str, Any]]:
    """The sources' figures per person (ratios are worked out by ``_finish``)."""
    figures: dict[int, dict[str, Any]] = defaultdict(dict)
    for source in sources:
        for user_id, values in source.collect(scope).items():
            figures[user_id].update(values)
    return figures


def _finish(values: dict[str, Any], columns: list[Column]) -> dict[str, Any]:
    """Every column's value: missing sums are 0, missing maxima None; ratios computed."""
    for column in columns:
        if column.combine == "ratio":
            values[column.key] = column.combined([values])
        elif values.get(column.key) is None:
            values[column.key] = None if column.combine == "max" else \
                0.0 if column.kind in ("hours", "score") else 0
    return values


def _scope(date_from: date, date_to: date, department_id: int | None, now: datetime | None,
           rule: dict[str, Any] | AttendanceRule | None, user_id: int | None = None) -> Scope:
    check_period(date_from, date_to)
    return Scope(date_from, date_to, department_id, now or utcnow(),
                 AttendanceRule.from_config(rule), user_id=user_id)


def _has_activity(values: dict[str, Any]) -> bool:
    return any(value for key, value in values.items() if key not in ("items_due", "hours_required"))


def build_report(date_from: date, date_to: date, *, department_id: int | None = None,
                 now: datetime | None = None,
                 rule: dict[str, Any] | AttendanceRule | None = None,
                 with_tables: bool = True, with_events: bool = True,
                 sources: tuple[str, ...] | None = None) -> ParticipationReport:
    """The report for the period and scope. ``with_tables`` adds the sessions, quizzes and
    outreach sheets (the exports need them); ``with_events`` the outreach events
    themselves. ``sources`` (names) limits the columns to what a caller shows: each source
    costs its queries, and a dashboard does not need them all."""
    check_period(date_from, date_to)
    department = None
    if department_id is not None:
        department = db.session.get(Department, department_id)
        if department is None:
            raise ValidationFailed(_("部门不存在。"), field="department")
    scope = _scope(date_from, date_to, department_id, now, rule)
    chosen = SOURCES if sources is None else tuple(s for s in SOURCES if s.name in sources)
    columns = [column for source in chosen for column in source.columns]
    figures = person_figures(scope, chosen)

    people: list[PersonRow] = []
    users: dict[int, Person] = {}
    for user in scope.people():
        mine = figures.get(user.id, {})
        if not user.active and not _has_activity(mine):
            continue
        users[user.id] = user
        people.append(PersonRow(user.id, user.name, user.username, user.department_id,
                                user.department.full_name if user.department else _("未分配部门"),
                                user.active, _finish(dict(mine), columns)))

    departments, total = _by_department(people, users, department_id, columns)
    report = ParticipationReport(date_from, date_to, department, scope.rule, scope.now,
                                 columns, people, departments, total)
    if with_tables:
        from lawlearn.reports.tables import outreach_section, quiz_rows, session_rows

        report.sessions = session_rows(scope)
        report.quizzes = quiz_rows(scope)
        report.outreach = outreach_section(scope, with_events=with_events)
    return report


def _by_department(people: list[PersonRow], users: dict[int, Person],
                   department_id: int | None, columns: list[Column]
                   ) -> tuple[list[DepartmentRow], DepartmentRow]:
    """Each department's people combined, and the total; a unit's row includes its
    sections' people, unless the report is about one section alone."""
    groups: dict[int | None, GroupTotals] = {}
    known: dict[int | None, Department | None] = {}
    total = GroupTotals(columns)
    for person in people:
        department = users[person.user_id].department
        targets = [department]
        if department is not None and department.parent is not None \
                and department.id != department_id:
            targets.append(department.parent)
        for target in targets:
            key = target.id if target else None
            if key not in groups:
                known[key] = target
                groups[key] = GroupTotals(columns)
            groups[key].add(person.values)
        total.add(person.values)
    rows = []
    for key in sorted(known, key=lambda k: _department_sort_key(known[k])):
        target = known[key]
        rows.append(DepartmentRow(key, target.full_name if target else _("未分配部门"),
                                  bool(target and target.parent_id), groups[key].people,
                                  groups[key].values()))
    return rows, DepartmentRow(department_id, _("合计"), False, total.people, total.values())


def my_figures(user: User, date_from: date, date_to: date, *,
               now: datetime | None = None,
               rule: dict[str, Any] | AttendanceRule | None = None) -> dict[str, Any]:
    """One person's figures (我的学法档案), the same as their row in any report."""
    scope = _scope(date_from, date_to, None, now, rule, user_id=user.id)
    return _finish(person_figures(scope).get(user.id, {}), all_columns())
