"""Who is expected at a study session: the SQL conditions every count and list uses, and
their Python twin for an audience already loaded; a person's sessions today. No HTTP here."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, case, false, func, or_, select, true

from lawlearn.accounts.models import Department, User, studies_condition
from lawlearn.extensions import db
from lawlearn.i18n import display_datetime
from lawlearn.sessions.models import Attendance, SessionAudience, StudySession, checkin_closes


def expected_condition(session: StudySession):
    """SQL condition on ``User``: active and expected at ``session`` (a department includes
    its sections), who joined (``User.joined_at``) and had an account before the session's
    check-in closed or before it was entered (see ``expected_until``). Subqueries on the
    audience rows rather than lists of ids, so a city-wide session (tens of thousands of
    people) never becomes one bound parameter per person."""
    condition = _could_attend(session)
    if session.audience_all:
        return condition
    audience = SessionAudience.__table__
    named = select(audience.c.department_id).where(audience.c.session_id == session.id,
                                                   audience.c.department_id.is_not(None))
    sections = select(Department.id).where(Department.parent_id.in_(named))
    people = select(audience.c.user_id).where(audience.c.session_id == session.id,
                                              audience.c.user_id.is_not(None))
    return and_(condition, or_(User.id.in_(people), User.department_id.in_(named),
                               User.department_id.in_(sections)))


def expected_by(session: StudySession, audience: tuple[bool, list[int], list[int]]):
    """SQL: as ``expected_condition``, for an audience given as (everyone, department ids,
    user ids): the one a session had before an edit. The lists are the audience's own
    entries (a few departments, people named), never the people a department holds."""
    everyone, department_ids, user_ids = audience
    condition = _could_attend(session)
    if everyone:
        return condition
    sections = select(Department.id).where(Department.parent_id.in_(department_ids))
    return and_(condition, or_(User.id.in_(user_ids), User.department_id.in_(department_ids),
                               User.department_id.in_(sections)))


def _could_attend(session: StudySession):
    """SQL on ``User``: active, studying, in the office (``User.joined_at``) before the
    session's check-in closed, and with an account before ``expected_until``: nobody could
    check in, or be marked, at a session closed before their account existed (an import's
    back-dated 加入日期), and someone who joined after a session was not there to attend."""
    return and_(User.active.is_(True), studies_condition(), User.joined_at < session.closes_at,
                User.created_at < expected_until(session))


def expected_until(session: StudySession) -> datetime:
    """Accounts made before this are expected at ``session`` (if they had joined the
    office by its check-in's close): the later of that close and the session's own entry.
    A session closed days late marks nobody absent whose account came after it; a past
    session entered afterwards (an office starting mid-year enters the year's earlier
    sessions) expects the accounts there when it was entered, by their 加入日期."""
    return max(session.closes_at, session.created_at or session.closes_at)


def came_after(session_ids: list[int], user_ids: list[int] | None):
    """SQL: (session id, user id) for the people, among ``user_ids`` (None: everyone), who
    joined after a session's check-in closed or had an account only from its
    ``expected_until`` on: nobody expected them there (``expected_condition``), nor can
    they be marked, whatever its audience."""
    closes_at = checkin_closes()
    until = case((StudySession.created_at > closes_at, StudySession.created_at),
                 else_=closes_at)
    return select(StudySession.id, User.id).where(
        StudySession.id.in_(session_ids),
        or_(User.joined_at >= closes_at, User.created_at >= until),
        User.id.in_(user_ids) if user_ids is not None else true())


def expected_count(session: StudySession) -> int:
    """How many people are expected at ``session`` (one count, whatever the audience)."""
    return db.session.scalar(select(func.count(User.id)).where(expected_condition(session))) or 0


def audience_condition(user: User, *, since_joined: bool = True):
    """SQL: sessions ``user`` is expected at; none for an account that does not study (no
    干部职工 role), nor one that closed before the person joined, unless entered
    later, as ``expected_condition`` counts."""
    if not user.studies:
        return false()
    department_ids = [user.department_id] if user.department_id else []
    if user.department is not None and user.department.parent_id:
        department_ids.append(user.department.parent_id)
    targeted = select(SessionAudience.session_id).where(or_(
        SessionAudience.user_id == user.id,
        SessionAudience.department_id.in_(department_ids) if department_ids else False))
    audience = or_(StudySession.audience_all.is_(True), StudySession.id.in_(targeted))
    if user.joined_at is None or user.created_at is None or not since_joined:
        return audience  # who may see it, not who is counted (or a new account unflushed)
    # As expected_condition says, in SQL: in the office by the close, with an account by
    # the close or the session's entry.
    closes_at = checkin_closes()
    return and_(audience, closes_at > user.joined_at,
                or_(closes_at > user.created_at, StudySession.created_at > user.created_at))


def is_expected(user: User, session: StudySession) -> bool:
    """One query: is ``user`` (active) in the session's audience?"""
    return user.active and db.session.scalar(select(StudySession.id).where(
        StudySession.id == session.id, audience_condition(user))) is not None


def checkin_open(session: StudySession, now: datetime) -> bool:
    # By 签到截止 alone, not closed_at: an admin who moves 签到截止 later after the closing
    # (people who forgot to check in) reopens check-in, and those marked absent who check
    # in then are recorded (services.check_in upgrades the absent record).
    return session.cancelled_at is None and session.opens_at <= now <= session.closes_at


def checkin_shut_reason(session: StudySession, now: datetime) -> str:
    """Why nobody can check in at ``now`` (check-in not open): cancelled, not open yet
    (from when), or over (since when), rather than "not open or over"."""
    if session.cancelled_at is not None:
        return _("本次活动已取消。")
    if now < session.opens_at:
        return _("签到将于 %(time)s 开放。", time=display_datetime(session.opens_at))
    return _("签到已于 %(time)s 截止。", time=display_datetime(session.closes_at))


def is_expected_loaded(user: User, department_ids: set[int], user_ids: set[int],
                       audience_all: bool, closes_at: datetime, until: datetime) -> bool:
    """The Python twin of ``expected_condition`` for a session's audience already loaded,
    with ``closes_at`` its check-in's close and ``until`` its ``expected_until``."""
    if user.joined_at >= closes_at or user.created_at >= until:  # as expected_condition
        return False
    if audience_all or user.id in user_ids:
        return True
    department = user.department
    return department is not None and (department.id in department_ids
                                       or department.parent_id in department_ids)


def todays_sessions(user: User, now: datetime) -> list[tuple[StudySession, Attendance | None,
                                                                bool]]:
    """Today's sessions (in the user's time zone) for the home page: (session, my record,
    check-in open now), in two queries."""
    from flask_babel import to_user_timezone, to_utc

    local_midnight = to_user_timezone(now).replace(hour=0, minute=0, second=0, microsecond=0,
                                                   tzinfo=None)
    start = to_utc(local_midnight)
    sessions = db.session.scalars(select(StudySession).where(
        audience_condition(user), StudySession.starts_at >= start,
        StudySession.starts_at < start + timedelta(days=1)).order_by(StudySession.starts_at)).all()
    if not sessions:
        return []
    mine = {a.session_id: a for a in db.session.scalars(select(Attendance).where(
        Attendance.user_id == user.id, Attendance.session_id.in_([s.id for s in sessions])))}
    return [(s, mine.get(s.id), checkin_open(s, now)) for s in sessions]
