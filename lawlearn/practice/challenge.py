"""Challenge mode (挑战答题): questions one after another against the clock until the first
mistake. No HTTP here.

A person has at most one running run (a partial unique index). Starting again or reloading
returns that run with the same question and the same deadline, so a run cannot be restarted
to dodge a question. The server's clock is the authority: an answer that arrives after the
deadline (plus a small grace for the network) ends the run, whatever it says.

Every change of a run's state is a compare-and-set on the question on screen, so that a double
tap, a second tab or two racing requests change it once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from lawlearn.accounts.models import User
from lawlearn.errors import Conflict, NotFound
from lawlearn.extensions import db
from lawlearn.library.models import LawArticle
from lawlearn.practice.models import ChallengeAnswer, ChallengeRun, PointAward
from lawlearn.practice.points import award
from lawlearn.practice.timing import check_timing
from lawlearn.quiz.models import Question
from lawlearn.quiz.services import question_snapshot
from lawlearn.quiz.wrongbook import grade_answer, record_result
from lawlearn.settings import get_setting

# Time allowed on top of the countdown for the answer to travel to the server.
GRACE = timedelta(seconds=3)
RECENT_RUNS = 10
END_REASONS = {"wrong": _l("答错了"), "timeout": _l("超时未作答"),
               "exhausted": _l("题库中的题目已全部答对")}


def deadline(run: ChallengeRun) -> datetime | None:
    """When the question on screen must be answered: what the countdown counts down to."""
    if run.status != "running" or run.current_shown_at is None:
        return None
    return run.current_shown_at + timedelta(seconds=run.seconds_per_question)


def is_late(run: ChallengeRun, now: datetime) -> bool:
    """Whether the question on screen can no longer be answered (deadline and grace passed)."""
    due = deadline(run)
    return due is not None and now > due + GRACE


def running_run(user_id: int) -> ChallengeRun | None:
    return db.session.scalar(select(ChallengeRun).where(ChallengeRun.user_id == user_id,
                                                        ChallengeRun.status == "running"))


def own_run(user: User, run_id: int) -> ChallengeRun:
    """The user's own run; anyone else's is 404 (nothing to learn from a 403)."""
    run = db.session.get(ChallengeRun, run_id)
    if run is None or run.user_id != user.id:
        raise NotFound(_("挑战记录不存在。"))
    return run


# --- questions --------------------------------------------------------------------------------


def _pick_question(asked: list[int], rng: random.Random) -> Question | None:
    """A random active question not asked yet in this run (None when none is left)."""
    pool = select(Question.id).where(Question.status == "active")
    if asked:
        pool = pool.where(Question.id.not_in(asked))
    for _try in range(3):
        count = db.session.scalar(select(func.count()).select_from(pool.subquery()))
        if not count:
            return None
        question = db.session.scalar(
            select(Question).where(Question.id == pool.order_by(Question.id)
                                   .offset(rng.randrange(count)).limit(1).scalar_subquery())
            .options(joinedload(Question.article).joinedload(LawArticle.law)))
        if question is not None:  # else a question was retired in between: count again
            return question
    return None


def _show(question: Question, now: datetime, rng: random.Random) -> dict[str, Any]:
    """The run's columns that put ``question`` on screen from ``now``."""
    return {"current_question_id": question.id,
            "current_snapshot": question_snapshot(question, shuffle_options=True, rng=rng),
            "current_shown_at": now}


def _ended(reason: str, now: datetime) -> dict[str, Any]:
    return {"status": "ended", "end_reason": reason, "ended_at": now,
            "current_question_id": None, "current_snapshot": None, "current_shown_at": None}


