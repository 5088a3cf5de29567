"""Everyone's progress on a plan: people × items, as the admin's and a lead's progress pages,
the XLSX export and the reminders read it. No HTTP here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import or_, select

from lawlearn.accounts.departments import department_sort_key
from lawlearn.accounts.models import Department, User
from lawlearn.extensions import db
from lawlearn.localtime import local_day
from lawlearn.plans.kind_base import (
    PENDING,
    ItemState,
    States,
    not_owed_state,
    on_cancelled_session,
    owes,
)
from lawlearn.plans.kinds import item_states
from lawlearn.plans.models import Plan, PlanItem
from lawlearn.plans.progress import audience_users_query, is_overdue, joined_day


@dataclass
class Matrix:
    plan: Plan
    people: list[User]
    items: list[PlanItem]
    states: States
    today: date
    department_id: int | None = None  # the matrix of one department (with its sections)
    joined: dict[int, date | None] = field(init=False, repr=False)  # person id → joining day

    def __post_init__(self) -> None:
        # Worked out once: a page asks for every (item, person) several times.
        self.joined = {person.id: joined_day(person) for person in self.people}

    def owes(self, item: PlanItem, person: User) -> bool:
        return owes(item, self.joined.get(person.id), self.states.get((item.id, person.id)))

    def state(self, item: PlanItem, person: User) -> ItemState:
        state = self.states.get((item.id, person.id), PENDING)
        return not_owed_state(item, state) if not state.done and not self.owes(item, person) \
            else state

    def overdue(self, item: PlanItem, person: User) -> bool:
        return is_overdue(item, self.state(item, person), self.today)

    def item_rate(self, item: PlanItem) -> float | None:
        """Done, among the people who owe it."""
        owing = [p for p in self.people if self.owes(item, p)]
        if not owing:
            return None
        return sum(1 for p in owing if self.state(item, p).done) / len(owing)

    def person_done(self, person: User) -> int:
        return sum(1 for item in self.items if item.required and self.owes(item, person)
                   and self.state(item, person).done)

    def required_for(self, person: User) -> int:
        """The required items ``person`` owes (none due before they joined)."""
        return sum(1 for item in self.items if item.required and self.owes(item, person))

    @property
    def required_count(self) -> int:
        """Required items, less those on a cancelled session (nobody owes them)."""
        return sum(1 for item in self.items
                   if item.required and not on_cancelled_session(item))

    def person_behind(self, person: User) -> bool:
        """Has a required item past its due date and still to do."""
        return any(item.required and self.overdue(item, person) for item in self.items)

    def person_has_to_do(self, person: User) -> bool:
        """Has a required item still to do (a reflection waiting for review is not)."""
        return any(item.required and self.state(item, person).to_do for item in self.items)

    def department_rates(self) -> list[tuple[str, int, float | None]]:
        """(department name, people, share of required items done): the office's units
        with their sections rolled up; within one department, the unit and each section
        by its full name (a section's people were labelled with their unit's name)."""
        groups: dict[str, list[User]] = {}
        for person in self.people:
            department = person.department
            if department is None:
                name = ""
            elif self.department_id is None:
                name = (department.parent or department).name
            else:
                name = department.full_name
            groups.setdefault(name, []).append(person)
        rows = []
        for name, members in sorted(groups.items()):
            total = sum(self.required_for(p) for p in members)
            done = sum(self.person_done(p) for p in members)
            rows.append((name, len(members), done / total if total else None))
        return rows


def matrix(plan: Plan, now: datetime, *, department_id: int | None = None) -> Matrix:
    """People × items for a plan, optionally one department (with its sections)."""
    from sqlalchemy.orm import joinedload


    query = audience_users_query(plan).options(
        joinedload(User.department).joinedload(Department.parent))
    if department_id is not None:
        sections = select(Department.id).where(Department.parent_id == department_id)
        query = query.where(or_(User.department_id == department_id,
                                User.department_id.in_(sections)))
    people = list(db.session.scalars(query.order_by(User.name_key, User.name, User.id)))
    # By department in the office's order (as the reports list them), by name within one.
    people.sort(key=lambda person: department_sort_key(person.department))
    items = list(plan.items)
    user_ids = [p.id for p in people] if len(people) <= 900 else None
    states = item_states(items, user_ids, now)
    return Matrix(plan, people, items, states, local_day(now), department_id)
