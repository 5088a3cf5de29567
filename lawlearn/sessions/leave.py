"""Leave requests (请假): asked before a session, decided by the department lead or an admin.

An approved request makes the person's attendance excused. Plain functions, no HTTP: they
flush and raise domain errors; the caller commits.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import Department, Role, User
from lawlearn.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from lawlearn.extensions import db
from lawlearn.i18n import display_datetime, inner_title
from lawlearn.sessions.models import LEAVE_STATUSES, Attendance, LeaveRequest, StudySession
from lawlearn.sessions.services import attendance_recorded, audience_condition

MAX_REASON = 500
MAX_NOTE = 500
# Statuses of a check-in: approved leave does not overwrite the record of someone who came.
CHECKED_IN = ("present", "late", "pending_quiz")


def is_expected(user: User, session: StudySession) -> bool:
    """True when ``user`` (active) is in the session's expected audience; one query."""
    if not user.active:
        return False
    found = db.session.scalar(select(StudySession.id).where(StudySession.id == session.id,
                                                            audience_condition(user)))
    return found is not None


def request_of(user: User, session: StudySession) -> LeaveRequest | None:
    """The user's request for ``session``, if any."""
    return db.session.scalar(select(LeaveRequest).filter_by(session_id=session.id,
                                                            user_id=user.id))


def get_leave_request(request_id: int) -> LeaveRequest:
    leave = db.session.get(LeaveRequest, request_id)
    if leave is None:
        raise NotFound(_("请假申请不存在。"))
    return leave


def _refuse_if_decided(leave: LeaveRequest) -> None:
    if leave.status == "approved":
        raise Conflict(_("您的请假申请已批准，不能再修改。如需参加，到场签到即可。"),
                       code="leave_decided")
    if leave.status == "rejected":
        raise Conflict(_("您的请假申请未获批准，不能再次申请。如有特殊情况，请直接联系科室负责人。"),
                       code="leave_decided")


