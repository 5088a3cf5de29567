"""One person of the generated office and where they were on a given day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass
class Person:
    id: int
    department_id: int | None  # now
    unit_id: int | None  # now (the department itself when it is a unit)
    generated: bool = True
    old_department_id: int | None = None  # before ``moved_on``
    old_unit_id: int | None = None
    moved_on: date | None = None
    left_on: date | None = None  # deactivated from this day on
    diligence: float = 0.9  # how often they come to sessions
    skill: float = 0.75  # how often they answer right
    keen: float = 0.6  # how many days they practise
    lead_id: int | None = None  # their section's dept_lead (reviews reflections)

    def active_on(self, day: date) -> bool:
        return self.left_on is None or day < self.left_on

    def unit_on(self, day: date) -> int | None:
        return self.old_unit_id if self.moved_on and day < self.moved_on else self.unit_id

    def department_on(self, day: date) -> int | None:
        return self.old_department_id if self.moved_on and day < self.moved_on \
            else self.department_id
