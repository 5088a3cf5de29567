"""Absentees of a session and attendance rates over a period. Plain functions, no HTTP.

Which sessions count for a person: those in the period that are not cancelled and have
started. A session's records are the truth once it is closed (closing wrote an ``absent``
row for everyone expected then); a session whose check-in has closed but which is not
closed yet counts everyone expected now without a record as absent; a session still open
counts only the records made so far.

Every function loads what it needs in a fixed number of queries, whatever the number of
people or sessions, and does the arithmetic in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, lazyload, selectinload

from lawlearn.accounts.departments import (
    department_sort_key,
    own_staff_name,
    own_staff_sort_key,
    units_with_sections,
)
from lawlearn.accounts.models import Department, User, studies_condition
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.localtime import day_bounds, local_day
from lawlearn.sessions.expected import audience_condition, expected_until, is_expected_loaded
from lawlearn.sessions.models import ATTENDANCE_STATUSES, Attendance, StudySession, checkin_closes

EXCUSED_COUNTS = ("present", "excluded", "absent")
DEFAULT_RULE = {"late_counts_as_present": True, "excused_counts": "excluded"}


# --- the counting rule --------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceRule:
    """How late arrivals and approved leave count in a rate.

    ``excused_counts``: ``"present"`` (leave counts as attending), ``"excluded"`` (the
    session leaves the denominator) or ``"absent"``.
    """

    late_counts_as_present: bool = True
    excused_counts: str = "excluded"

    @classmethod
    def from_config(cls, override: dict[str, Any] | AttendanceRule | None = None) -> AttendanceRule:
        if isinstance(override, AttendanceRule):
            return override
        values = {**DEFAULT_RULE, **(current_app.config.get("ATTENDANCE_RULE") or {}),
                  **(override or {})}
        excused = values["excused_counts"]
        if excused not in EXCUSED_COUNTS:
            raise ValueError(f"ATTENDANCE_RULE excused_counts must be one of {EXCUSED_COUNTS}, "
                             f"not {excused!r}")
        return cls(bool(values["late_counts_as_present"]), excused)


@dataclass
class Counts:
    """How many of the counted sessions a person (or a group) attended, and how."""

    present: int = 0
    late: int = 0
    excused: int = 0
    absent: int = 0
    pending: int = 0  # checked in, exit quiz not passed yet: in no rate

    def add(self, status: str, n: int = 1) -> None:
        if status == "pending_quiz":
            self.pending += n
        elif status in ("present", "late", "excused", "absent"):
            setattr(self, status, getattr(self, status) + n)

    def add_counts(self, other: Counts) -> None:
        for name in ("present", "late", "excused", "absent", "pending"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def expected(self) -> int:
        return self.present + self.late + self.excused + self.absent + self.pending

    def attended(self, rule: AttendanceRule) -> int:
        return (self.present + (self.late if rule.late_counts_as_present else 0)
                + (self.excused if rule.excused_counts == "present" else 0))

    def counted(self, rule: AttendanceRule) -> int:
        """The denominator of the rate."""
        return (self.present + self.late + self.absent
                + (0 if rule.excused_counts == "excluded" else self.excused))

    def rate(self, rule: AttendanceRule) -> float | None:
        """attended / counted, 0..1; ``None`` when nothing counts."""
        counted = self.counted(rule)
        return self.attended(rule) / counted if counted else None


@dataclass
class PersonAttendance:
    user_id: int
    name: str
    username: str
    department_id: int | None
    department: str | None
    active: bool
    counts: Counts = field(default_factory=Counts)
    rate: float | None = None


@dataclass
class DepartmentAttendance:
    department_id: int | None
    name: str
    is_section: bool
    people: int = 0
    counts: Counts = field(default_factory=Counts)
    rate: float | None = None
    own_staff: bool = False  # a unit's 本级: its people outside its sections


@dataclass
class AttendanceSummary:
    date_from: date
    date_to: date
    rule: AttendanceRule
    people: list[PersonAttendance]
    departments: list[DepartmentAttendance]
    total: Counts
    rate: float | None
    sessions: int  # sessions counted (in the period, not cancelled, check-in closed)


# --- periods ------------------------------------------------------------------------------


def local_today(now: datetime | None = None) -> date:
    """Today in the configured time zone (``now`` is naive UTC)."""
    return local_day(now or utcnow())


def this_year(now: datetime | None = None) -> tuple[date, date]:
    today = local_today(now)
    return date(today.year, 1, 1), date(today.year, 12, 31)


def period_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """Local dates (both included) as naive UTC bounds [start, end)."""
    return day_bounds(date_from, date_to)


def _in_period(date_from: date, date_to: date, now: datetime) -> list:
    """Conditions on StudySession: in the period, not cancelled, started."""
    start, end = period_bounds(date_from, date_to)
    return [StudySession.starts_at >= start, StudySession.starts_at < end,
            StudySession.starts_at <= now, StudySession.cancelled_at.is_(None)]


def _counted(date_from: date, date_to: date, now: datetime) -> list:
    """The sessions the rates count: those of ``_in_period`` whose check-in has closed, as
    in every report (reports.tables.counted_sessions: 签到结束后计入统计). A session still
    open counts for nobody yet, so a person marked early does not get one more session
    than everyone else, nor a different total here than in their 学法档案."""
    return [*_in_period(date_from, date_to, now), checkin_closes() <= now]


# --- people and their departments ------------------------------------------------------


def _people_query():
    """Users with their department and its unit in one query (roles not needed)."""
    parent = aliased(Department)
    return (select(User).outerjoin(User.department)
            .outerjoin(parent, Department.parent_id == parent.id)
            .options(contains_eager(User.department).contains_eager(Department.parent, alias=parent),
                     lazyload(User.role_rows)))


# --- rates over a period ------------------------------------------------------------------


def _scope_condition(user_ids: list[int] | None, department_id: int | None):
    """The people named, or the people who study (the 干部职工 role) in the department or
    the office, as every report counts them."""
    if user_ids is not None:
        return User.id.in_(user_ids)
    if department_id is not None:
        sections = select(Department.id).where(Department.parent_id == department_id)
        return and_(studies_condition(), or_(User.department_id == department_id,
                                             User.department_id.in_(sections)))
    return studies_condition()


def attendance_summary(*, user_ids: list[int] | None = None, department_id: int | None = None,
                       date_from: date, date_to: date,
                       rule: dict[str, Any] | AttendanceRule | None = None,
                       now: datetime | None = None) -> AttendanceSummary:
    """Per person and per department (a unit rolls up its sections) over a period.

    Scope: the people in ``user_ids``, or in ``department_id`` and its sections, or
    everyone. Inactive people are listed only when they have something counted.
    """
    rule = AttendanceRule.from_config(rule)
    now = now or utcnow()
    scope = _scope_condition(user_ids, department_id)
    in_period = _counted(date_from, date_to, now)

    people_query = _people_query().order_by(User.name_key, User.name, User.username)
    records = (select(Attendance.user_id, Attendance.status, func.count())
               .join(StudySession, StudySession.id == Attendance.session_id)
               .join(User, User.id == Attendance.user_id)
               .where(*in_period).group_by(Attendance.user_id, Attendance.status))
    sessions = select(func.count()).select_from(StudySession).where(*in_period)
    if scope is not None:
        people_query = people_query.where(scope)
        records = records.where(scope)
    users = list(db.session.scalars(people_query))
    counts: dict[int, Counts] = defaultdict(Counts)
    for user_id, status, n in db.session.execute(records):
        counts[user_id].add(status, n)
    _add_awaiting_close(users, counts, in_period, now)
    session_total = db.session.scalar(sessions) or 0

    people: list[PersonAttendance] = []
    for user in users:
        tally = counts.get(user.id, Counts())
        if not user.active and not tally.expected:
            continue
        department = user.department
        people.append(PersonAttendance(
            user.id, user.name, user.username, user.department_id,
            department.full_name if department else None, user.active, tally,
            tally.rate(rule)))
    total = Counts()
    for person in people:
        total.add_counts(person.counts)
    departments = _by_department(users, people, department_id, rule)
    return AttendanceSummary(date_from, date_to, rule, people, departments, total,
                             total.rate(rule), session_total)


def _add_awaiting_close(users: list[User], counts: dict[int, Counts], in_period: list,
                        now: datetime) -> None:
    """Sessions whose check-in has closed but which are not closed yet: everyone expected
    without a record is absent. Usually none (pages close ended sessions first)."""
    awaiting = list(db.session.scalars(
        select(StudySession).options(selectinload(StudySession.audience))
        .where(*in_period, StudySession.closed_at.is_(None), checkin_closes() <= now)))
    if not awaiting:
        return
    recorded: dict[int, set[int]] = defaultdict(set)
    for session_id, user_id in db.session.execute(select(
            Attendance.session_id, Attendance.user_id).where(
            Attendance.session_id.in_([s.id for s in awaiting]))):
        recorded[session_id].add(user_id)
    for session in awaiting:
        department_ids = {a.department_id for a in session.audience if a.department_id}
        person_ids = {a.user_id for a in session.audience if a.user_id}
        for user in users:
            if (user.active and user.id not in recorded[session.id]
                    and is_expected_loaded(user, department_ids, person_ids, session.audience_all,
                                           session.closes_at, expected_until(session))):
                counts[user.id].absent += 1


def _by_department(users: list[User], people: list[PersonAttendance],
                   department_id: int | None, rule: AttendanceRule) -> list[DepartmentAttendance]:
    """Each department's people summed; a unit's row includes its sections' people, and a
    unit with sections listed has a 本级 row of its own people too."""
    departments = {user.id: user.department for user in users}
    rows: dict[int | None, tuple[tuple, DepartmentAttendance]] = {}
    own_rows: dict[int, tuple[tuple, DepartmentAttendance]] = {}
    # Of the people listed (not someone deactivated with nothing counted), as the report.
    sectioned = units_with_sections({departments[p.user_id] for p in people}, department_id)

    def row(department: Department | None) -> DepartmentAttendance:
        key = department.id if department else None
        if key not in rows:
            rows[key] = (department_sort_key(department), DepartmentAttendance(
                key, department.full_name if department else _("未分配部门"),
                bool(department and department.parent_id)))
        return rows[key][1]

    def own_row(unit: Department) -> DepartmentAttendance:
        if unit.id not in own_rows:
            own_rows[unit.id] = (own_staff_sort_key(unit), DepartmentAttendance(
                unit.id, own_staff_name(unit), True, own_staff=True))
        return own_rows[unit.id][1]

    for person in people:
        department = departments[person.user_id]
        targets = [row(department)]
        # Roll a section up into its unit, unless the report is about the section alone.
        if department is not None and department.parent is not None \
                and department.id != department_id:
            targets.append(row(department.parent))
        elif department is not None and department.id in sectioned:
            targets.append(own_row(department))
        for entry in targets:
            entry.people += 1
            entry.counts.add_counts(person.counts)
    ordered = sorted([*rows.values(), *own_rows.values()], key=lambda item: item[0])
    for _key, entry in ordered:
        entry.rate = entry.counts.rate(rule)
    return [entry for _key, entry in ordered]


# --- one person's own record --------------------------------------------------------------


@dataclass
class RecordEntry:
    session: StudySession
    status: str  # an attendance status, or "open" while check-in is still open
    counted: bool = True  # False while check-in is open: in no figure yet


@dataclass
class PersonalRecord:
    date_from: date
    date_to: date
    rule: AttendanceRule
    entries: list[RecordEntry]
    counts: Counts
    rate: float | None


def my_record(user: User, date_from: date, date_to: date, *,
              rule: dict[str, Any] | AttendanceRule | None = None,
              now: datetime | None = None) -> PersonalRecord:
    """The sessions of the period that count for ``user``, latest first, with the status of
    each and the rate; one query. Counts agree with :func:`attendance_summary`."""
    rule = AttendanceRule.from_config(rule)
    now = now or utcnow()
    mine = and_(Attendance.session_id == StudySession.id, Attendance.user_id == user.id)
    start, end = period_bounds(date_from, date_to)
    rows = db.session.execute(
        select(StudySession, Attendance.status)
        .outerjoin(Attendance, mine)
        .options(joinedload(StudySession.kind))
        .where(StudySession.starts_at >= start, StudySession.starts_at < end,
               StudySession.cancelled_at.is_(None),
               # Started and mine to attend, or recorded already: leave approved for a
               # session still to come shows with the rest (in no figure until it closes).
               or_(Attendance.id.is_not(None),
                   and_(StudySession.starts_at <= now, audience_condition(user))))
        .order_by(StudySession.starts_at.desc(), StudySession.id.desc())).all()
    entries, counts = [], Counts()
    for session, status in rows:
        if status is None:
            if session.closed_at is not None or not user.active:
                continue  # not expected when the session was closed
            status = "absent" if session.closes_at <= now else "open"
        counted = session.closes_at <= now  # once check-in has closed (see _counted)
        entries.append(RecordEntry(session, status, counted))
        if counted:
            counts.add(status)
    return PersonalRecord(date_from, date_to, rule, entries, counts, counts.rate(rule))


def status_label(status: str) -> str:
    if status == "open":
        return _("签到中")
    return str(ATTENDANCE_STATUSES.get(status, status))


def rule_clauses(rule: AttendanceRule) -> tuple[str, str]:
    """How late arrivals and approved leave count, in the glossary's words: the one
    wording every page, export and draft uses."""
    late = _("迟到计为参学") if rule.late_counts_as_present else _("迟到不计为参学")
    excused = {"present": _("经批准请假计为参学"),
               "excluded": _("经批准请假的场次不计入参学率的分母"),
               "absent": _("经批准请假计为缺席")}[rule.excused_counts]
    return late, excused


def rule_description(rule: AttendanceRule) -> str:
    """The rule in words, shown under every rate."""
    late, excused = rule_clauses(rule)
    # 人次 (one person at one session is one), as the dashboard says: a department's
    # 应参学 231 is person-sessions, not the 7 sessions held.
    return _("参学率 = 计为参学的人次 ÷ 计入参学率的人次（一人参加一场计一人次）；%(late)s，%(excused)s。",
             late=late, excused=excused)
