"""What a report covers (``Scope``) and who is in it (``Person``), shared by the figure
sources, the report's tables and the dashboard."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import selectinload

from lawlearn.accounts.departments import department_sort_key
from lawlearn.accounts.models import Department, User, studies_condition
from lawlearn.extensions import db
from lawlearn.localtime import day_bounds
from lawlearn.sessions.attendance import AttendanceRule

MAX_IN_LIST = 900  # ids in one IN (...) list; past this a subquery or no filter is used


def rows_of(statement) -> list:
    """The rows of a statement of plain columns, read at once through the session's
    connection: no ORM row handling, which costs more than the query itself on the tens of
    thousands of rows a report reads. Pending changes are flushed first, as a session query
    would."""
    db.session.flush()
    return db.session.connection().execute(statement).all()


@dataclass(frozen=True, slots=True)
class Person:
    """What a report needs of a user (the attributes share User's names)."""

    id: int
    name: str
    username: str
    active: bool
    department_id: int | None
    department: Department | None
    joined_at: datetime  # naive UTC, when the person joined (User.joined_at)
    created_at: datetime  # when the account was made (sessions before it expect no one)
    name_key: str = ""  # the pinyin order (User.name_key)


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
        """SQL condition on User for the scope: one person's own record, or the people who
        study (the 干部职工 role) in the office or the department."""
        if self.user_id is not None:
            return User.id == self.user_id
        if self.department_id is None:
            return studies_condition()
        return and_(studies_condition(), User.department_id.in_(self.department_ids()))

    def user_filter(self, column):
        """SQL: ``column`` (a user id) belongs to someone in the scope. For the whole office,
        "not one of the few accounts that do not study" (one small query, kept): an IN over
        everyone who does would cost every large table a lookup per row (0.7 s → 0.9 s for
        a year at 5,000 staff)."""
        if self.user_id is not None:
            return column == self.user_id
        if self.department_id is None:
            if "others" not in self._cache:
                self._cache["others"] = list(db.session.scalars(
                    select(User.id).where(~studies_condition())))
            others = self._cache["others"]
            return column.not_in(others) if others else true()
        return column.in_(select(User.id).where(self.people_condition()))

    def people(self) -> list[Person]:
        """Everyone in the scope, active or not, with their department and its unit: by
        department in the office's order (each unit followed by its sections, people
        without a department last), then by name and username; two light queries
        (columns, not User objects), shared by the sources and the report."""
        if "people" not in self._cache:
            departments = {department.id: department for department in db.session.scalars(
                select(Department).options(selectinload(Department.parent)))}
            order = {key: department_sort_key(department)
                     for key, department in departments.items()}
            query = select(User.id, User.name, User.username, User.active,
                           User.department_id, User.joined_at, User.created_at, User.name_key
                           ).order_by(User.name_key, User.name, User.username, User.id)
            query = query.where(self.people_condition())
            people = [Person(user_id, name, username, active, department_id,
                             departments.get(department_id) if department_id else None,
                             joined_at, created_at, name_key)
                      for user_id, name, username, active, department_id, joined_at,
                      created_at, name_key in rows_of(query)]
            nowhere = department_sort_key(None)
            people.sort(key=lambda person: order.get(person.department_id, nowhere))
            self._cache["people"] = people
        return self._cache["people"]

    def counts_in_full(self, person: Person) -> bool:
        """Whether ``person`` is one of the period's people even with nothing done: still
        active, and joined (``User.joined_at``) before the period ended. Anyone else (someone who
        left, or joined later) is listed only with something in the period, owes none of
        its plan items and is no head in its 人均应修学时, so last year's report
        reads the same after this year's new staff are added."""
        if "end" not in self._cache:  # asked for every person: worked out once
            self._cache["end"] = self.bounds[1]
        return person.active and person.joined_at < self._cache["end"]

    def user_ids(self) -> list[int] | None:
        """The ids of everyone in the scope for an ``IN`` list, or None (no filter: the
        whole office, or too many ids for one statement; callers then keep only theirs)."""
        if self.user_id is not None:
            return [self.user_id]
        if self.department_id is None:
            return None
        ids = [person.id for person in self.people()]
        return ids if len(ids) <= MAX_IN_LIST else None
