"""What admins, leaders and heads of departments oversee: whose progress each may see,
the plans they see it on, and reminders to those behind. No HTTP here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import Department, Role, User
from lawlearn.errors import Conflict, PermissionDenied, ValidationFailed
from lawlearn.extensions import db
from lawlearn.plans.authoring import lock_plan
from lawlearn.plans.matrix import matrix
from lawlearn.plans.models import Plan
from lawlearn.plans.notices import notified_since, notify_each, reminder_link
from lawlearn.quiz.services import finalize_expired_attempts


def department_scope(actor: User) -> list[int] | None:
    """Departments whose people ``actor`` oversees: None for an admin (everyone); a
    dept_lead's department with its sections; nobody otherwise."""
    if actor.has_role(Role.ADMIN):
        return None
    if not actor.has_role(Role.DEPT_LEAD) or actor.department_id is None:
        return []
    sections = db.session.scalars(select(Department.id).where(
        Department.parent_id == actor.department_id))
    return [actor.department_id, *sections]


@dataclass(frozen=True)
class Reminders:
    """What ``remind`` did: notices sent, and people left out because they had been
    reminded of the plan within ``REMIND_AGAIN_AFTER``."""

    sent: int
    skipped: int = 0


# The same person is reminded of the same plan at most once in this time.
REMIND_AGAIN_AFTER = timedelta(hours=12)
# A reminder names this many items, then "等 N 项".
NAMED_ITEMS = 3


def _item_list(titles: list[str]) -> str:
    """“甲”、“乙”、“丙”等 5 项: the first few titles, then how many in all."""
    named = "、".join(f"“{title}”" for title in titles[:NAMED_ITEMS])
    if len(titles) <= NAMED_ITEMS:
        return named
    return _("%(items)s等 %(n)d 项", items=named, n=len(titles))


def remind(actor: User, plan: Plan, now: datetime, *, department_id: int | None = None,
           not_done: bool = False) -> Reminders:
    """Notify the people of a plan's audience (optionally of one department) who have a
    required item overdue, or with ``not_done`` any required item still to do (a reflection
    waiting for its reviewer is not theirs to do). Each notice names those items.

    Nobody is reminded of the same plan twice within ``REMIND_AGAIN_AFTER`` (a second click,
    two heads of department): they are counted as skipped. A dept_lead reminds only their
    own department.
    """
    if plan.status != "published":
        raise Conflict(_("只能提醒已发布计划的学员。"), code="plan_not_published")
    scope = department_scope(actor)
    if scope is not None and (department_id is None or department_id not in scope):
        raise PermissionDenied(_("只能提醒本部门的人员。"))
    if department_id is not None and db.session.get(Department, department_id) is None:
        raise ValidationFailed(_("部门不存在。"), field="department_id")
    # A quiz item's paper left past its deadline is handed in before anyone is told they
    # owe it (no commit here: the view commits, after the lock below has done its work).
    finalize_expired_attempts(now)
    lock_plan(plan)  # the same reminder posted twice at once: the second one sees the first
    grid = matrix(plan, now, department_id=department_id)
    required = [item for item in grid.items if item.required]
    link = reminder_link(plan.id)
    recent = notified_since(link, now - REMIND_AGAIN_AFTER)
    bodies: dict[int, str] = {}
    skipped = 0
    for person in grid.people:
        if person.id == actor.id:
            continue  # a head of department behind on the plan knows it: no notice to oneself
        overdue = [item.title for item in required if grid.overdue(item, person)]
        to_do = [item.title for item in required if grid.state(item, person).to_do] \
            if not_done and not overdue else []
        if not (overdue or to_do):
            continue
        if person.id in recent:
            skipped += 1
        elif overdue:
            bodies[person.id] = _("您在学习计划《%(title)s》中有已过截止日期的必修事项尚未完成："
                                  "%(items)s。请尽快完成。", title=plan.title,
                                  items=_item_list(overdue))
        else:
            bodies[person.id] = _("您在学习计划《%(title)s》中还有必修事项未完成：%(items)s。"
                                  "请按时完成。", title=plan.title, items=_item_list(to_do))
    count = notify_each(bodies, _("学习提醒：%(title)s", title=plan.title), link, now)
    record_audit(actor, "plan.remind", plan,
                 _("提醒学习计划《%(title)s》的未完成者 %(n)d 人", title=plan.title, n=count),
                 {"department_id": department_id, "not_done": not_done, "skipped": skipped})
    return Reminders(count, skipped)


def department_plans() -> list[Plan]:
    """Published and closed plans, for the department progress page (newest first)."""
    return list(db.session.scalars(select(Plan).where(
        Plan.status.in_(("published", "closed"))).order_by(
        (Plan.status == "closed"), Plan.starts_on.desc(), Plan.id.desc())))


def overseen(actor: User, department_id: int | None) -> int | None:
    """The department whose progress ``actor`` may see: an admin or a leader the chosen one
    (None: everyone); a dept_lead their own, or one of its sections when chosen. A lead
    asking for a department outside theirs is refused, as the report refuses it, rather
    than shown their own under the other's address."""
    if actor.has_role(Role.ADMIN, Role.LEADER):
        return department_id
    if actor.department_id is None:
        raise PermissionDenied(_("您没有所属部门，无法查看部门进度。"))
    if department_id is None:
        return actor.department_id
    if department_id not in (department_scope(actor) or []):
        raise PermissionDenied(_("您只能查看本部门及其下设科室的学习进度。"))
    return department_id
