"""The tables behind a participation report: each session, each quiz, and the outreach
ledger's totals for the same period and department; and which sessions a report counts,
shared with the people's figures. A fixed number of queries each.

Sessions: a report counts a session once its check-in has closed (签到结束后计入统计; see
``counted_sessions``); one still open for check-in is in no figure, table or total yet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, case, exists, func, or_, select, true

from lawlearn.reports.participation import QuizRow, SessionRow
from lawlearn.reports.scope import Scope, rows_of
from lawlearn.reports.sources import attempt_percent
from lawlearn.rounding import half_up
from lawlearn.sessions.attendance import Counts

STATUSES = ("present", "late", "excused", "absent", "pending_quiz")
NO_RECORDS = (0, 0, 0, 0, 0, 0.0)  # a person without records: statuses, then hours


def counted_sessions(scope: Scope) -> list:
    """SQL conditions on StudySession: the sessions a report counts. Started in the period,
    not cancelled, and check-in closed (``closes_at`` ≤ now). A session still open for
    check-in is left out of every figure, table and total until it closes (签到结束后计入统计):
    half its people have not come yet, so counting it would show a session held with
    nobody expected, or a rate that changes by the minute."""
    from lawlearn.sessions.models import StudySession, checkin_closes

    start, end = scope.bounds
    closes_at = checkin_closes()
    return [StudySession.starts_at >= start, StudySession.starts_at < end,
            StudySession.starts_at <= scope.now, StudySession.cancelled_at.is_(None),
            closes_at <= scope.now]


def attendance_by_person(scope: Scope) -> dict[int, tuple]:
    """Per person: their records at the counted sessions by status (in ``STATUSES``
    order), then the study hours of the sessions they attended (present or late). One
    query (statuses pivoted in SQL: one row a person), shared by the sessions and the
    plans sources."""
    if "attendance" not in scope._cache:
        from lawlearn.sessions.models import Attendance, StudySession

        attended = Attendance.status.in_(("present", "late"))
        rows = rows_of(
            select(Attendance.user_id,
                   *(func.sum(case((Attendance.status == status, 1), else_=0))
                     for status in STATUSES),
                   func.sum(case((attended, StudySession.study_hours), else_=0)))
            .join(StudySession, StudySession.id == Attendance.session_id)
            .where(*counted_sessions(scope), scope.user_filter(Attendance.user_id))
            .group_by(Attendance.user_id))
        scope._cache["attendance"] = {row[0]: row[1:] for row in rows}
    return scope._cache["attendance"]


def awaiting_absent(scope: Scope) -> dict[int, list[int]]:
    """Counted sessions whose check-in has closed but which are not closed yet (closing
    writes an ``absent`` record for everyone expected then; pages close ended sessions
    first, so there are usually none): session id → the people of the scope expected there
    now (active, in its audience) without a record, who count as absent. One query when
    there is none, three otherwise; shared by the people's figures and the sessions table."""
    if "awaiting" not in scope._cache:
        from lawlearn.sessions.expected import is_expected_loaded
        from lawlearn.sessions.models import (
            Attendance,
            SessionAudience,
            StudySession,
            checkin_closes,
        )

        closes_at = checkin_closes()
        # session id → (for everyone, its check-in's close, and accounts made before this
        # are expected: as sessions.expected.expected_until)
        everyone = {session_id: (audience_all, closes, max(closes, entered or closes))
                    for session_id, audience_all, closes, entered in rows_of(
                        select(StudySession.id, StudySession.audience_all, closes_at,
                               StudySession.created_at)
                        .where(*counted_sessions(scope), StudySession.closed_at.is_(None)))}
        found: dict[int, list[int]] = {}
        if everyone:
            ids = list(everyone)
            recorded: dict[int, set[int]] = defaultdict(set)
            for session_id, user_id in rows_of(select(Attendance.session_id, Attendance.user_id)
                                               .where(Attendance.session_id.in_(ids))):
                recorded[session_id].add(user_id)
            departments: dict[int, set[int]] = defaultdict(set)
            persons: dict[int, set[int]] = defaultdict(set)
            for session_id, department_id, user_id in rows_of(select(
                    SessionAudience.session_id, SessionAudience.department_id,
                    SessionAudience.user_id).where(SessionAudience.session_id.in_(ids))):
                if department_id:
                    departments[session_id].add(department_id)
                if user_id:
                    persons[session_id].add(user_id)
            active = [person for person in scope.people() if person.active]
            for session_id, (audience_all, closes, until) in everyone.items():
                found[session_id] = [
                    person.id for person in active if person.id not in recorded[session_id]
                    and is_expected_loaded(person, departments[session_id], persons[session_id],
                                           audience_all, closes, until)]
        scope._cache["awaiting"] = found
    return scope._cache["awaiting"]


def session_rows(scope: Scope) -> list[SessionRow]:
    """Each counted session (see ``counted_sessions``) with the records of the people in
    scope (a department's report counts its own people only), counted as the people's
    rows count them: at a session awaiting its closing, everyone expected without a record
    is absent. A session where nobody of the scope was expected is left out of a
    department's report. Two queries, plus those of ``awaiting_absent`` (shared)."""
    from lawlearn.sessions.models import Attendance, SessionKind, StudySession

    counted = counted_sessions(scope)
    counts: dict[int, Counts] = defaultdict(Counts)
    for session_id, status, n in rows_of(
            select(Attendance.session_id, Attendance.status, func.count())
            .join(StudySession, StudySession.id == Attendance.session_id)
            .where(*counted, scope.user_filter(Attendance.user_id))
            .group_by(Attendance.session_id, Attendance.status)):
        counts[session_id].add(status, n)
    for session_id, absent in awaiting_absent(scope).items():
        counts[session_id].absent += len(absent)
    rows = []
    for session_id, title, kind, starts_at in rows_of(
            select(StudySession.id, StudySession.title, SessionKind.name, StudySession.starts_at)
            .join(SessionKind, SessionKind.id == StudySession.kind_id)
            .where(*counted).order_by(StudySession.starts_at, StudySession.id)):
        tally = counts.get(session_id) or Counts()
        if scope.department_id is not None and not tally.expected:
            continue
        rows.append(SessionRow(session_id, title, kind, starts_at, tally.expected,
                               tally.present, tally.late, tally.excused, tally.absent,
                               tally.rate(scope.rule), tally.pending))
    return rows


