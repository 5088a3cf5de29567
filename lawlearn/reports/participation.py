"""The participation report: per person, per department and for the whole scope, plus the
sessions, quizzes and outreach behind it. Plain functions, no HTTP.

Counting rules (the figures of the annual report rest on them):

- People are counted under the department they belong to now: someone who moved mid-year
  brings their whole year with them and is counted once, in their current department (a
  department's report for the year does not include people who have left it). Plans are
  matched to people by their current department and roles too.
- People are listed by department in the office's order (each unit followed by its
  sections, people without a department last), then by name and username.
- A unit's row rolls up its sections; a report on a unit includes its sections; a report on
  one section shows that section alone. A unit with sections listed has a 本级 row too (its
  people in none of its sections), so its sections and 本级 add up to it. People without a
  department are "未分配部门".
- Deactivated people, and people who joined (User.joined_at) after the period ended, appear
  (and count as people in per-capita figures) only when they have something in the
  period: an attendance record, hours, an attempt, practice days, an accepted reflection
  or points. Plan items due count the others only (Scope.counts_in_full): a past period's
  figures stay as they were when new staff join. Nobody owes an item due before the day
  they joined (plans.kind_base.owes), as no session that closed before then expects them.
  人均应修学时 is per person who owes the plans (those others), every other per-capita
  figure per person listed.
- Sessions: started in the period, not cancelled, and check-in closed
  (StudySession.closes_at ≤ now). A session still open for check-in is left out of every
  figure — people, departments, the sessions table, the totals, hence the exports and the
  dashboard — until its check-in closes (the pages say "签到结束后计入统计"). Once it has
  closed, a session not closed yet counts everyone expected without a record as absent.
  See lawlearn.sessions.attendance for how late arrivals and leave count under the
  attendance rule.
- Study hours: the hours of plan items done in the period, by the moment the item was
  done (not when a page first noticed it: a past period's figures do not change when
  someone visits the site later), items of the plans running in the period that are for
  the person, session items left out; plus the study hours of the counted sessions
  attended (present or late). See sources._plans.
- Rates are ratios of summed counts (never averages of rates), 0..1 or None; scores are
  percents 0..100 with one decimal, or None.

Every function runs a fixed number of queries whatever the number of people.
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

from flask_babel import gettext as _

from lawlearn.accounts.departments import (
    department_sort_key,
    own_staff_name,
    own_staff_sort_key,
    units_with_sections,
)
from lawlearn.accounts.models import Department, User
from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.i18n import display_date
from lawlearn.localtime import local_day
from lawlearn.quiz.services import settle_expired_attempts
from lawlearn.reports.columns import Column, GroupTotals
from lawlearn.reports.scope import Person, Scope
from lawlearn.reports.sources import SOURCES, Source, all_columns
from lawlearn.rounding import half_up
from lawlearn.sessions.attendance import AttendanceRule

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
    name_key: str = ""  # the pinyin order (User.name_key), for lists across departments


@dataclass
class DepartmentRow:
    department_id: int | None
    name: str
    is_section: bool
    people: int
    values: dict[str, Any]
    own_staff: bool = False  # a unit's 本级: its people outside its sections

    def per_capita(self, key: str) -> float | None:
        """The figure per head: everyone listed, or for a figure only some people owe (应修学时)
        those who owe it (see Column.heads)."""
        value = self.values.get(key)
        heads_key = _per_capita_heads().get(key)
        heads = self.people if heads_key is None else self.values.get(heads_key)
        return half_up(value / heads) if heads and value is not None else None


@cache
def _per_capita_heads() -> dict[str, str]:
    return {column.key: column.heads for column in all_columns() if column.heads}


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
    # Of the people in the report's scope, those the quiz was for (None: for nobody of
    # them, e.g. a session's exit quiz), and how many of those had taken it by its end.
    expected: int | None = None
    expected_takers: int = 0

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.takers if self.takers else None

    @property
    def take_rate(self) -> float | None:
        """参加率: of the people the quiz was for, the share who took it."""
        return self.expected_takers / self.expected if self.expected else None


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
        return self.department.full_name if self.department else _("全单位（全部部门）")

    @property
    def quizzes_expected(self) -> tuple[int, int]:
        """(应参测人次, of them taken): people × the quizzes of the table they were for."""
        listed = [quiz for quiz in self.quizzes if quiz.expected]
        return (sum(quiz.expected for quiz in listed),
                sum(quiz.expected_takers for quiz in listed))

    @property
    def quiz_take_rate(self) -> float | None:
        """参测率: of 应参测人次, the share taken."""
        expected, taken = self.quizzes_expected
        return taken / expected if expected else None


def check_period(date_from: date | None, date_to: date | None,
                 today: date | None = None) -> None:
    """The period rules every report shares; with ``today``, a period that has not begun
    is refused too (a report of next year would be all zeros, and a draft dated from it
    would say "2027年以来（截至2026年12月1日）")."""
    if date_from is None or date_to is None:
        raise ValidationFailed(_("请填写开始日期和结束日期。"), field="date_from")
    if today is not None and date_from > today:
        raise ValidationFailed(_("开始日期晚于今天（%(today)s），这段时间还没有可统计的数据。",
                                 today=display_date(today)), field="date_from")
    if date_to < date_from:
        raise ValidationFailed(_("结束日期不能早于开始日期。"), field="date_to")
    if (date_to - date_from).days > MAX_DAYS:
        raise ValidationFailed(_("统计期间不能超过五年。"), field="date_to")


def _defaults(columns: list[Column]) -> dict[str, Any]:
    """A person's figures before any source: sums 0, maxima None (ratios: see _finish)."""
    return {column.key: None if column.combine == "max" else
            0.0 if column.kind in ("hours", "score") else 0
            for column in columns if column.combine != "ratio"}