def request_leave(user: User, session: StudySession, reason: str,
                  now: datetime) -> tuple[LeaveRequest, bool]:
    """Ask for leave before ``session`` starts; a second request updates a pending one.

    Returns the request and whether it was created (``False``: an update).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("请填写请假事由。"), field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationFailed(_("请假事由最多 %(max)d 字。", max=MAX_REASON), field="reason")
    if session.cancelled_at is not None:
        raise Conflict(_("该活动已取消，无需请假。"), code="session_cancelled")
    if now >= session.ends_at:
        raise Conflict(_("活动已结束，不能再请假。如有出勤记录需要更正，请联系管理员。"),
                       code="session_ended")
    if now >= session.starts_at:
        raise Conflict(_("活动已开始，不能再请假。请联系管理员说明情况。"), code="session_started")
    existing = request_of(user, session)
    if existing is not None:
        _refuse_if_decided(existing)
    if not is_expected(user, session):
        raise Conflict(_("您不在本次活动的应到人员名单中，无需请假。"), code="not_expected")
    attended = db.session.scalar(select(Attendance.status).where(
        Attendance.session_id == session.id, Attendance.user_id == user.id))
    if attended in CHECKED_IN:
        raise Conflict(_("您已签到，不能再请假。"), code="checked_in")
    if existing is not None:
        _update_reason(existing, reason)
        return existing, False
    leave = LeaveRequest(session_id=session.id, user_id=user.id, reason=reason, status="pending",
                         created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(leave)
    except IntegrityError:
        # A double tap: the unique key kept the first request; update it instead.
        first = request_of(user, session)
        if first is None:  # pragma: no cover - the row that won was deleted meanwhile
            raise
        _refuse_if_decided(first)
        _update_reason(first, reason)
        return first, False
    _tell_approvers(user, session, reason, now)
    return leave, True


def _tell_approvers(user: User, session: StudySession, reason: str, now: datetime) -> None:
    """The bell of whoever decides a new request: the heads of the person's department (or
    of its unit), as ``can_decide`` has it; the admins when it has none. A lead saw it only
    under 待我处理 on the home page, and the session could start before they came by."""
    from lawlearn.accounts.models import UserRole
    from lawlearn.plans.notices import notify  # here: plans imports this package

    approvers = [head_id for head_id, _department_id in _heads_of(user)]
    if not approvers:
        approvers = list(db.session.scalars(
            select(User.id).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.ADMIN, User.active, User.id != user.id)))
    notify(approvers, _("请假申请待审批：%(name)s", name=user.name),
           _("《%(title)s》（%(when)s）：%(reason)s", title=inner_title(session.title),
             when=display_datetime(session.starts_at), reason=reason), "/leave-requests", now)


def _pending(leave: LeaveRequest):
    """SQL: this request, still pending. Changes go through it so that two approvers, or an
    approval and a withdrawal, racing each other cannot both win."""
    return (LeaveRequest.id == leave.id) & (LeaveRequest.status == "pending")


def _update_reason(leave: LeaveRequest, reason: str) -> None:
    result = db.session.execute(update(LeaveRequest).where(_pending(leave)).values(reason=reason)
                                .execution_options(synchronize_session=False))
    db.session.refresh(leave)
    if result.rowcount != 1:  # decided meanwhile
        _refuse_if_decided(leave)


def withdraw(user: User, leave: LeaveRequest, now: datetime) -> None:
    """Withdraw one's own request while it is pending and before the session starts (the
    row goes; a new one may follow). Once it has started no new request can be made, so a
    withdrawal would only turn a leave still to be decided into an absence."""
    if leave.user_id != user.id:
        raise PermissionDenied(_("只能撤回自己的请假申请。"))
    if leave.status != "pending":
        raise Conflict(_("请假申请已处理，不能撤回。"), code="leave_decided")
    if now >= leave.session.starts_at:
        raise Conflict(_("活动已开始，请假申请不能再撤回，仍等待审批。"), code="session_started")
    deleted = db.session.execute(delete(LeaveRequest).where(_pending(leave))
                                 .execution_options(synchronize_session=False))
    if deleted.rowcount != 1:
        raise Conflict(_("请假申请已处理，不能撤回。"), code="leave_decided")
    db.session.expunge(leave)


def _section_ids(department_id: int):
    return select(Department.id).where(Department.parent_id == department_id)


def can_decide(actor: User, leave: LeaveRequest) -> bool:
    """An admin decides anyone's request; a dept_lead those of their department and its
    sections; nobody their own."""
    if actor.id == leave.user_id:
        return False
    if actor.has_role(Role.ADMIN):
        return True
    if not actor.has_role(Role.DEPT_LEAD) or actor.department_id is None:
        return False
    department = leave.user.department
    if department is None:
        return False
    return actor.department_id in (department.id, department.parent_id)


def department_approver(user: User) -> str | None:
    """Which head of department may decide ``user``'s requests (see ``can_decide``): "own"
    (another head of their department), "above" (only the unit's above it) or None (only
    an admin: the person is told so rather than left waiting for a 科室负责人 their section
    does not have). Heads who are active and not the person themself."""
    department = user.department
    if department is None:
        return None
    found = {department_id for _id, department_id in _heads_of(user)}
    return "own" if department.id in found else "above" if found else None


def _heads_of(user: User) -> list[tuple[int, int]]:
    """(id, department id) of the active heads of ``user``'s department or of its unit,
    ``user`` aside: who may decide their requests besides an admin (``can_decide``)."""
    from lawlearn.accounts.models import UserRole

    department = user.department
    if department is None:
        return []
    return [(head_id, department_id) for head_id, department_id in db.session.execute(
        select(User.id, User.department_id).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.DEPT_LEAD, User.active, User.id != user.id,
               User.department_id.in_({department.id, department.parent_id or department.id})))]


def is_approver(user: User) -> bool:
    """Whether ``user`` may decide leave requests at all (a dept_lead or an admin)."""
    return user.has_role(Role.DEPT_LEAD, Role.ADMIN)


def _excuse(actor: User, leave: LeaveRequest) -> None:
    """Make the person's attendance excused, unless they checked in after all; other domains
    hear of it (a plan item where leave counts is finished)."""
    values = {"status": "excused", "source": "leave", "marked_by_id": actor.id}
    attendance = db.session.scalar(select(Attendance).filter_by(session_id=leave.session_id,
                                                                user_id=leave.user_id))
    if attendance is None:
        attendance = Attendance(session_id=leave.session_id, user_id=leave.user_id, **values)
        try:
            with db.session.begin_nested():
                db.session.add(attendance)
            _announce(leave)
            return
        except IntegrityError:
            # The person checked in (or the session closed) at the same moment.
            attendance = db.session.scalar(select(Attendance).filter_by(
                session_id=leave.session_id, user_id=leave.user_id))
            if attendance is None:  # pragma: no cover
                raise
    if attendance.status in CHECKED_IN:
        return
    for name, value in values.items():
        setattr(attendance, name, value)
    _announce(leave)


def _announce(leave: LeaveRequest) -> None:
    attendance_recorded.send(None, user_id=leave.user_id, session_id=leave.session_id,
                             status="excused", now=leave.session.starts_at)


def decide(actor: User, leave: LeaveRequest, approve: bool, note: str | None,
           now: datetime) -> LeaveRequest:
    """Approve (the person becomes excused) or reject a pending request; audited."""
    if not can_decide(actor, leave):
        if actor.id == leave.user_id:
            raise PermissionDenied(_("不能审批自己的请假申请。"))
        raise PermissionDenied(_("您无权审批这份请假申请。"))
    if leave.status != "pending":
        raise Conflict(_("这份请假申请已处理（%(status)s）。", status=str(LEAVE_STATUSES[leave.status])),
                       code="leave_decided")
    note = (note or "").strip()
    if not approve and not note:
        # A refusal unexplained left the person guessing whether to come (as a reflection
        # returned needs its comment).
        raise ValidationFailed(_("不批准时请填写审批意见，告诉对方原因。"), field="note")
    if len(note) > MAX_NOTE:
        raise ValidationFailed(_("审批意见最多 %(max)d 字。", max=MAX_NOTE), field="note")
    decided = db.session.execute(
        update(LeaveRequest).where(_pending(leave)).values(
            status="approved" if approve else "rejected", decided_by_id=actor.id, decided_at=now,
            decision_note=note or None).execution_options(synchronize_session=False))
    if decided.rowcount != 1:  # another approver, or a withdrawal, came first
        raise Conflict(_("这份请假申请已被处理或撤回，请刷新页面。"), code="leave_decided")
    db.session.refresh(leave)
    if approve:
        _excuse(actor, leave)
    person, session = leave.user, leave.session
    if approve:
        summary = _("批准 %(name)s 在《%(title)s》的请假", name=person.name,
                    title=inner_title(session.title))
    else:
        summary = _("未批准 %(name)s 在《%(title)s》的请假", name=person.name,
                    title=inner_title(session.title))
    record_audit(actor, "leave.approve" if approve else "leave.reject", leave, summary,
                 {"session_id": session.id, "user_id": person.id, "note": note or None})
    # The person hears of it (the bell), as a returned reflection or event is heard of: a
    # refusal unseen would leave them thinking they may stay away.
    from lawlearn.plans.notices import notify  # here: plans imports this package

    notify([person.id], _("请假已批准：%(title)s", title=session.title) if approve
           else _("请假未批准：%(title)s", title=session.title),
           _("审批意见：%(note)s", note=note) if note else "",
           f"/sessions/{session.id}/leave", now)
    db.session.flush()
    return leave


def _scope_conditions(actor: User) -> list | None:
    """Whose requests ``actor`` decides (see ``can_decide``; None: nobody's)."""
    conditions = [LeaveRequest.user_id != actor.id]
    if not actor.has_role(Role.ADMIN):
        if not actor.has_role(Role.DEPT_LEAD) or actor.department_id is None:
            return None
        conditions.append(or_(User.department_id == actor.department_id,
                              User.department_id.in_(_section_ids(actor.department_id))))
    return conditions


def _pending_conditions(actor: User) -> list | None:
    """Which pending requests ``actor`` may decide (None: none at all)."""
    scope = _scope_conditions(actor)
    if scope is None:
        return None
    return [LeaveRequest.status == "pending", StudySession.cancelled_at.is_(None), *scope]


def decided_query(actor: User):
    """The requests decided among those ``actor`` decides, the latest decision first, with
    the person, their department and the session (for a page at a time).
    A head of department looks back at what was decided, by them or an admin."""
    scope = _scope_conditions(actor) or [false()]  # a lead without a department: nobody's
    parent = aliased(Department)
    return (select(LeaveRequest)
            .join(LeaveRequest.user).join(LeaveRequest.session)
            .outerjoin(User.department).outerjoin(parent, Department.parent_id == parent.id)
            .where(LeaveRequest.status.in_(("approved", "rejected")), *scope)
            .options(contains_eager(LeaveRequest.session),
                     contains_eager(LeaveRequest.user).contains_eager(User.department)
                     .contains_eager(Department.parent, alias=parent),
                     contains_eager(LeaveRequest.user).lazyload(User.role_rows))
            .order_by(LeaveRequest.decided_at.desc(), LeaveRequest.id.desc()))


def pending_count(actor: User) -> int:
    """How many requests :func:`pending_for` lists; one query."""
    conditions = _pending_conditions(actor)
    if conditions is None:
        return 0
    return db.session.scalar(select(func.count(LeaveRequest.id)).join(LeaveRequest.user)
                             .join(LeaveRequest.session).where(*conditions)) or 0


def pending_for(actor: User) -> list[LeaveRequest]:
    """Pending requests ``actor`` may decide, soonest session first; one query."""
    conditions = _pending_conditions(actor)
    if conditions is None:
        return []
    parent = aliased(Department)
    query = (
        select(LeaveRequest)
        .join(LeaveRequest.user)
        .join(LeaveRequest.session)
        .outerjoin(User.department)
        .outerjoin(parent, Department.parent_id == parent.id)
        .where(*conditions)
        .options(contains_eager(LeaveRequest.session),
                 contains_eager(LeaveRequest.user).contains_eager(User.department)
                 .contains_eager(Department.parent, alias=parent),
                 contains_eager(LeaveRequest.user).lazyload(User.role_rows))
        .order_by(StudySession.starts_at, LeaveRequest.created_at, LeaveRequest.id)
    )
    return list(db.session.scalars(query))


def my_requests(user: User, session_ids: list[int]) -> dict[int, LeaveRequest]:
    """session id → the user's request, for a list of sessions; one query."""
    if not session_ids:
        return {}
    rows = db.session.scalars(select(LeaveRequest).where(
        LeaveRequest.user_id == user.id, LeaveRequest.session_id.in_(session_ids)))
    return {leave.session_id: leave for leave in rows}
