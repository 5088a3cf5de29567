"""Study sessions: scheduling (with repeats), who is expected, check-in, manual marks,
closing a session. No HTTP here."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from blinker import Namespace
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import Department, User
from lawlearn.database import all_exist
from lawlearn.errors import Conflict, NotFound, ValidationFailed, raise_all
from lawlearn.extensions import db
from lawlearn.i18n import display_datetime
from lawlearn.library.models import Material
from lawlearn.localtime import local_day
from lawlearn.quiz.models import Quiz
from lawlearn.sessions import audience_change
from lawlearn.sessions.announcements import tell_of_cancellation, tell_of_change

# Who is expected and closing check-in live in modules of their own; callers have always
# asked this one for them.
from lawlearn.sessions.closing import close_ended_sessions, close_session  # noqa: F401
from lawlearn.sessions.expected import (  # noqa: F401
    audience_condition,
    checkin_open,
    checkin_shut_reason,
    expected_condition,
    expected_count,
    expected_until,
    is_expected,
)
from lawlearn.sessions.mark_times import check_mark_time
from lawlearn.sessions.models import (
    ATTENDANCE_STATUSES,
    Attendance,
    SessionAudience,
    SessionKind,
    SessionLink,
    StudySession,
)
from lawlearn.sessions.series import repeat_offsets
from lawlearn.validators import audience_both_message

# Sent as (None, user_id=…, session_id=…, status=…, now=…) whenever a person's attendance
# gets a status by check-in, manual marking or a passed exit quiz (points listen to it).
attendance_recorded = Namespace().signal("attendance-recorded")

MAX_SESSION_LENGTH = timedelta(days=7)  # longer is a mistyped date, open to check-in for ages


@dataclass
class SessionFields:
    title: str
    kind_id: int
    starts_at: datetime
    ends_at: datetime
    place: str = ""
    speaker: str = ""
    description: str = ""
    study_hours: float = 0
    checkin_opens_minutes: int = 30
    late_after_minutes: int = 10
    checkin_closes_at: datetime | None = None
    exit_quiz_id: int | None = None
    audience_all: bool = True
    department_ids: list[int] = field(default_factory=list)
    # None: people were named but not all could be found (the form says which).
    user_ids: list[int] | None = field(default_factory=list)
    material_ids: list[int] = field(default_factory=list)
    article_ids: list[int] = field(default_factory=list)


def session_problems(fields: SessionFields) -> list[ValidationFailed]:
    """Every problem at once (the form shows each beside its field). A form whose own
    checks failed passes None for what it could not read (times, minutes, the people
    named): the checks that need them are skipped."""
    starts, ends, closes = fields.starts_at, fields.ends_at, fields.checkin_closes_at
    return [ValidationFailed(message, field=name) for failed, name, message in (
        (not (fields.title or "").strip(), "title", _("请填写活动名称。")),
        (starts is not None and ends is not None and ends <= starts, "ends_at",
         _("结束时间须晚于开始时间。")),
        (starts is not None and ends is not None and ends - starts > MAX_SESSION_LENGTH,
         "ends_at", _("活动时长不能超过 %(days)d 天，请检查结束日期。",
                      days=MAX_SESSION_LENGTH.days)),
        (not all_exist(SessionKind, [fields.kind_id]), "kind_id", _("请选择活动类型。")),
        ((fields.checkin_opens_minutes or 0) < 0 or (fields.late_after_minutes or 0) < 0,
         "late_after_minutes", _("签到时间设置不能为负数。")),
        (closes is not None and starts is not None and closes < starts,
         "checkin_closes_at", _("签到截止时间不能早于开始时间。")),
        (not fields.audience_all and fields.user_ids is not None
         and not (fields.department_ids or fields.user_ids),
         "department_ids", _("请选择应参加的部门或人员。")),
        (fields.audience_all and bool(fields.department_ids or fields.user_ids),
         "department_ids", audience_both_message()),
        # What the form offered may be gone by the time it is sent (deleted in another
        # tab): a message, not a foreign-key error.
        (not fields.audience_all and not all_exist(Department, fields.department_ids),
         "department_ids", _("所选部门已不存在，请刷新页面后重新选择。")),
        (not all_exist(Material, fields.material_ids, Material.published.is_(True)),
         "material_ids", _("所选学习资料已不存在或已撤回，请刷新页面后重新选择。")),
        # A draft quiz is open to no one: people checked in would wait for it for ever.
        (fields.exit_quiz_id is not None
         and not all_exist(Quiz, [fields.exit_quiz_id], Quiz.published.is_(True)),
         "exit_quiz_id", _("随堂测验须是已发布的测验。"))) if failed]


def _check(fields: SessionFields) -> None:
    raise_all(session_problems(fields))


def _apply(session: StudySession, fields: SessionFields, shift: timedelta = timedelta(),
           own_closing: bool = False) -> None:
    """``fields`` onto ``session`` (a later one of its series ``shift`` on); with
    ``own_closing`` the session keeps its own 签到截止."""
    for name in ("title", "kind_id", "place", "speaker", "description", "study_hours",
                 "checkin_opens_minutes", "late_after_minutes", "exit_quiz_id", "audience_all"):
        setattr(session, name, getattr(fields, name))
    session.title = session.title.strip()
    session.place = (session.place or "").strip()
    session.starts_at = fields.starts_at + shift
    session.ends_at = fields.ends_at + shift
    if not own_closing:
        session.checkin_closes_at = fields.checkin_closes_at + shift \
            if fields.checkin_closes_at else None
    session.audience = [] if fields.audience_all else (
        [SessionAudience(department_id=d) for d in fields.department_ids]
        + [SessionAudience(user_id=u) for u in fields.user_ids])
    session.links = ([SessionLink(material_id=m) for m in dict.fromkeys(fields.material_ids)]
                     + [SessionLink(article_id=a) for a in dict.fromkeys(fields.article_ids)])


def create_sessions(actor: User | None, fields: SessionFields, *, repeat: str | None = None,
                    until: datetime | None = None, now: datetime | None = None,
                    past_confirmed: bool = True) -> list[StudySession]:
    """One session, or a series repeating weekly or monthly until ``until``. Given ``now``,
    a session that has already ended needs ``past_confirmed``: closed, it marks everyone
    expected absent, so a mistyped year would sink the year's rates unnoticed."""
    _check(fields)
    if now is not None and not past_confirmed:
        _refuse_if_over(fields.ends_at, now)
    offsets = repeat_offsets(fields.starts_at, repeat, until)
    series = secrets.token_hex(8) if len(offsets) > 1 else None
    created = []
    for offset in offsets:
        session = StudySession(series_id=series, created_by_id=actor.id if actor else None)
        _apply(session, fields, offset)
        db.session.add(session)
        created.append(session)
    db.session.flush()
    record_audit(actor, "session.create", created[0],
                 _("安排学法活动《%(title)s》%(n)d 场", title=created[0].title, n=len(created)))
    return created


