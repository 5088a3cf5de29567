"""Results of a quiz: scores per person, the distribution, departments (the analysis of its
questions is quiz.item_analysis).

Plain functions, no HTTP. Each loads what it needs in a fixed number of queries, whatever
the number of people or attempts, and does the arithmetic in Python.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased, contains_eager

from lawlearn.accounts.departments import department_sort_key
from lawlearn.accounts.models import Department, User
from lawlearn.extensions import db
from lawlearn.quiz.listing import final_score
from lawlearn.quiz.models import Attempt, Quiz
from lawlearn.rounding import half_up

BANDS = 10  # score distribution: 0–10 %, 10–20 %, …, 90–100 % of the maximum


# --- results per person -------------------------------------------------------------------


@dataclass
class PersonResult:
    """One person's standing in a quiz: the score that counts under the quiz's grading."""

    user_id: int
    name: str
    username: str
    department: str | None
    score: float | None  # None while nothing is submitted
    max_score: float
    attempts: int  # attempts used, the one in progress included
    submitted: int
    passed: bool | None
    last_submitted_at: datetime | None

    @property
    def percent(self) -> float | None:
        """Score as a ratio 0..1 of the maximum."""
        if self.score is None or not self.max_score:
            return None
        return self.score / self.max_score


@dataclass
class ScoreBand:
    low: int  # percent of the maximum, inclusive
    high: int  # exclusive, except the last band which holds 100 %
    count: int = 0


@dataclass
class DepartmentResult:
    department_id: int | None
    name: str
    people: int = 0
    passed: int = 0
    average: float | None = None

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.people if self.people else None


@dataclass
class QuizResults:
    quiz: Quiz
    people: list[PersonResult]  # everyone who started; best score first
    attempts: int = 0  # submitted attempts
    in_progress: int = 0
    graded_people: int = 0  # people with at least one submitted attempt
    passed: int = 0
    average: float | None = None
    median: float | None = None
    average_percent: float | None = None
    highest: float | None = None
    lowest: float | None = None
    bands: list[ScoreBand] = field(default_factory=list)
    departments: list[DepartmentResult] = field(default_factory=list)

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.graded_people if self.graded_people else None

    @property
    def max_band_count(self) -> int:
        return max((band.count for band in self.bands), default=0)


def _band_index(score: float, max_score: float) -> int:
    # Percent rounded to 6 places first so that 0.3 × 100 falls in 30–40 %, not 20–30 %.
    percent = round(score * 100 / max_score, 6)
    return max(0, min(BANDS - 1, int(percent // (100 / BANDS))))


def _attempts_with_people(quiz: Quiz) -> list[Attempt]:
    """Every attempt of the quiz with its person, department and unit, in one query."""
    parent = aliased(Department)
    query = (
        select(Attempt)
        .join(Attempt.user)
        .outerjoin(User.department)
        .outerjoin(parent, Department.parent_id == parent.id)
        .where(Attempt.quiz_id == quiz.id)
        .options(contains_eager(Attempt.user).contains_eager(User.department)
                 .contains_eager(Department.parent, alias=parent),
                 # Roles are loaded with every User by default; not needed here.
                 contains_eager(Attempt.user).lazyload(User.role_rows))
        .order_by(Attempt.user_id, Attempt.number)
    )
    return list(db.session.scalars(query))


def quiz_results(quiz: Quiz) -> QuizResults:
    """Per person the score that counts, and the summary figures, in one query."""
    by_user: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in _attempts_with_people(quiz):
        by_user[attempt.user_id].append(attempt)

    results = QuizResults(quiz=quiz, people=[], bands=[
        ScoreBand(i * 100 // BANDS, (i + 1) * 100 // BANDS) for i in range(BANDS)])
    departments: dict[int | None, tuple[Department | None, DepartmentResult, list[float]]] = {}
    scores: list[float] = []
    percents: list[float] = []
    name_keys: dict[int, str] = {}
    for attempts in by_user.values():
        user = attempts[0].user
        name_keys[user.id] = user.name_key
        done = [a for a in attempts if a.submitted_at is not None and a.score is not None]
        results.attempts += len(done)
        results.in_progress += sum(1 for a in attempts if a.submitted_at is None)
        score = final_score(quiz, attempts)
        max_score = (done[-1] if done else attempts[-1]).max_score
        passed = None
        if score is not None:
            passed = bool(max_score) and score * 100 >= max_score * quiz.pass_percent
        person = PersonResult(
            user_id=user.id, name=user.name, username=user.username,
            department=user.department.full_name if user.department else None,
            score=score, max_score=max_score, attempts=len(attempts), submitted=len(done),
            passed=passed, last_submitted_at=max((a.submitted_at for a in done), default=None))
        results.people.append(person)
        if score is None:
            continue
        results.graded_people += 1
        results.passed += bool(passed)
        scores.append(score)
        if max_score:
            percents.append(score / max_score)
            results.bands[_band_index(score, max_score)].count += 1
        department = user.department
        key = department.id if department else None
        if key not in departments:
            departments[key] = (department, DepartmentResult(
                key, department.full_name if department else _("未分配部门")), [])
        _dept, entry, dept_scores = departments[key]
        entry.people += 1
        entry.passed += bool(passed)
        dept_scores.append(score)

    if scores:
        results.average = half_up(statistics.fmean(scores), 2)
        results.median = half_up(statistics.median(scores), 2)
        results.highest, results.lowest = max(scores), min(scores)
    if percents:
        results.average_percent = statistics.fmean(percents)
    for _dept, entry, dept_scores in departments.values():
        entry.average = half_up(statistics.fmean(dept_scores), 2)
    results.departments = [entry for department, entry, _scores in sorted(
        departments.values(), key=lambda value: department_sort_key(value[0]))]
    results.people.sort(key=lambda p: (p.score is None, -(p.score or 0), name_keys[p.user_id],
                                       p.name, p.user_id))
    return results