def quiz_rows(scope: Scope) -> list[QuizRow]:
    """Each quiz with answers submitted in the period by people in scope: takers, people
    who passed (at least once), and the average score (percent of each attempt's maximum)
    over those answers; and who of the scope it was for (应参加), as its results page
    counts them, with how many of those have taken it. A published quiz for people of the
    scope, open during the period, is listed with nobody taking it too: an exam a
    department skipped was missing from its report. Three queries."""
    from lawlearn.quiz.models import Attempt, Quiz, QuizAudience

    start, end = scope.bounds
    percent = attempt_percent()
    passed_user = case((Attempt.passed.is_(True), Attempt.user_id))
    taken = {row[0]: row for row in rows_of(
        select(Quiz.id, Quiz.title, Quiz.is_exam, func.count(func.distinct(Attempt.user_id)),
               func.count(func.distinct(passed_user)), func.count(Attempt.id),
               func.avg(percent))
        .join(Attempt, Attempt.quiz_id == Quiz.id)
        .where(Attempt.submitted_at >= start, Attempt.submitted_at < end,
               scope.user_filter(Attempt.user_id))
        .group_by(Quiz.id, Quiz.title, Quiz.is_exam))}
    untaken = {quiz_id: (quiz_id, title, is_exam, 0, 0, 0, None) for quiz_id, title, is_exam
               in rows_of(select(Quiz.id, Quiz.title, Quiz.is_exam).where(
                   Quiz.published.is_(True), Quiz.id.not_in(list(taken)) if taken else true(),
                   or_(Quiz.opens_at.is_(None), Quiz.opens_at < end),
                   or_(Quiz.closes_at.is_(None), Quiz.closes_at >= start),
                   or_(Quiz.audience_all.is_(True),
                       exists().where(QuizAudience.quiz_id == Quiz.id))))}
    audiences = _quiz_audiences(scope, [*taken, *untaken])
    rows = [*taken.values(), *(row for quiz_id, row in untaken.items() if quiz_id in audiences)]
    return [QuizRow(quiz_id, title, is_exam, takers, passed, attempts,
                    half_up(float(average)) if average is not None else None,
                    *audiences.get(quiz_id, (None, 0)))
            for quiz_id, title, is_exam, takers, passed, attempts, average
            in sorted(rows, key=lambda row: row[0])]


def _quiz_audiences(scope: Scope, quiz_ids: list[int]) -> dict[int, tuple[int, int]]:
    """quiz id → (people of the scope it was for, how many of them have handed a paper in
    by the period's end: someone who took it in March took it, on April's report too); a
    quiz for nobody in the scope (a session's exit quiz, another department's exam) is
    absent. One query over quiz × person, in the database: quiz.audience.for_the_quiz's
    rule for every quiz at once."""
    from lawlearn.accounts.models import Department, User, studies_condition
    from lawlearn.quiz.models import Attempt, Quiz, QuizAudience

    if not quiz_ids:
        return {}
    _start, end = scope.bounds
    listed = exists().where(QuizAudience.quiz_id == Quiz.id, or_(
        QuizAudience.user_id == User.id, QuizAudience.department_id == User.department_id,
        QuizAudience.department_id == Department.parent_id))
    # An account made after the quiz closed is not behind with it, whatever its 加入日期.
    joined = or_(Quiz.closes_at.is_(None),
                 and_(User.joined_at <= Quiz.closes_at, User.created_at <= Quiz.closes_at))
    took = (select(Attempt.quiz_id, Attempt.user_id).distinct()
            .where(Attempt.quiz_id.in_(quiz_ids), Attempt.submitted_at < end).subquery())
    rows = rows_of(
        select(Quiz.id, func.count(User.id), func.count(took.c.user_id))
        .select_from(Quiz).join(User, true())
        .outerjoin(Department, Department.id == User.department_id)
        .outerjoin(took, and_(took.c.quiz_id == Quiz.id, took.c.user_id == User.id))
        .where(Quiz.id.in_(quiz_ids), or_(Quiz.audience_all.is_(True), listed),
               User.active.is_(True), studies_condition(), joined,
               scope.user_filter(User.id))
        .group_by(Quiz.id))
    return {quiz_id: (expected, took_it) for quiz_id, expected, took_it in rows if expected}


@dataclass
class OutreachSection:
    """The outreach ledger for the report's period and department (reported events)."""

    totals: object
    by_category: list = field(default_factory=list)
    by_campaign: list = field(default_factory=list)
    events: list = field(default_factory=list)
    # Of ``totals.events``, those submitted and not yet verified: the draft going upward
    # says so, for its author to have them checked first.
    awaiting_review: int = 0


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
    submitted = LedgerFilters(date_from=scope.date_from, date_to=scope.date_to,
                              department_id=scope.department_id, status="submitted")
    return OutreachSection(ledger_totals(filters), totals_by_category(filters),
                           totals_by_campaign(filters),
                           ledger_events(filters) if with_events else [],
                           ledger_totals(submitted).events)