def _refuse_if_over(ends_at: datetime, now: datetime) -> None:
    if ends_at <= now:
        raise ValidationFailed(_("这场活动已于 %(when)s 结束。如果是补录往期活动，请勾选此项后再"
                                 "保存（补录后未标记出勤的应到人员计为缺席）；否则请检查日期。",
                                 when=display_datetime(ends_at)),
                               field="past_confirmed", code="session_in_past")


def update_session(actor: User, session: StudySession, fields: SessionFields, *,
                   whole_series: bool = False, now: datetime | None = None,
                   past_confirmed: bool = True) -> int:
    """Edit one session, or this and every later session of its series (same shift). New
    times that have already ended need ``past_confirmed`` (given ``now``), as a new
    session does: a year mistyped on an upcoming one would mark everyone absent. (A series
    edited from a session held: only the sessions still ahead are asked about.) A new
    audience may not leave out people with records (audience_change)."""
    _check(fields)
    # To the minute, as the form shows them: a session made with seconds is not "moved".
    def minutes(*moments: datetime) -> tuple:
        return tuple(m.replace(second=0, microsecond=0) for m in moments)

    moved = minutes(fields.starts_at, fields.ends_at) != minutes(session.starts_at,
                                                                  session.ends_at)
    targets = [session]
    if whole_series and session.series_id:
        targets = list(db.session.scalars(select(StudySession).where(
            StudySession.series_id == session.series_id,
            StudySession.starts_at >= session.starts_at, StudySession.cancelled_at.is_(None))))
    if now is not None and not past_confirmed and moved:
        upcoming = [t for t in targets if t.ends_at > now] if len(targets) > 1 else targets
        for target in upcoming:
            _refuse_if_over(fields.ends_at + (target.starts_at - session.starts_at), now)
    from lawlearn.plans.reach import check_narrowing  # here: plans imports this package
    from lawlearn.plans.targets import follow_moved_sessions

    shifts = [(target, target.starts_at - session.starts_at) for target in targets]
    was = {target.id: (target.starts_at, target.place) for target in targets}
    wanted = audience_change.audience_wanted(fields.audience_all, fields.department_ids,
                                             fields.user_ids)
    before = {target.id: audience for target in targets
              if (audience := audience_change.audience_of(target)) != wanted}
    # A 签到截止 left as it was (a 结束签到's time, say: 20 minutes in) is the edited session's
    # own, not one for the rest of its series to take.
    kept = not moved and fields.checkin_closes_at is not None \
        and session.checkin_closes_at is not None \
        and minutes(fields.checkin_closes_at) == minutes(session.checkin_closes_at)
    check_narrowing("session", [target.id for target in targets],
                    lambda: [_apply(target, fields, shift, kept and target is not session)
                             for target, shift in shifts])
    if before:
        db.session.flush()
    for target in targets:
        if target.id in before:
            audience_change.refuse_leaving_out_the_recorded(target, before[target.id])
            audience_change.follow_the_new_audience(target)
    follow_moved_sessions({target.id: (local_day(was[target.id][0]), local_day(target.starts_at))
                           for target in targets})
    record_audit(actor, "session.update", session,
                 _("修改学法活动《%(title)s》%(n)d 场", title=session.title, n=len(targets)))
    # People hear of a new start or room at the first session still ahead (the one edited
    # may be over while later ones of its series are not); an end moved or a space typed is
    # no news.
    ahead = sorted((t for t in targets if now is not None and t.ends_at > now
                    and t.cancelled_at is None), key=lambda t: t.starts_at)
    if ahead:
        first, (starts_at, place) = ahead[0], was[ahead[0].id]
        if minutes(first.starts_at) != minutes(starts_at) \
                or (first.place or "").strip() != (place or "").strip():
            tell_of_change(first, starts_at, place, len(ahead), now)
    return len(targets)


