"""The tables behind a participation report: each session, each quiz, and the outreach
ledger's totals for the same period and department. A fixed number of queries each."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from lawlearn.extensions import db
from lawlearn.reports.participation import QuizRow, SessionRow
from lawlearn.reports.sources import Scope, attempt_percent
from lawlearn.sessions.attendance import Counts, _in_period, _is_expected


def session_rows(scope: Scope) -> list[SessionRow]:
    """Each session of the period that has started and was not cancelled, with the records
    of the people in scope (a department's report counts its own people only), counted as
    the people's rows count them: at a session whose check-in has closed but which is not
    closed yet, everyone expected without a record is absent. A session with nobody of the
    scope expected is left out of a department's report."""
    from lawlearn.sessions.models import Attendance, StudySession

    in_period = _in_period(scope.date_from, scope.date_to, scope.now)
    counts: dict[int, Counts] = defaultdict(Counts)
    for session_id, status, n in db.session.execute(
            select(Attendance.session_id, Attendance.status, func.count())
            .join(StudySession, StudySession.id == Attendance.session_id)
            .where(*in_period, scope.user_filter(Attendance.user_id))
            .group_by(Attendance.session_id, Attendance.status)):
        counts[session_id].add(status, n)
    sessions = list(db.session.scalars(
        select(StudySession).options(joinedload(StudySession.kind))
        .where(*in_period).order_by(StudySession.starts_at, StudySession.id)))
    awaiting = [s for s in sessions if s.closed_at is None and s.closes_at <= scope.now]
    if awaiting:
        _add_absent_awaiting_close(scope, awaiting, counts)
    rows = []
    for session in sessions:
        tally = counts.get(session.id, Counts())
        if scope.department_id is not None and not tally.expected:
            continue
        rows.append(SessionRow(session.id, session.title, session.kind.name, session.starts_at,
                               tally.expected, tally.present, tally.late, tally.excused,
                               tally.absent, tally.rate(scope.rule), tally.pending))
    return rows


def _add_absent_awaiting_close(scope: Scope, awaiting: list, counts: dict[int, Counts]) -> None:
    """Sessions whose check-in has closed but which are not closed yet: everyone of the
    scope expected (active, in the audience) without a record is absent, as
    sessions.attendance counts them for the people's rows. Two queries for all of them."""
    from lawlearn.sessions.models import Attendance, SessionAudience

    ids = [session.id for session in awaiting]
    recorded: dict[int, set[int]] = defaultdict(set)
    for session_id, user_id in db.session.execute(select(
            Attendance.session_id, Attendance.user_id).where(Attendance.session_id.in_(ids))):
        recorded[session_id].add(user_id)
    audience: dict[int, list] = defaultdict(list)
    for row in db.session.scalars(select(SessionAudience).where(
            SessionAudience.session_id.in_(ids))):
        audience[row.session_id].append(row)
    people = [person for person in scope.people() if person.active]
    for session in awaiting:
        department_ids = {a.department_id for a in audience[session.id] if a.department_id}
        user_ids = {a.user_id for a in audience[session.id] if a.user_id}
        counts[session.id].absent += sum(
            1 for person in people if person.id not in recorded[session.id]
            and _is_expected(person, department_ids, user_ids, session.audience_all))


def quiz_rows(scope: Scope) -> list[QuizRow]:
    """Each quiz with answers submitted in the period by people in scope: takers, people
    who passed (at least once), and the average score (percent of each attempt's maximum)
    over those answers. One query."""
    from lawlearn.quiz.models import Attempt, Quiz

    start, end = scope.bounds
    percent = attempt_percent()
    passed_user = case((Attempt.passed.is_(True), Attempt.user_id))
    rows = db.session.execute(
        select(Quiz.id, Quiz.title, Quiz.is_exam, func.count(func.distinct(Attempt.user_id)),
               func.count(func.distinct(passed_user)), func.count(Attempt.id),
               func.avg(percent))
        .join(Attempt, Attempt.quiz_id == Quiz.id)
        .where(Attempt.submitted_at >= start, Attempt.submitted_at < end,
               scope.user_filter(Attempt.user_id))
        .group_by(Quiz.id, Quiz.title, Quiz.is_exam).order_by(Quiz.id))
    return [QuizRow(quiz_id, title, is_exam, takers, passed, attempts,
                    round(float(average), 1) if average is not None else None)
            for quiz_id, title, is_exam, takers, passed, attempts, average in rows]


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
