"""The people of one session: its attendance roster for the admin's 出勤 page (everyone
expected or recorded, searched, filtered by status, a page at a time), its absentees and
its counts. A city-wide session expects tens of thousands of people, so every figure here
is an SQL count and no list of ids is bound. (Rates over a period: sessions.attendance.)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Select, and_, exists, func, or_, select, true
from sqlalchemy.orm import lazyload

from lawlearn.accounts.departments import department_sort_key, tree_rank
from lawlearn.accounts.models import Department, User
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.sessions.attendance import Counts, _people_query
from lawlearn.sessions.models import ATTENDANCE_STATUSES, Attendance, StudySession
from lawlearn.sessions.services import expected_condition, expected_count

NOT_CHECKED_IN = "none"  # the filter for people expected who have no record yet
SHARED_DEVICE = "shared_device"  # the filter for records from a device several accounts used
FILTERS = (NOT_CHECKED_IN, *ATTENDANCE_STATUSES, SHARED_DEVICE)


def _shared_device_keys(session: StudySession) -> Select:
    """Device keys several accounts checked in with at ``session``."""
    return (select(Attendance.device_key)
            .where(Attendance.session_id == session.id, Attendance.device_key.is_not(None))
            .group_by(Attendance.device_key).having(func.count() > 1))


def roster_query(session: StudySession, *, q: str | None = None, status: str | None = None,
                 departments: list[Department] | None = None) -> Select:
    """People expected at ``session`` or with a record of it (someone recorded and since
    moved out of the audience stays listed), by department in the tree's order (as the
    office's lists are), then name (pinyin). ``q`` matches name or username; ``status`` is one
    of FILTERS (anything else lists everyone). ``departments``: every department, if the
    caller has them loaded (else they are read here)."""
    if departments is None:
        departments = list(db.session.scalars(select(Department)))
    query = (select(User)
             .outerjoin(Attendance, and_(Attendance.session_id == session.id,
                                         Attendance.user_id == User.id))
             .where(or_(expected_condition(session), Attendance.id.is_not(None)))
             .options(lazyload(User.role_rows))
             .order_by(tree_rank(departments, User.department_id), User.name_key, User.name,
                       User.username))
    if q:
        query = query.where(or_(User.name.icontains(q, autoescape=True),
                                User.username.icontains(q, autoescape=True)))
    if status == NOT_CHECKED_IN:
        query = query.where(Attendance.id.is_(None))
    elif status == SHARED_DEVICE:
        query = query.where(Attendance.device_key.in_(_shared_device_keys(session)))
    elif status in ATTENDANCE_STATUSES:
        query = query.where(Attendance.status == status)
    return query


def records_of(session: StudySession, users: list[User]) -> dict[int, Attendance]:
    """The records of ``users`` (one page of the roster) at ``session``, by user id."""
    if not users:
        return {}
    return {record.user_id: record for record in db.session.scalars(select(Attendance).where(
        Attendance.session_id == session.id, Attendance.user_id.in_([u.id for u in users])))}


@dataclass
class RosterCounts:
    expected: int
    by_status: dict[str, int]  # every status, 0 when none
    not_checked_in: int  # expected, no record yet
    shared_devices: int  # devices several accounts checked in with


def roster_counts(session: StudySession,
                  department_ids: list[int] | None = None) -> RosterCounts:
    """The figures above the roster, in four count queries whatever the audience; with
    ``department_ids``, of those departments' people only (a head of department's own),
    in three (the shared-device check is the admins')."""
    in_scope = expected_condition(session) if department_ids is None else \
        and_(expected_condition(session), User.department_id.in_(department_ids))
    closed = session.closed_at is not None
    # Once closed, everyone expected then has a record, and the records are the figures: a
    # leaver deactivated since still counts where they were (as on the list below, the
    # absentees page and the reports). Before, the audience's records only: someone taken
    # out of it after checking in would make 出席 exceed 应到.
    recorded_scope = in_scope if not closed else true() if department_ids is None else \
        User.department_id.in_(department_ids)
    by_status = dict.fromkeys(ATTENDANCE_STATUSES, 0)
    by_status.update(db.session.execute(
        select(Attendance.status, func.count()).join(User, User.id == Attendance.user_id)
        .where(Attendance.session_id == session.id, recorded_scope)
        .group_by(Attendance.status)).all())
    expected = select(func.count(User.id)).where(in_scope)
    unrecorded = db.session.scalar(expected.where(~exists().where(
        Attendance.session_id == session.id, Attendance.user_id == User.id))) or 0
    devices = 0
    if department_ids is None:
        devices = db.session.scalar(
            select(func.count()).select_from(_shared_device_keys(session).subquery())) or 0
    return RosterCounts(
        expected=sum(by_status.values()) + unrecorded if closed
        else db.session.scalar(expected) or 0,
        by_status=by_status, not_checked_in=unrecorded, shared_devices=devices)


def shared_device_users(session: StudySession, users: list[User]) -> set[int]:
    """Which of ``users`` checked in from a device that other accounts used too."""
    if not users:
        return set()
    return set(db.session.scalars(select(Attendance.user_id).where(
        Attendance.session_id == session.id, Attendance.user_id.in_([u.id for u in users]),
        Attendance.device_key.in_(_shared_device_keys(session)))))


# --- absentees ----------------------------------------------------------------------------


@dataclass
class DepartmentAbsentees:
    department_id: int | None
    name: str
    people: list[User]


def _awaiting_close(session: StudySession, now: datetime) -> bool:
    """Check-in has closed but the absentees have not been written yet."""
    return session.cancelled_at is None and session.closed_at is None and session.closes_at <= now


def _absent_condition(session: StudySession, now: datetime):
    """SQL condition on ``User``: marked absent from ``session``, or — once check-in has
    closed but before the session is closed — expected there without a record."""
    absent = exists().where(Attendance.session_id == session.id,
                            Attendance.user_id == User.id, Attendance.status == "absent")
    if not _awaiting_close(session, now):
        return absent
    unrecorded = ~exists().where(Attendance.session_id == session.id,
                                 Attendance.user_id == User.id)
    return or_(absent, and_(expected_condition(session), unrecorded))


def absentees(session: StudySession, now: datetime | None = None) -> list[User]:
    """People absent from ``session`` (see ``_absent_condition``), by name."""
    if session.cancelled_at is not None:
        return []
    condition = _absent_condition(session, now or utcnow())
    return list(db.session.scalars(_people_query().where(condition)
                                   .order_by(User.name_key, User.name, User.username)))


def absentees_by_department(session: StudySession,
                            now: datetime | None = None) -> list[DepartmentAbsentees]:
    """Absentees grouped by their own department (unit or section), in department order."""
    groups: dict[int | None, tuple[Department | None, list[User]]] = {}
    for person in absentees(session, now):
        key = person.department_id
        groups.setdefault(key, (person.department, []))[1].append(person)
    ordered = sorted(groups.values(), key=lambda item: department_sort_key(item[0]))
    return [DepartmentAbsentees(department.id if department else None,
                                department.full_name if department else _("未分配部门"), people)
            for department, people in ordered]


def session_counts(session: StudySession, now: datetime | None = None) -> tuple[int, Counts]:
    """(people expected, records by status) of one session. Once the session is closed
    everyone expected then has a record; before, the expected are counted now."""
    counts = Counts()
    for status, n in db.session.execute(select(Attendance.status, func.count()).where(
            Attendance.session_id == session.id).group_by(Attendance.status)):
        counts.add(status, n)
    if session.closed_at is not None:
        return counts.expected, counts
    now = now or utcnow()
    if _awaiting_close(session, now):
        counts.absent = db.session.scalar(select(func.count(User.id)).where(
            _absent_condition(session, now))) or 0
    return expected_count(session), counts
