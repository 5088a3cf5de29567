"""Who a quiz is for, and who of them has not handed it in yet: the results page's 应参加 /
未交卷, the follow-up an office makes before an exam closes. No HTTP here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select, true

from lawlearn.accounts.models import Department, User, studies_condition
from lawlearn.extensions import db
from lawlearn.quiz.models import Attempt, Quiz

# The results page names this many of the people still to hand in (a city's exam has
# thousands; the count says how many more).
NAMED = 100


@dataclass(frozen=True)
class Outstanding:
    expected: int  # active people who study and whom the quiz is for
    missing: int  # of them, with no attempt handed in
    named: list[tuple[str, str, str | None]]  # (name, username, department) of the first


def for_the_quiz(quiz: Quiz):
    """SQL condition on User: the quiz is for them (everyone, or their department, its unit
    or they are named), they study (干部职工), are active, and had joined before it closed."""
    if quiz.audience_all:
        listed = true()
    else:
        departments = [row.department_id for row in quiz.audience if row.department_id]
        people = [row.user_id for row in quiz.audience if row.user_id]
        sections = select(Department.id).where(Department.parent_id.in_(departments))
        listed = or_(User.id.in_(people), User.department_id.in_(departments),
                     User.department_id.in_(sections))
    # An account made after the quiz closed is not behind with it, whatever its 加入日期.
    joined = and_(User.joined_at <= quiz.closes_at, User.created_at <= quiz.closes_at) \
        if quiz.closes_at else true()
    return and_(User.active.is_(True), studies_condition(), listed, joined)


def outstanding(quiz: Quiz) -> Outstanding | None:
    """The quiz's audience and who of it has handed nothing in (three queries); None for a
    quiz listed to nobody (a session's exit quiz: its takers are those checked in)."""
    if not quiz.audience_all and not quiz.audience:
        return None
    audience = for_the_quiz(quiz)
    expected = db.session.scalar(select(func.count(User.id)).where(audience)) or 0
    missing = db.session.scalar(select(func.count(User.id))
                                .where(_missing_condition(quiz, audience))) or 0
    return Outstanding(expected, missing, not_handed_in(quiz, limit=NAMED) or [])


def _missing_condition(quiz: Quiz, audience):
    handed_in = select(Attempt.user_id).where(Attempt.quiz_id == quiz.id,
                                              Attempt.submitted_at.is_not(None))
    return and_(audience, User.id.not_in(handed_in))


def not_handed_in(quiz: Quiz, limit: int | None = None) -> list[tuple[str, str, str | None]] | None:
    """(name, username, department) of the people the quiz is for who have handed nothing
    in, by department (one query; the first ``limit`` of them); None for a quiz listed to
    nobody (an exit quiz), where nobody is behind with it."""
    if not quiz.audience_all and not quiz.audience:
        return None
    parent = db.aliased(Department)
    named = db.session.execute(
        select(User.name, User.username, Department.name, parent.name)
        .outerjoin(Department, Department.id == User.department_id)
        .outerjoin(parent, parent.id == Department.parent_id)
        .where(_missing_condition(quiz, for_the_quiz(quiz)))
        .order_by(User.department_id.is_(None), func.coalesce(parent.sort_order, Department.sort_order),
                  func.coalesce(parent.name, Department.name), Department.parent_id.is_not(None),
                  Department.name, User.name_key, User.id)
        .limit(limit)).all()
    return [(name, username, f"{unit}/{department}" if unit else department)
            for name, username, department, unit in named]


@dataclass(frozen=True)
class Taker:
    """One person of a department a quiz is for, and where they stand with it."""

    name: str
    department_id: int | None
    papers: int  # handed in
    best_percent: float | None  # best paper's score, percent of its maximum
    passed: bool
    answering: bool  # a paper open now


def department_takers(quiz: Quiz, department_ids: list[int]) -> list[Taker]:
    """The people of ``department_ids`` the quiz is for (as the results page counts them),
    those with nothing handed in first, then by department and name (two queries: the
    quiz's audience rows, then everyone with their papers). A head of department's
    follow-up: the report counts quizzes per person, not who is behind with this one."""
    if not quiz.audience_all and not quiz.audience:
        return []
    handed = (select(Attempt.user_id, func.count(Attempt.id).label("papers"),
                     func.max(case((Attempt.passed.is_(True), 1), else_=0)).label("passed"),
                     func.max(Attempt.score * 100.0 / func.nullif(Attempt.max_score, 0))
                     .label("best"))
              .where(Attempt.quiz_id == quiz.id, Attempt.submitted_at.is_not(None))
              .group_by(Attempt.user_id).subquery())
    answering = select(Attempt.user_id).where(Attempt.quiz_id == quiz.id,
                                              Attempt.submitted_at.is_(None))
    rows = db.session.execute(
        select(User.name, User.department_id, handed.c.papers, handed.c.best, handed.c.passed,
               User.id.in_(answering))
        .outerjoin(handed, handed.c.user_id == User.id)
        .where(for_the_quiz(quiz), User.department_id.in_(department_ids))
        .order_by(handed.c.papers.is_not(None), User.department_id, User.name_key, User.id)).all()
    return [Taker(name, department_id, papers or 0,
                  float(best) if best is not None else None, bool(passed), bool(open_now))
            for name, department_id, papers, best, passed, open_now in rows]
