"""The admin's list of quizzes (管理 → 测验): a few a month add up to hundreds over the
years, so the list is searched by title and filtered by state and kind, a page at a time."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import selectinload

from lawlearn.quiz.models import Quiz

# The states the list shows, in a quiz's order of life; the filter offers the same words.
STATES = {"draft": _l("草稿"), "upcoming": _l("已发布，未开始"), "open": _l("进行中"),
          "closed": _l("已结束")}
KINDS = {"exam": _l("考试"), "practice": _l("练习")}


def state_of(quiz: Quiz, now: datetime) -> str:
    """One of STATES' keys: where ``quiz`` stands at ``now``."""
    if not quiz.published:
        return "draft"
    if quiz.closes_at is not None and quiz.closes_at <= now:
        return "closed"
    if quiz.opens_at is not None and quiz.opens_at > now:
        return "upcoming"
    return "open"


def _state_condition(state: str, now: datetime):
    """The SQL of ``state_of(quiz, now) == state``."""
    closed = and_(Quiz.closes_at.is_not(None), Quiz.closes_at <= now)
    upcoming = and_(Quiz.opens_at.is_not(None), Quiz.opens_at > now)
    if state == "draft":
        return Quiz.published.is_(False)
    if state == "closed":
        return and_(Quiz.published.is_(True), closed)
    if state == "upcoming":
        return and_(Quiz.published.is_(True), ~closed, upcoming)
    return and_(Quiz.published.is_(True), ~or_(closed, upcoming))


def admin_quiz_query(now: datetime, *, q: str | None = None, state: str | None = None,
                     kind: str | None = None) -> Select:
    """Quizzes newest first, narrowed by a title search, a state and a kind; an unknown
    state or kind (a hand-edited URL) narrows nothing."""
    query = (select(Quiz).options(selectinload(Quiz.fixed_questions))
             .order_by(Quiz.id.desc()))
    if q and q.strip():
        query = query.where(Quiz.title.icontains(q.strip(), autoescape=True))
    if state in STATES:
        query = query.where(_state_condition(state, now))
    if kind in KINDS:
        query = query.where(Quiz.is_exam.is_(kind == "exam"))
    return query
