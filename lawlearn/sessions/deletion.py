"""删除活动: a session scheduled by mistake goes, as a quiz or a material made by mistake
does. Cancelling was the only way: it told everyone expected of a session they had never
heard of, and left it 已取消 in their lists. Only a session that nothing records or points
at may go; one held stays, with its records, and is cancelled instead."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, or_, select

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.errors import Conflict
from lawlearn.extensions import db
from lawlearn.i18n import inner_title
from lawlearn.sessions.models import Attendance, LeaveRequest, StudySession


def deletion_blockers(session: StudySession) -> list[str]:
    """Why ``session`` may not be deleted, in words (empty: it may). One people have heard
    of (cancelled, moved, reminded of) stays: their notices lead to it."""
    from lawlearn.plans.models import Notice  # plans import this package
    from lawlearn.plans.targets import items_pointing_at, named_items

    reasons = []
    if session.cancelled_at is not None:
        reasons.append(_("活动已取消，应参加的人员已收到取消通知"))
    else:
        page = f"/sessions/{session.id}"
        told = db.session.scalar(select(func.count()).select_from(Notice).where(
            or_(Notice.link == page, Notice.link.startswith(f"{page}/")))) or 0
        if told:
            reasons.append(_("已有 %(n)d 条通知提到它", n=told))
    records = db.session.scalar(select(func.count()).select_from(Attendance).where(
        Attendance.session_id == session.id)) or 0
    if records:
        reasons.append(_("已有 %(n)d 条出勤记录", n=records))
    leaves = db.session.scalar(select(func.count()).select_from(LeaveRequest).where(
        LeaveRequest.session_id == session.id)) or 0
    if leaves:
        reasons.append(_("已有 %(n)d 份请假申请", n=leaves))
    if items := items_pointing_at("session", session.id):
        reasons.append(_("学习计划的事项用到它：%(items)s", items=named_items(items)))
    return reasons


def delete_session(actor: User, session: StudySession) -> None:
    """Delete a session made by mistake with its audience and links (audited); refused,
    with every reason, otherwise."""
    reasons = deletion_blockers(session)
    if reasons:
        raise Conflict(_("不能删除：%(reasons)s。", reasons="；".join(reasons)),
                       code="session_in_use")
    record_audit(actor, "session.delete", session,
                 _("删除学法活动《%(title)s》", title=inner_title(session.title)))
    # Only while still unrecorded: a check-in or a leave request committed since the checks
    # above would go with it (attendance and leave cascade), so the statement asks again.
    deleted = db.session.execute(
        delete(StudySession).where(
            StudySession.id == session.id,
            ~exists().where(Attendance.session_id == session.id),
            ~exists().where(LeaveRequest.session_id == session.id))
        .execution_options(synchronize_session=False)).rowcount
    if deleted != 1:
        raise Conflict(_("不能删除：刚刚有人签到或请假，请刷新页面。"), code="session_in_use")
    db.session.expunge(session)
