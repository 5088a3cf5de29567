"""A form's date or date-time lies in years a record can have.

Outside :data:`lawlearn.localtime.YEARS` a date breaks the moment it is moved to UTC (year 1
is a 500); a session, a quiz, an event or a plan dated decades away is a typo (2206 for
2026) that would go straight into the office's figures.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, ValidationError

from lawlearn.database import utcnow
from lawlearn.localtime import YEARS, local_day

# How far from this year something the office schedules or records may be dated.
SCHEDULE_YEARS = 20


class WithinYears:
    """A WTForms validator: the field's date (or date-time) falls in :data:`YEARS`, or
    within ``around_today`` years of this one."""

    def __init__(self, around_today: int | None = None) -> None:
        self.around_today = around_today

    def years(self) -> tuple[int, int]:
        if self.around_today is None:
            return YEARS
        this_year = local_day(utcnow()).year
        return (max(YEARS[0], this_year - self.around_today),
                min(YEARS[1], this_year + self.around_today))

    def __call__(self, form: Form, field: Field) -> None:
        if field.data is None:
            return
        first, last = self.years()
        if not first <= field.data.year <= last:
            raise ValidationError(_l("日期须在 %(first)d 年至 %(last)d 年之间。",
                                     first=first, last=last))


def scheduled() -> WithinYears:
    """For the dates of what the office schedules or records (sessions, quizzes, events,
    plans, campaigns)."""
    return WithinYears(around_today=SCHEDULE_YEARS)
