"""Whether a plan item's quiz or session is open to everyone the plan is for: an item that
part of the audience cannot open (a quiz for one unit in a plan for everyone) could never
be done by them, and would count against them in every completion figure."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from lawlearn.accounts.models import Department, User
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.plans.models import Plan


def left_out(plan: Plan, audience_all: bool, audience_rows) -> int:
    """How many of the plan's people an audience does not reach: ``audience_rows`` are its
    (department_id, user_id) rows, a department including its sections."""
    if audience_all:
        return 0
    from lawlearn.plans.progress import audience_users_query

    department_ids = [row.department_id for row in audience_rows if row.department_id]
    user_ids = [row.user_id for row in audience_rows if row.user_id]
    sections = select(Department.id).where(Department.parent_id.in_(department_ids))
    reached = select(User.id).where(or_(User.id.in_(user_ids),
                                        User.department_id.in_(department_ids),
                                        User.department_id.in_(sections)))
    people = audience_users_query(plan).where(User.id.not_in(reached)).subquery()
    return db.session.scalar(select(func.count()).select_from(people)) or 0


def check_quiz_reach(plan: Plan, quiz) -> None:
    missing = left_out(plan, quiz.audience_all, quiz.audience)
    if missing:
        raise ValidationFailed(_("测验《%(title)s》只对部分人员开放：本计划对象中有 %(n)d 人打不开它，"
                                 "完成不了此事项。请先扩大测验的参加范围，或调整本计划的对象。",
                                 title=quiz.title, n=missing), field="quiz_id")


def check_session_reach(plan: Plan, session) -> None:
    missing = left_out(plan, session.audience_all, session.audience)
    if missing:
        raise ValidationFailed(_("学法活动《%(title)s》只面向部分人员：本计划对象中有 %(n)d 人不在其中，"
                                 "完成不了此事项。请先扩大活动的参加范围，或调整本计划的对象。",
                                 title=session.title, n=missing), field="session_id")