def _finish(values: dict[str, Any], columns: list[Column]) -> dict[str, Any]:
    """Every column's value: missing sums are 0, missing maxima None; ratios computed."""
    for column in columns:
        if column.combine == "ratio":
            values[column.key] = column.combined([values])
        elif values.get(column.key) is None:
            values[column.key] = None if column.combine == "max" else \
                0.0 if column.kind in ("hours", "score") else 0
    return values


def _figures_table(scope: Scope, sources: tuple[Source, ...], columns: list[Column]
                   ) -> dict[int, dict[str, Any]]:
    """Everyone in the scope → every column's value: one dict a person, filled by the
    sources in turn, then its ratios worked out (as Column.combined does for one person).
    Sources give no None for a summed figure."""
    defaults = _defaults(columns)
    table = {person.id: dict(defaults) for person in scope.people()}
    for source in sources:
        for user_id, values in source.collect(scope).items():
            row = table.get(user_id)
            if row is not None:
                row.update(values)
    ratios = [(column.key, *(column.ratio_of or ("", "")), column.kind == "score")
              for column in columns if column.combine == "ratio"]
    for values in table.values():
        for key, numerator, denominator, score in ratios:
            over = values.get(denominator) or 0
            if not over:
                values[key] = None
                continue
            ratio = (values.get(numerator) or 0) / over
            values[key] = half_up(ratio) if score else ratio
    return table


def _scope(date_from: date, date_to: date, department_id: int | None, now: datetime | None,
           rule: dict[str, Any] | AttendanceRule | None, user_id: int | None = None) -> Scope:
    now = now or utcnow()
    check_period(date_from, date_to, local_day(now))
    # An exam paper abandoned past its deadline counts as handed in, as the results page
    # has it (by the clock, whatever ``now`` the report is drawn at).
    settle_expired_attempts(utcnow())
    return Scope(date_from, date_to, department_id, now, AttendanceRule.from_config(rule),
                 user_id=user_id)


