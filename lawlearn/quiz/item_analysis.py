"""The analysis of a quiz's questions, as in Moodle's statistics report: facility,
discrimination, discriminative efficiency and option frequencies per question (per
version, for a question edited while the quiz ran).

Plain functions, no HTTP; two queries whatever the number of attempts.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from lawlearn.extensions import db
from lawlearn.quiz.models import QUESTION_TYPES, Attempt, AttemptItem, Quiz, QuizQuestion

EASY_FACILITY = 0.95
HARD_FACILITY = 0.2
# Fewer answers than this say nothing of a question: one person's answer makes it 0 % or
# 100 % (a random draw leaves many questions with one or two), so it is not flagged.
FLAG_MIN_ANSWERS = 5
# Below this a variance or covariance is floating-point noise around zero.
EPSILON = 1e-12

FLAG_LABELS = {
    "too_easy": _l("过于容易"),
    "too_hard": _l("过于困难"),
    "negative_discrimination": _l("区分度为负"),
}
TYPE_ORDER = {kind: index for index, kind in enumerate(QUESTION_TYPES)}


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

    @property
    def too_few_to_flag(self) -> int:
        """Questions answered too few times to be flagged either way."""
        return sum(1 for item in self.items if item.attempts < FLAG_MIN_ANSWERS)


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
    if stats.attempts < FLAG_MIN_ANSWERS:
        return []
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