def cancel_session(actor: User, session: StudySession, reason: str, now: datetime) -> int:
    """Cancel with a reason staff see; how many people expected were told."""
    if not reason.strip():
        raise ValidationFailed(_("请填写取消原因，职工会看到。"), field="reason")
    # Claimed in one UPDATE: a double click or a second tab cancels (and tells people) once.
    claimed = db.session.execute(
        update(StudySession).where(StudySession.id == session.id,
                                   StudySession.cancelled_at.is_(None))
        .values(cancelled_at=now, cancel_reason=reason.strip())
        .execution_options(synchronize_session=False)).rowcount
    if not claimed:
        raise Conflict(_("本次活动已经取消。"), code="already_cancelled")
    set_committed_value(session, "cancelled_at", now)
    set_committed_value(session, "cancel_reason", reason.strip())
    record_audit(actor, "session.cancel", session,
                 _("取消学法活动《%(title)s》：%(reason)s", title=session.title, reason=reason))
    from lawlearn.plans.targets import forget_cancelled_session  # plans imports this package

    forget_cancelled_session(session.id, local_day(session.starts_at))
    if session.ends_at > now:
        # Whoever is expected hears of it (the bell), or they come to an empty hall. A
        # session already over is only tidied up: nobody needs telling.
        return tell_of_cancellation(session, now)
    return 0


def get_session(session_id: int) -> StudySession:
    session = db.session.get(StudySession, session_id)
    if session is None:
        raise NotFound(_("学法活动不存在。"))
    return session


# --- check-in -----------------------------------------------------------------------------


def device_key(user_agent: str, address: str, device_id: str | None = None) -> str:
    """Which device checked in: several accounts on one device get flagged, not blocked.
    The browser's own device cookie when it sent one (two phones of one model on the
    office's network are two devices); else, for API clients, a coarse fingerprint."""
    if device_id:
        return hashlib.sha256(f"device|{device_id}".encode()).hexdigest()
    return hashlib.sha256(f"{user_agent}|{address}".encode()).hexdigest()


