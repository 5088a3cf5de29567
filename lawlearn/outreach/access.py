"""Who may do what with outreach events: the department's staff see its events, its
dept_lead (and a unit's lead for its sections) edits drafts and submits them, admins verify and
revise, admins and leaders read every department's events; and when an event may be reported.
Used by every outreach module."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, false, or_, select, true

from lawlearn.accounts.models import Department, Role, User
from lawlearn.errors import Conflict, NotFound, PermissionDenied
from lawlearn.extensions import db
from lawlearn.localtime import local_moment
from lawlearn.outreach.models import OutreachEvent


def leads_department(user: User, department: Department | None) -> bool:
    """A dept_lead leads their own department and, for a unit, its sections."""
    if department is None or user.department_id is None or not user.has_role(Role.DEPT_LEAD):
        return False
    return user.department_id in (department.id, department.parent_id)


def sees_all_events(user: User) -> bool:
    """Admins and the office's leaders read every department's events."""
    return user.has_role(Role.ADMIN, Role.LEADER)


def records_events(user: User) -> bool:
    """Everyone but a leader who is not also an admin: the office's head reads the ledger
    and its figures, and adds none to the report (in a department without a lead, their
    staff role would let them submit their own)."""
    return user.is_admin or not user.has_role(Role.LEADER)


def require_recording(user: User) -> None:
    if not records_events(user):
        raise PermissionDenied(_("主要负责人账号只能查看普法活动，不能登记、修改或提交。"),
                               code="leader_reads_only")


def can_view_event(user: User, event: OutreachEvent) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if sees_all_events(user):
        return True
    return (event.department_id == user.department_id and user.department_id is not None) \
        or leads_department(user, event.department)


def can_edit_event(user: User, event: OutreachEvent) -> bool:
    """Author, dept_lead or admin while a draft; afterwards only an admin."""
    if user.is_admin:
        return True
    if event.status != "draft" or not records_events(user):
        return False
    return event.created_by_id == user.id or leads_department(user, event.department)


def can_delete_event(user: User, event: OutreachEvent) -> bool:
    return event.status == "draft" and records_events(user) and (
        user.is_admin or event.created_by_id == user.id or leads_department(user, event.department))


def department_has_lead(department: Department | None) -> bool:
    """Whether a dept_lead leads ``department`` (its own, or its unit's)."""
    if department is None:
        return False
    ids = [i for i in (department.id, department.parent_id) if i is not None]
    return db.session.scalar(select(User.id).where(
        User.department_id.in_(ids), User.active.is_(True),
        User.role_rows.any(role=Role.DEPT_LEAD.value)).limit(1)) is not None


def can_submit_event(user: User, event: OutreachEvent) -> bool:
    """The department's lead or an admin; when neither the department nor its unit has a
    dept_lead, its own staff (the author among them)."""
    if event.status != "draft" or not records_events(user):
        return False
    if user.is_admin or leads_department(user, event.department):
        return True
    return (user.department_id is not None and user.department_id == event.department_id
            and not department_has_lead(event.department))


def can_feature_photo(user: User, event: OutreachEvent) -> bool:
    """Admins and the department's lead; once verified only an admin (as a revision)."""
    if user.is_admin:
        return True
    return event.status != "verified" and records_events(user) \
        and leads_department(user, event.department)


def visible_events_condition(user: User) -> ColumnElement[bool]:
    """SQL: the events ``user`` may see (own department; a lead also its unit's sections)."""
    if sees_all_events(user):
        return true()
    if user.department_id is None:
        return false()
    condition = OutreachEvent.department_id == user.department_id
    if user.has_role(Role.DEPT_LEAD):
        sections = select(Department.id).where(Department.parent_id == user.department_id)
        condition = or_(condition, OutreachEvent.department_id.in_(sections))
    return condition


def _locked_message(event: OutreachEvent) -> str:
    if event.status == "verified":
        return _("活动已审核，已锁定；如需更正请联系管理员。")
    if event.status == "submitted":
        return _("活动已提交审核，不能再修改；如需更正请联系管理员退回。")
    return _("您不能修改这条活动记录。")


def require_edit(user: User, event: OutreachEvent) -> None:
    if not can_edit_event(user, event):
        if event.status != "draft":
            raise Conflict(_locked_message(event), code="locked")
        raise PermissionDenied(_("只有登记人、本部门负责人或管理员可以修改草稿。"))


def require_feature(user: User, event: OutreachEvent) -> None:
    if not (user.is_admin or leads_department(user, event.department)):
        raise PermissionDenied(_("只有管理员或本部门负责人可以挑选总结照片。"))
    if not can_feature_photo(user, event):
        raise Conflict(_locked_message(event), code="locked")


def get_visible_event(user: User, event_id: int) -> OutreachEvent:
    """The event, or 404 for people outside its department (its existence is not told)."""
    event = db.session.get(OutreachEvent, event_id)
    if event is None or not can_view_event(user, event):
        raise NotFound(_("活动不存在或您无权查看。"))
    return event


def is_over(event: OutreachEvent, now: datetime) -> bool:
    """An event is reported (and verified) once over, with its final figures: the ledger never
    counts a plan, and verifying (which closes its stall quiz) never cuts one short."""
    return event.ends_at <= now


def check_reportable(event: OutreachEvent, now: datetime) -> None:
    """Refuse to submit or verify an event not over yet, or one that reached nobody (no
    participants, views or quiz completions: an empty form sent up the ledger)."""
    if not is_over(event, now):
        raise Conflict(_("活动尚未结束（%(end)s 结束），结束后才能提交或审核；如已提前结束，请先把结束时间"
                         "改为实际时间。", end=local_moment(event.ends_at).strftime(
                             "%Y-%m-%d %H:%M")), code="not_over")
    if not (event.participants or event.online_views or event.quiz_completions):
        raise Conflict(_("活动还没有填写参与人次（线上活动填写浏览量），不能提交或审核。请先修改活动信息。"),
                       code="no_figures")
