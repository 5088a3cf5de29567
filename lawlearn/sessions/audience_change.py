"""A session's audience changed after people had records of it (checked in, on leave,
marked): they stay expected, by name. Dropped, they would be listed on the roster but not
counted — 出席 2 under 应到 5 of which none came — and the projector, the absentee list and
the reports would each count them their own way. Absences written when check-in closed
belong to the old audience: they go, and a closed session is closed again for the new one."""

from __future__ import annotations

from sqlalchemy import delete, select

from lawlearn.accounts.models import User
from lawlearn.extensions import db
from lawlearn.sessions.expected import expected_condition
from lawlearn.sessions.models import Attendance, SessionAudience, StudySession


def key_of(audience_all: bool, department_ids, user_ids) -> tuple:
    """An audience, comparable: everyone, or these departments and people."""
    return (True,) if audience_all else (False, frozenset(department_ids), frozenset(user_ids))


def audience_key(session: StudySession) -> tuple:
    return key_of(session.audience_all,
                  [a.department_id for a in session.audience if a.department_id],
                  [a.user_id for a in session.audience if a.user_id])


def recorded_and_expected(session: StudySession) -> set[int]:
    """Who has a record of ``session`` and is expected at it (one query)."""
    return set(db.session.scalars(select(Attendance.user_id).join(
        User, User.id == Attendance.user_id).where(Attendance.session_id == session.id,
                                                   expected_condition(session))))


def keep_the_recorded(session: StudySession, were: set[int]) -> list[User]:
    """After the audience of ``session`` changed (flushed): of ``were`` (recorded and
    expected before), those the new audience leaves out are added to it by name, but for
    an absence written at closing, which is removed. Returns the people kept."""
    dropped = were - recorded_and_expected(session) if were else set()
    if dropped:
        closing = set(db.session.scalars(select(Attendance.user_id).where(
            Attendance.session_id == session.id, Attendance.user_id.in_(dropped),
            Attendance.source == "closing")))
        if closing:
            db.session.execute(delete(Attendance).where(
                Attendance.session_id == session.id, Attendance.user_id.in_(closing)))
        dropped -= closing
        session.audience.extend(SessionAudience(user_id=user_id) for user_id in sorted(dropped))
    if session.closed_at is not None:
        session.closed_at = None  # the next page view writes the new audience's absences
    db.session.flush()
    return list(db.session.scalars(select(User).where(User.id.in_(dropped))
                                   .order_by(User.name_key, User.name))) if dropped else []