def check_in(user: User, session: StudySession, now: datetime, *, via: str = "qr",
             user_agent: str = "", address: str = "",
             device_id: str | None = None) -> tuple[Attendance, bool]:
    """Record the check-in; a repeat returns the first record (``False``)."""
    existing = db.session.scalar(select(Attendance).filter_by(session_id=session.id,
                                                              user_id=user.id))
    if existing is not None and existing.checked_in_at is not None:
        return existing, False
    if not checkin_open(session, now):
        raise Conflict(checkin_shut_reason(session, now), code="checkin_closed")
    if not is_expected(user, session):
        raise Conflict(_("您不在本次活动的应到人员名单中，请联系管理员。"), code="not_expected")
    late = now > session.starts_at + timedelta(minutes=session.late_after_minutes)
    status = "late" if late else "present"
    if session.exit_quiz_id:
        status = "pending_quiz"
    values = dict(status=status, checked_in_at=now, source=via,
                  device_hint=(user_agent or "")[:300],
                  device_key=device_key(user_agent, address, device_id)
                  if user_agent or device_id else None)
    if existing is not None:  # excused or marked absent earlier: the person came after all
        for name, value in values.items():
            setattr(existing, name, value)
        attendance_recorded.send(None, user_id=user.id, session_id=session.id, status=status,
                                 now=now)
        return existing, True
    attendance = Attendance(session_id=session.id, user_id=user.id, **values)
    try:
        with db.session.begin_nested():
            db.session.add(attendance)
    except IntegrityError:
        # A double tap or a second phone: the unique key kept one record; answer with it.
        # Unless that record is no check-in (the session closing at this very moment wrote
        # the person absent): this check-in came in time, so it stands.
        attendance = db.session.scalar(select(Attendance).filter_by(session_id=session.id,
                                                                    user_id=user.id))
        if attendance.checked_in_at is not None:
            return attendance, False
        for name, value in values.items():
            setattr(attendance, name, value)
    attendance_recorded.send(None, user_id=user.id, session_id=session.id, status=status, now=now)
    return attendance, True


def mark(actor: User, session: StudySession, person: User, status: str, note: str,
         now: datetime) -> Attendance:
    """Manual marking for people without phones; recorded in the audit log."""
    if status not in ATTENDANCE_STATUSES or status == "pending_quiz":
        raise ValidationFailed(_("未知的出勤状态。"), field="status")
    check_mark_time(session, status, now)
    attendance = db.session.scalar(select(Attendance).filter_by(session_id=session.id,
                                                                user_id=person.id))
    # The roster lists the audience: a record for anyone else would count beyond 应到.
    if attendance is None and not is_expected(person, session):
        raise Conflict(_("%(name)s 不在本次活动的应到人员名单中；如需登记，请先把其加入参加范围。",
                         name=person.name), code="not_expected")
    # What it was before (None: no record yet): the audit log shows a correction as one.
    previous = attendance.status if attendance is not None else None
    if attendance is None:
        attendance = Attendance(session_id=session.id, user_id=person.id, source="manual",
                                status=status)
        try:
            with db.session.begin_nested():
                db.session.add(attendance)
        except IntegrityError:  # a double click, or the person checking in meanwhile
            attendance = db.session.scalar(select(Attendance).filter_by(
                session_id=session.id, user_id=person.id))
            previous = attendance.status
    attendance.status, attendance.note, attendance.marked_by_id = status, note or None, actor.id
    if previous != status:  # a note added to a check-in keeps how the person checked in
        attendance.source = "manual"
    # Marked after the session (from a paper sign-in sheet, say): they came to it then, not
    # at the moment of marking; the check-in time and the points say so.
    attended_at = now if now <= session.ends_at else session.starts_at + (
        timedelta(minutes=session.late_after_minutes + 1) if status == "late" else timedelta())
    if status in ("present", "late") and attendance.checked_in_at is None:
        attendance.checked_in_at = attended_at
    if previous is None or previous == status:
        summary = _("将 %(name)s 在《%(title)s》的出勤标记为%(status)s", name=person.name,
                    title=session.title, status=ATTENDANCE_STATUSES[status])
    else:
        summary = _("将 %(name)s 在《%(title)s》的出勤由%(before)s改为%(status)s",
                    name=person.name, title=session.title,
                    before=ATTENDANCE_STATUSES.get(previous, previous),
                    status=ATTENDANCE_STATUSES[status])
    record_audit(actor, "attendance.mark", session, summary,
                 {"user_id": person.id, "status": status, "previous_status": previous,
                  "note": note})
    attendance_recorded.send(None, user_id=person.id, session_id=session.id, status=status,
                             now=attended_at)
    return attendance