def _has_activity(values: dict[str, Any]) -> bool:
    return any(value for key, value in values.items() if key not in ("items_due", "hours_required"))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a report is built: it makes a few hundred
    thousand small objects (rows, each person's figures) that reference counting frees,
    and the collector's passes over them cost about a tenth of a large report's time. The
    collector resumes afterwards (unless something else had stopped it)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def build_report(date_from: date, date_to: date, *, department_id: int | None = None,
                 now: datetime | None = None,
                 rule: dict[str, Any] | AttendanceRule | None = None,
                 with_tables: bool = True, with_events: bool = True,
                 sources: tuple[str, ...] | None = None) -> ParticipationReport:
    """The report for the period and scope. ``with_tables`` adds the sessions, quizzes and
    outreach sheets (the exports need them); ``with_events`` the outreach events
    themselves. ``sources`` (names) limits the columns to what a caller shows: each source
    costs its queries, and a dashboard does not need them all."""
    scope = _scope(date_from, date_to, department_id, now, rule)
    department = None
    if department_id is not None:
        department = db.session.get(Department, department_id)
        if department is None:
            raise ValidationFailed(_("部门不存在。"), field="department")
    chosen = SOURCES if sources is None else tuple(s for s in SOURCES if s.name in sources)
    with _collector_paused():
        return _build(scope, department, chosen, with_tables, with_events)


def _build(scope: Scope, department: Department | None, chosen: tuple[Source, ...],
           with_tables: bool, with_events: bool) -> ParticipationReport:
    """The report's rows and tables for a checked scope (see build_report)."""
    department_id = scope.department_id
    columns = [column for source in chosen for column in source.columns]
    table = _figures_table(scope, chosen, columns)

    people: list[PersonRow] = []
    users: dict[int, Person] = {}
    names: dict[int | None, str] = {}  # department id → its full name, worked out once
    for user in scope.people():
        values = table[user.id]
        if not scope.counts_in_full(user) and not _has_activity(values):
            continue
        users[user.id] = user
        name = names.get(user.department_id)
        if name is None:
            name = names[user.department_id] = user.department.full_name \
                if user.department is not None else _("未分配部门")
        people.append(PersonRow(user.id, user.name, user.username, user.department_id, name,
                                user.active, values, user.name_key))

    departments, total = _by_department(people, users, department_id, columns)
    report = ParticipationReport(scope.date_from, scope.date_to, department, scope.rule,
                                 scope.now, columns, people, departments, total)
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
    sections' people, unless the report is about one section alone. Each person is added
    once, to their own department; units and the total then take in whole departments."""
    members: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    known: dict[int | None, Department | None] = {}
    for person in people:
        department = users[person.user_id].department
        key = department.id if department is not None else None
        if key not in known:
            known[key] = department
        members[key].append(person.values)
    own: dict[int | None, GroupTotals] = {}
    for key, values in members.items():
        own[key] = GroupTotals(columns)
        own[key].add_all(values)
    groups: dict[int | None, GroupTotals] = {}
    total = GroupTotals(columns)
    for key, group in own.items():
        department = known[key]
        targets = [department]
        if department is not None and department.parent is not None \
                and department.id != department_id:
            targets.append(department.parent)
        for target in targets:
            target_key = target.id if target is not None else None
            if target_key not in groups:
                known[target_key] = target
                groups[target_key] = GroupTotals(columns)
            groups[target_key].merge(group)
        total.merge(group)
    rows = []
    for key, group in groups.items():
        target = known[key]
        rows.append((department_sort_key(target), DepartmentRow(
            key, target.full_name if target else _("未分配部门"),
            bool(target and target.parent_id), group.people, group.values())))
    # A unit's own people (本级) beside its sections, so that the sections add up to the unit.
    for key in units_with_sections(known.values(), department_id) & own.keys():
        unit = known[key]
        rows.append((own_staff_sort_key(unit), DepartmentRow(
            key, own_staff_name(unit), True, own[key].people, own[key].values(), own_staff=True)))
    rows.sort(key=lambda item: item[0])
    return ([row for _key, row in rows],
            DepartmentRow(department_id, _("合计"), False, total.people, total.values()))


def my_figures(user: User, date_from: date, date_to: date, *,
               now: datetime | None = None,
               rule: dict[str, Any] | AttendanceRule | None = None) -> dict[str, Any]:
    """One person's figures (我的学法档案), the same as their row in any report."""
    scope = _scope(date_from, date_to, None, now, rule, user_id=user.id)
    columns = all_columns()
    return _figures_table(scope, SOURCES, columns).get(user.id) \
        or _finish({}, columns)
