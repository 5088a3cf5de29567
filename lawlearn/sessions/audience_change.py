"""A session's audience changed after people had records of it (checked in, on leave,
marked). Left out of the new audience they would be listed on the roster but not counted
(出席 2 under 应到 5 of which none came), and the projector, the absentee list and the
reports would each count them their own way: such a change is refused, naming them, so the
admin adds them by name or keeps the audience. Absences written when check-in closed belong
to the old audience: they go, and a closed session is closed again for the new one.
All in SQL: a city-wide session's people are never a list of ids."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import and_, delete, exists, func, not_, or_, select

from lawlearn.accounts.models import User
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.sessions.expected import expected_by, expected_condition
from lawlearn.sessions.models import Attendance, StudySession

NAMED = 10  # people named in the refusal; the rest are counted


def audience_of(session: StudySession) -> tuple[bool, list[int], list[int]]:
    """(everyone, department ids, user ids) of the session's audience as it stands."""
    if session.audience_all:
        return True, [], []
    return (False, sorted(a.department_id for a in session.audience if a.department_id),
            sorted(a.user_id for a in session.audience if a.user_id))


def audience_wanted(audience_all: bool, department_ids, user_ids) -> tuple:
    return (True, [], []) if audience_all else (False, sorted(set(department_ids)),
                                                sorted(set(user_ids)))


def _recorded():
    """SQL on Attendance: a record someone made (not an absence written at closing)."""
    return or_(Attendance.source != "closing", Attendance.marked_by_id.is_not(None))


def refuse_leaving_out_the_recorded(session: StudySession, before: tuple) -> None:
    """After the new audience is flushed: people with a record who were expected under
    ``before`` and are not now make the change refused (ValidationFailed on the audience)."""
    left_out = and_(Attendance.session_id == session.id, Attendance.user_id == User.id,
                    _recorded(), expected_by(session, before), not_(expected_condition(session)))
    count = db.session.scalar(select(func.count()).select_from(Attendance).join(
        User, User.id == Attendance.user_id).where(left_out)) or 0
    if not count:
        return
    named = db.session.execute(select(User.name, User.username).join(
        Attendance, Attendance.user_id == User.id).where(left_out)
        .order_by(User.name_key, User.name).limit(NAMED)).all()
    names = "、".join(_("%(name)s（%(username)s）", name=name, username=username)
                     for name, username in named) + (_("等") if count > NAMED else "")
    raise ValidationFailed(_("“%(title)s”已有 %(n)d 人签到、请假或被标记，不在新的参加范围内：%(names)s。"
                             "请把他们的用户名填入“应参加人员（用户名）”后再保存，或保留原来的参加范围。",
                             title=session.title, n=count, names=names), field="department_ids")


def follow_the_new_audience(session: StudySession) -> None:
    """Absences written at closing for people the new audience leaves out go; a closed
    session is closed again (the next page view writes the new audience's absences)."""
    db.session.execute(delete(Attendance).where(
        Attendance.session_id == session.id, not_(_recorded()),
        ~exists().where(User.id == Attendance.user_id, expected_condition(session)))
        .execution_options(synchronize_session=False))
    if session.closed_at is not None:
        session.closed_at = None