def _claim(run: ChallengeRun, question_id: int | None, values: dict[str, Any]) -> bool:
    """Apply ``values`` if the run still runs with ``question_id`` on screen; False if another
    request got there first (then nothing changed)."""
    claimed = db.session.execute(
        update(ChallengeRun)
        .where(ChallengeRun.id == run.id, ChallengeRun.status == "running",
               ChallengeRun.current_question_id == question_id)
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if not claimed:
        db.session.refresh(run)
        return False
    for key, value in values.items():
        set_committed_value(run, key, value)
    return True


def _pay(run: ChallengeRun, now: datetime) -> int:
    """Points for an ended run, once: one unit per right answer that was not too fast."""
    units = db.session.scalar(select(func.count()).select_from(ChallengeAnswer).where(
        ChallengeAnswer.run_id == run.id, ChallengeAnswer.correct.is_(True),
        ChallengeAnswer.too_fast.is_(False))) or 0
    return award(run.user_id, "challenge", f"challenge:{run.id}", now, units=int(units))


def _time_out(run: ChallengeRun, now: datetime) -> bool:
    """End the run because the question on screen was not answered in time."""
    question_id, snapshot = run.current_question_id, run.current_snapshot
    shown_at, position = run.current_shown_at, len(run.asked) - 1
    if not _claim(run, question_id, _ended("timeout", now)):
        return False
    elapsed = max(0, int((now - shown_at).total_seconds() * 1000)) if shown_at else 0
    db.session.add(ChallengeAnswer(
        run_id=run.id, question_id=question_id, position=position, snapshot=snapshot,
        response=None, correct=False, shown_at=shown_at or now, answered_at=now,
        elapsed_ms=elapsed, too_fast=False))
    _pay(run, now)
    return True


def expire_if_late(run: ChallengeRun, now: datetime) -> bool:
    """End a run whose question was left past its deadline; True if the run has ended."""
    if run.status == "running" and is_late(run, now):
        _time_out(run, now)
    return run.status != "running"


# --- starting and answering -----------------------------------------------------------------


def start(user: User, now: datetime,
          rng: random.Random | None = None) -> tuple[ChallengeRun, bool]:
    """The running run (unchanged: same question, same deadline), or a new one (``True``)."""
    rng = rng or random.Random()  # nosec B311 - question order, not a secret
    run = running_run(user.id)
    if run is not None and not expire_if_late(run, now):
        return run, False
    question = _pick_question([], rng)
    if question is None:
        raise Conflict(_("题库中还没有可用的试题。"), code="no_questions")
    run = ChallengeRun(user_id=user.id, department_id=user.department_id, status="running",
                       score=0, started_at=now, asked=[question.id],
                       seconds_per_question=int(get_setting("practice.challenge_seconds")),
                       **_show(question, now, rng))
    try:
        with db.session.begin_nested():
            db.session.add(run)
    except IntegrityError:
        # A second tap started a run at the same moment: use the one that won.
        winner = running_run(user.id)
        if winner is None:
            raise
        return winner, False
    return run, True


@dataclass
class Outcome:
    """What became of an answer: right, wrong, or too late (``correct`` None)."""

    run: ChallengeRun
    correct: bool | None
    too_fast: bool = False

    @property
    def ended(self) -> bool:
        return self.run.status == "ended"


def answer(user: User, run_id: int, question_id: int, raw: Any, now: datetime, *,
           time_up: bool = False, rng: random.Random | None = None) -> Outcome:
    """Answer the question on screen. Right: the next one is shown; wrong or too late: the
    run ends. ``time_up``: the page's countdown reached zero (the run ends as a timeout)."""
    rng = rng or random.Random()  # nosec B311 - question order, not a secret
    run = own_run(user, run_id)
    if run.status != "running":
        raise Conflict(_("本次挑战已经结束。"), code="run_ended")
    if question_id != run.current_question_id:
        raise Conflict(_("这道题已经作答过了，请作答当前的题目。"), code="not_current")
    if time_up or is_late(run, now):
        if not _time_out(run, now):
            raise Conflict(_("这道题已经作答过了，请作答当前的题目。"), code="not_current")
        return Outcome(run, None)
    snapshot, shown_at = run.current_snapshot or {}, run.current_shown_at or now
    response, correct = grade_answer(snapshot, raw)
    position = len(run.asked) - 1
    if correct:
        question = _pick_question(run.asked, rng)
        values = {"score": run.score + 1}
        if question is None:
            values.update(_ended("exhausted", now))
        else:
            values.update(_show(question, now, rng), asked=[*run.asked, question.id])
    else:
        values = _ended("wrong", now)
    if not _claim(run, question_id, values):
        raise Conflict(_("这道题已经作答过了，请作答当前的题目。"), code="not_current")
    elapsed, too_fast = check_timing(user.id, question_id, snapshot, shown_at, now, "challenge")
    db.session.add(ChallengeAnswer(
        run_id=run.id, question_id=question_id, position=position, snapshot=snapshot,
        response=response, correct=correct, shown_at=shown_at, answered_at=now,
        elapsed_ms=elapsed, too_fast=too_fast))
    record_result(user.id, question_id, snapshot, response, correct, "challenge", now)
    if run.status == "ended":
        _pay(run, now)
    return Outcome(run, correct, too_fast)


# --- what the pages show ------------------------------------------------------------------


@dataclass
class DepartmentBest:
    score: int
    name: str


@dataclass
class Overview:
    """The challenge page: my best, my department's best, my run in progress, my last runs."""

    personal_best: int | None
    department_best: DepartmentBest | None
    running: ChallengeRun | None
    recent: list[ChallengeRun]


def end_late_run(user_id: int, now: datetime) -> ChallengeRun | None:
    """End the user's running run if its question was left past the deadline; returns the
    run still running, if any. (Call before :func:`overview`, and commit in between.)"""
    run = running_run(user_id)
    if run is not None and expire_if_late(run, now):
        return None
    return run


def overview(user: User) -> Overview:
    """Everything the challenge page shows, in three queries whatever the number of runs."""
    recent = list(db.session.scalars(
        select(ChallengeRun).where(ChallengeRun.user_id == user.id)
        .order_by(ChallengeRun.started_at.desc(), ChallengeRun.id.desc()).limit(RECENT_RUNS)))
    # A running run is always the latest one: no newer run can start while it runs.
    running = next((run for run in recent if run.status == "running"), None)
    personal_best = db.session.scalar(select(func.max(ChallengeRun.score)).where(
        ChallengeRun.user_id == user.id, ChallengeRun.status == "ended"))
    department_best = None
    if user.department_id is not None:
        row = db.session.execute(
            select(ChallengeRun.score, User.name).join(User, User.id == ChallengeRun.user_id)
            # A best of 0 would name someone for answering nothing right: 暂无 instead.
            .where(ChallengeRun.department_id == user.department_id,
                   ChallengeRun.status == "ended", ChallengeRun.score > 0)
            .order_by(ChallengeRun.score.desc(), ChallengeRun.ended_at, ChallengeRun.id)
            .limit(1)).first()
        if row is not None:
            department_best = DepartmentBest(row.score, row.name)
    return Overview(personal_best, department_best, running, recent)


def ending_answer(run: ChallengeRun) -> ChallengeAnswer | None:
    """The answer that ended a run (wrong or too late); None for a run still going or one that
    answered every question."""
    if run.status != "ended" or run.end_reason == "exhausted":
        return None
    return db.session.scalar(select(ChallengeAnswer).where(ChallengeAnswer.run_id == run.id)
                             .order_by(ChallengeAnswer.position.desc()).limit(1))


def points_of(run: ChallengeRun) -> int:
    """What an ended run paid (0 when nothing, or before it ended)."""
    return int(db.session.scalar(select(func.coalesce(func.sum(PointAward.amount), 0)).where(
        PointAward.user_id == run.user_id, PointAward.rule == "challenge",
        PointAward.source == f"challenge:{run.id}")) or 0)
