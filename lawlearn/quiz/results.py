"""Results of a quiz and the analysis of its questions, as in Moodle's statistics report.

Plain functions, no HTTP. Each loads what it needs in a fixed number of queries, whatever
the number of people or attempts, and does the arithmetic in Python.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import aliased, contains_eager

from lawlearn.accounts.models import Department, User
from lawlearn.extensions import db
from lawlearn.quiz.listing import final_score
from lawlearn.quiz.models import QUESTION_TYPES, Attempt, AttemptItem, Quiz, QuizQuestion

BANDS = 10  # score distribution: 0–10 %, 10–20 %, …, 90–100 % of the maximum
EASY_FACILITY = 0.95
HARD_FACILITY = 0.2
# Below this a variance or covariance is floating-point noise around zero.
EPSILON = 1e-12

FLAG_LABELS = {
    "too_easy": _l("过于容易"),
    "too_hard": _l("过于困难"),
    "negative_discrimination": _l("区分度为负"),
}
TYPE_ORDER = {kind: index for index, kind in enumerate(QUESTION_TYPES)}


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


def _department_sort_key(department: Department | None) -> tuple:
    """Units in their display order, each followed by its sections; no department last."""
    if department is None:
        return (1,)
    top = department.parent or department
    if department.parent is None:
        return (0, top.sort_order, top.name, 0, 0, "")
    return (0, top.sort_order, top.name, 1, department.sort_order, department.name)


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
    for attempts in by_user.values():
        user = attempts[0].user
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
        results.average = round(statistics.fmean(scores), 2)
        results.median = round(statistics.median(scores), 2)
        results.highest, results.lowest = max(scores), min(scores)
    if percents:
        results.average_percent = statistics.fmean(percents)
    for _dept, entry, dept_scores in departments.values():
        entry.average = round(statistics.fmean(dept_scores), 2)
    results.departments = [entry for department, entry, _scores in sorted(
        departments.values(), key=lambda value: _department_sort_key(value[0]))]
    results.people.sort(key=lambda p: (p.score is None, -(p.score or 0), p.name, p.user_id))
    return results


# --- item analysis ------------------------------------------------------------------------


@dataclass
class ResponseCount:
    """How often one bank option (or true / false) was chosen."""

    key: str  # the bank's letter, or "true" / "false"
    label: str
    text: str
    correct: bool
    count: int = 0
    rate: float = 0.0  # of the attempts that had the question


@dataclass
class ItemStats:
    number: int
    question_id: int
    type: str
    stem: str
    points: float
    attempts: int = 0
    correct: int = 0
    unanswered: int = 0
    facility: float | None = None  # 0..1
    sd: float | None = None  # standard deviation as a ratio of the question's points
    discrimination: float | None = None  # Pearson r, -1..1
    efficiency: float | None = None  # discriminative efficiency, 0..1 (can be negative)
    responses: list[ResponseCount] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    version: int | None = None  # which version, when the question was edited meanwhile

    @property
    def type_label(self) -> str:
        return str(QUESTION_TYPES.get(self.type, self.type))

    @property
    def version_label(self) -> str:
        """"第 2 版" when the question was answered in several versions, else ""."""
        return _("第 %(n)d 版", n=self.version) if self.version else ""

    @property
    def flag_labels(self) -> list[str]:
        return [str(FLAG_LABELS[flag]) for flag in self.flags]


@dataclass
class ItemAnalysis:
    quiz: Quiz
    attempts: int  # first attempts analysed
    items: list[ItemStats]

    @property
    def flagged(self) -> int:
        return sum(1 for item in self.items if item.flags)


def _covariance(xs: list[float], ys: list[float]) -> float:
    """Sample covariance (n − 1 in the denominator, as Moodle); needs len ≥ 2."""
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / (len(xs) - 1)


def item_statistics(marks: list[float], rest: list[float], points: float) -> dict[str, float | None]:
    """Moodle's per-question statistics from each attempt's mark on the question and the
    mark on the rest of the test (total minus this question), attempt by attempt.

    With s attempts, x the question's marks and X the rest-of-test marks
    (see Moodle's question/classes/statistics/questions/calculator.php):

    - facility index  F = mean(x) / points
    - standard deviation  SD = sqrt(Σ(x − x̄)² / (s − 1)) / points   (shown as % of points)
    - discrimination index  D = C(x, X) / sqrt(V(x) · V(X))   (Pearson r of x and X),
      with C the sample covariance and V the sample variance
    - discriminative efficiency  E = C(x, X) / Cmax(x, X), where Cmax is the largest
      covariance the two distributions allow: x and X are each sorted ascending and the
      covariance is computed as though the sorted lists were paired person by person.

    Undefined values are None: everything but the facility with fewer than two attempts,
    D when x or X does not vary, E when Cmax is 0.
    """
    count = len(marks)
    result: dict[str, float | None] = {"facility": None, "sd": None, "discrimination": None,
                                       "efficiency": None}
    if count == 0:
        return result
    if points:
        result["facility"] = math.fsum(marks) / (count * points)
    if count < 2:
        return result
    variance = _covariance(marks, marks)
    rest_variance = _covariance(rest, rest)
    covariance = _covariance(marks, rest)
    if points:
        result["sd"] = math.sqrt(max(variance, 0.0)) / points
    if variance > EPSILON and rest_variance > EPSILON:
        result["discrimination"] = max(-1.0, min(1.0, covariance
                                                 / math.sqrt(variance * rest_variance)))
    covariance_max = _covariance(sorted(marks), sorted(rest))
    if covariance_max > EPSILON:
        result["efficiency"] = covariance / covariance_max
    return result


def _flags(stats: ItemStats) -> list[str]:
    # Rounded so that floating-point noise never moves a question across a threshold.
    facility = None if stats.facility is None else round(stats.facility, 9)
    flags = []
    if facility is not None and facility > EASY_FACILITY:
        flags.append("too_easy")
    if facility is not None and facility < HARD_FACILITY:
        flags.append("too_hard")
    if stats.discrimination is not None and round(stats.discrimination, 9) < 0:
        flags.append("negative_discrimination")
    return flags


def _response_template(snapshot: dict[str, Any]) -> list[ResponseCount]:
    """The countable answers of a question, keyed by bank letter (not the shown one)."""
    kind = snapshot["type"]
    if kind == "true_false":
        return [ResponseCount("true", _("正确"), "", snapshot["answer"] is True),
                ResponseCount("false", _("错误"), "", snapshot["answer"] is False)]
    if kind not in ("single", "multiple"):
        return []
    shown_to_source = {o["key"]: o.get("source", o["key"]) for o in snapshot["options"]}
    answer = snapshot["answer"]
    right = {shown_to_source.get(k) for k in ([answer] if isinstance(answer, str) else answer)}
    options = sorted(snapshot["options"], key=lambda o: o.get("source", o["key"]))
    return [ResponseCount(o.get("source", o["key"]), o.get("source", o["key"]), o["text"],
                          o.get("source", o["key"]) in right) for o in options]


def _chosen_keys(snapshot: dict[str, Any], response: Any) -> list[str]:
    """The bank letters (or "true" / "false") a response chose."""
    if response is None:
        return []
    kind = snapshot["type"]
    if kind == "true_false":
        return ["true" if response else "false"]
    if kind in ("single", "multiple"):
        shown_to_source = {o["key"]: o.get("source", o["key"]) for o in snapshot["options"]}
        shown = [response] if isinstance(response, str) else list(response)
        return [shown_to_source[key] for key in shown if key in shown_to_source]
    return []


def _version_key(snapshot: dict[str, Any]) -> tuple:
    """What makes two snapshots the same version of a question, whatever the shuffling:
    the stem, the options in bank order and the key in bank letters."""
    options = sorted(snapshot.get("options") or [], key=lambda o: o.get("source", o["key"]))
    right = [r.key for r in _response_template(snapshot) if r.correct]
    answer = right if snapshot["type"] in ("single", "multiple") else snapshot.get("answer")
    return (snapshot["stem"], tuple(o["text"] for o in options), repr(answer),
            repr(snapshot.get("blanks")))


def _question_order(quiz: Quiz, seen: dict[int, dict[str, Any]]) -> list[int]:
    """The quiz's own order for a fixed quiz; by type then bank id for a random draw."""
    fixed = list(db.session.scalars(select(QuizQuestion.question_id)
                                    .where(QuizQuestion.quiz_id == quiz.id)
                                    .order_by(QuizQuestion.position)))
    rank = {qid: index for index, qid in enumerate(fixed)}
    return sorted(seen, key=lambda qid: (rank.get(qid, len(rank)),
                                         TYPE_ORDER.get(seen[qid]["type"], 99), qid))


def item_analysis(quiz: Quiz) -> ItemAnalysis:
    """Moodle's statistics per question over each person's first submitted attempt, in two
    queries (the answers of first attempts, and the quiz's question order)."""
    rows = db.session.execute(
        select(AttemptItem.attempt_id, AttemptItem.question_id, AttemptItem.snapshot,
               AttemptItem.points, AttemptItem.response, AttemptItem.correct,
               AttemptItem.awarded)
        .join(Attempt, Attempt.id == AttemptItem.attempt_id)
        .where(Attempt.quiz_id == quiz.id, Attempt.number == 1,
               Attempt.submitted_at.is_not(None))
        .order_by(AttemptItem.attempt_id, AttemptItem.position)).all()

    totals: dict[int, float] = defaultdict(float)
    for row in rows:
        totals[row.attempt_id] += row.awarded or 0.0
    # A question edited while the quiz ran was answered in several versions: each is an
    # item of its own (as Moodle's statistics do), counted against its own key.
    versions: dict[int, list[tuple]] = defaultdict(list)
    by_version: dict[tuple[int, int], list[Any]] = defaultdict(list)
    for row in rows:
        known = versions[row.question_id]
        key = _version_key(row.snapshot)
        if key not in known:
            known.append(key)
        by_version[(row.question_id, known.index(key) + 1)].append(row)
    first_snapshot = {question_id: by_version[(question_id, 1)][0].snapshot
                      for question_id in versions}

    items = []
    order = [(question_id, version)
             for question_id in _question_order(quiz, first_snapshot)
             for version in range(1, len(versions[question_id]) + 1)]
    for number, (question_id, version) in enumerate(order, start=1):
        entries = by_version[(question_id, version)]
        snapshot = entries[0].snapshot
        points = max(row.points for row in entries)
        marks = [row.awarded or 0.0 for row in entries]
        rest = [totals[row.attempt_id] - mark for row, mark in zip(entries, marks, strict=True)]
        stats = ItemStats(number=number, question_id=question_id, type=snapshot["type"],
                          stem=snapshot["stem"], points=points, attempts=len(entries),
                          version=version if len(versions[question_id]) > 1 else None,
                          correct=sum(1 for row in entries if row.correct),
                          unanswered=sum(1 for row in entries if row.response is None),
                          **item_statistics(marks, rest, points))
        responses = {r.key: r for r in _response_template(snapshot)}
        for row in entries:
            for key in _chosen_keys(row.snapshot, row.response):
                if key in responses:
                    responses[key].count += 1
        for response in responses.values():
            response.rate = response.count / len(entries)
        stats.responses = list(responses.values())
        stats.flags = _flags(stats)
        items.append(stats)
    return ItemAnalysis(quiz=quiz, attempts=len(totals), items=items)
