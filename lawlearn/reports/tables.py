"""The tables behind a participation report: each session, each quiz, and the outreach
ledger's totals for the same period and department. A fixed number of queries each."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lawlearn.extensions import db
from lawlearn.reports.participation import QuizRow, SessionRow
from lawlearn.reports.sources import Scope
from lawlearn.sessions.attendance import Counts, _in_period


def session_rows(scope: Scope) -> list[SessionRow]:
    """Each session of the period that has started and was not cancelled, with the records
    of the people in scope (a department's report counts its own people only). A session
    with nobody of the scope expected is left out of a department's report."""
    from lawlearn.accounts.models import User
    from lawlearn.sessions.models import Attendance, StudySession

    in_period = _in_period(scope.date_from, scope.date_to, scope.now)
    counts: dict[int, Counts] = defaultdict(Counts)
    for session_id, status, n in db.session.execute(
            select(Attendance.session_id, Attendance.status, func.count())
            .join(StudySession, StudySession.id == Attendance.session_id)
            .join(User, User.id == Attendance.user_id)
            .where(*in_period, scope.user_filter(Attendance.user_id))
            .group_by(Attendance.session_id, Attendance.status)):
        counts[session_id].add(status, n)
    sessions = db.session.scalars(select(StudySession).options(joinedload(StudySession.kind))
                                  .where(*in_period).order_by(StudySession.starts_at,
                                                              StudySession.id))
    rows = []
    for session in sessions:
        tally = counts.get(session.id, Counts())
        if scope.department_id is not None and not tally.expected:
            continue
        rows.append(SessionRow(session.id, session.title, session.kind.name, session.starts_at,
                               tally.expected, tally.present, tally.late, tally.excused,
                               tally.absent, tally.rate(scope.rule)))
    return rows


def quiz_rows(scope: Scope) -> list[QuizRow]:
    """Each quiz with answers submitted in the period by people in scope: takers, people
    who passed, and the average score (percent of the maximum) over those answers."""
    from lawlearn.quiz.models import Attempt, Quiz

    start, end = scope.bounds
    takers: dict[int, set[int]] = defaultdict(set)
    passed: dict[int, set[int]] = defaultdict(set)
    scores: dict[int, list[float]] = defaultdict(list)
    attempts: dict[int, int] = defaultdict(int)
    for quiz_id, user_id, score, max_score, did_pass in db.session.execute(
            select(Attempt.quiz_id, Attempt.user_id, Attempt.score, Attempt.max_score,
                   Attempt.passed)
            .where(Attempt.submitted_at >= start, Attempt.submitted_at < end,
                   scope.user_filter(Attempt.user_id))):
        takers[quiz_id].add(user_id)
        attempts[quiz_id] += 1
        if did_pass:
            passed[quiz_id].add(user_id)
        if max_score:
            scores[quiz_id].append(100 * float(score or 0) / float(max_score))
    if not takers:
        return []
    quizzes = db.session.scalars(select(Quiz).where(Quiz.id.in_(list(takers)))
                                 .order_by(Quiz.id))
    rows = []
    for quiz in quizzes:
        mine = scores.get(quiz.id, [])
        rows.append(QuizRow(quiz.id, quiz.title, quiz.is_exam, len(takers[quiz.id]),
                            len(passed.get(quiz.id, ())), attempts[quiz.id],
                            round(sum(mine) / len(mine), 1) if mine else None))
    return rows


@dataclass
class OutreachSection:
    """The outreach ledger for the report's period and department (reported events)."""

    totals: object
    by_category: list = field(default_factory=list)
    by_campaign: list = field(default_factory=list)
    events: list = field(default_factory=list)


def outreach_section(scope: Scope, *, with_events: bool = True) -> OutreachSection:
    from lawlearn.outreach.ledger import (
        LedgerFilters,
        ledger_events,
        ledger_totals,
        totals_by_campaign,
        totals_by_category,
    )

    filters = LedgerFilters(date_from=scope.date_from, date_to=scope.date_to,
                            department_id=scope.department_id)
    return OutreachSection(ledger_totals(filters), totals_by_category(filters),
                           totals_by_campaign(filters),
                           ledger_events(filters) if with_events else [])
