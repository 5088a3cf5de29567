"""Reviewing reflections (学习心得): what waits for a reviewer, accepting (points once, a
notice) and returning with a comment. A dept_lead reviews their department's, an admin
everyone's, nobody their own. No HTTP here."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import Department, User
from lawlearn.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from lawlearn.extensions import db
from lawlearn.plans.models import PlanItem, Reflection
from lawlearn.plans.notices import item_link, notify
from lawlearn.plans.oversight import department_scope
from lawlearn.plans.progress import synced_progress
from lawlearn.practice.points import award

MAX_COMMENT = 1000


def reviewed_item_ids() -> list[int]:
    """Reflection items whose reflections are reviewed (settings are JSON: filtered here)."""
    rows = db.session.execute(select(PlanItem.id, PlanItem.settings).where(
        PlanItem.kind == "reflection"))
    return [item_id for item_id, settings in rows if (settings or {}).get("review")]


def _waiting_for(actor: User) -> list:
    """Conditions on Reflection joined to its User: waiting for ``actor``'s review."""
    scope = department_scope(actor)
    conditions = [Reflection.status == "submitted",
                  Reflection.item_id.in_(reviewed_item_ids()), Reflection.user_id != actor.id]
    if scope is not None:
        conditions.append(User.department_id.in_(scope) if scope else False)
    return conditions


def reviews_query(actor: User):
    """SQL: reflections waiting for ``actor``'s review, oldest first; never their own."""
    return (select(Reflection).join(Reflection.user).where(*_waiting_for(actor))
            .options(joinedload(Reflection.user).joinedload(User.department)
                     .joinedload(Department.parent),
                     joinedload(Reflection.item).joinedload(PlanItem.plan))
            .order_by(Reflection.submitted_at, Reflection.id))


def reviewed_query(actor: User):
    """SQL: reflections reviewed among those ``actor`` reviews (accepted, or returned and not
    yet handed in again), the latest review first, with their reviewer: a head of department
    looks back at what was decided, by them or by an admin."""
    scope = department_scope(actor)
    conditions = [Reflection.status.in_(("accepted", "returned")),
                  Reflection.reviewed_at.is_not(None), Reflection.user_id != actor.id]
    if scope is not None:
        conditions.append(User.department_id.in_(scope) if scope else False)
    return (select(Reflection).join(Reflection.user).where(*conditions)
            .options(joinedload(Reflection.user).joinedload(User.department)
                     .joinedload(Department.parent),
                     joinedload(Reflection.item).joinedload(PlanItem.plan),
                     joinedload(Reflection.reviewer))
            .order_by(Reflection.reviewed_at.desc(), Reflection.id.desc()))


def reviews_count(actor: User) -> int:
    """How many reflections :func:`reviews_query` lists (for the home page)."""
    return db.session.scalar(select(func.count(Reflection.id)).join(Reflection.user)
                             .where(*_waiting_for(actor))) or 0


def get_reviewable(actor: User, reflection_id: int) -> Reflection:
    """A reflection ``actor`` may review: in their scope (else 404), not their own."""
    reflection = db.session.get(Reflection, reflection_id)
    scope = department_scope(actor)
    if (reflection is None or not reflection.item.settings.get("review")
            or (scope is not None and reflection.user.department_id not in scope)):
        raise NotFound(_("学习心得不存在。"))
    if reflection.user_id == actor.id:
        raise PermissionDenied(_("不能审阅自己的学习心得。"))
    return reflection


def _decide(actor: User, reflection: Reflection, status: str, comment: str,
            now: datetime, seen: datetime | None) -> None:
    """``seen``: the submitted_at of the text the reviewer read (None: not checked); its
    author may have corrected it since."""
    if reflection.user_id == actor.id:
        raise PermissionDenied(_("不能审阅自己的学习心得。"))
    if len(comment) > MAX_COMMENT:
        raise ValidationFailed(_("意见最多 %(max)d 字。", max=MAX_COMMENT), field="comment")
    conditions = [Reflection.id == reflection.id, Reflection.status == "submitted"]
    if seen is not None:
        conditions.append(Reflection.submitted_at == seen)
    decided = db.session.execute(update(Reflection).where(*conditions).values(
        status=status, reviewer_id=actor.id, reviewed_at=now, comment=comment)
        .execution_options(synchronize_session=False))
    if decided.rowcount != 1:
        db.session.refresh(reflection)
        if reflection.status == "submitted":  # its author corrected it after it was read
            raise Conflict(_("%(name)s 刚刚修改了这篇心得，请重新阅读后再审阅。",
                             name=reflection.user.name), code="reflection_changed")
        # Reviewed by someone else, or a second click.
        raise Conflict(_("这篇心得已审阅，请刷新页面。"), code="reflection_reviewed")
    db.session.refresh(reflection)


def accept_reflection(actor: User, reflection: Reflection, comment: str,
                      now: datetime, *, seen: datetime | None = None) -> int:
    """Accept a submitted reflection: points once, a notice to its author; returns points."""
    comment = (comment or "").strip()
    _decide(actor, reflection, "accepted", comment, now, seen)
    paid = award(reflection.user_id, "reflection_accepted", f"reflection:{reflection.id}", now)
    item = reflection.item
    body = _("您在学习计划《%(plan)s》中提交的学习心得已通过审阅。", plan=item.plan.title)
    if comment:
        body += _("审阅意见：%(comment)s", comment=comment)
    notify([reflection.user_id], _("学习心得已通过：%(title)s", title=item.title), body,
           item_link(item.id), now)
    record_audit(actor, "reflection.accept", reflection,
                 _("通过 %(name)s 的学习心得“%(title)s”", name=reflection.user.name,
                   title=item.title), {"item_id": item.id, "points": paid})
    # The item is done now: stamp it and pay its points at once, not when its author next
    # opens a page (the leaderboard would lag behind the lead's progress page meanwhile).
    synced_progress(reflection.user, now)
    return paid


def return_reflection(actor: User, reflection: Reflection, comment: str, now: datetime, *,
                      seen: datetime | None = None) -> None:
    """Return a submitted reflection with a comment (required) for its author to rework."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed(_("退回时请填写意见，说明需要修改的地方。"), field="comment")
    _decide(actor, reflection, "returned", comment, now, seen)
    item = reflection.item
    notify([reflection.user_id], _("学习心得被退回：%(title)s", title=item.title),
           _("审阅意见：%(comment)s", comment=comment), item_link(item.id), now)
    record_audit(actor, "reflection.return", reflection,
                 _("退回 %(name)s 的学习心得“%(title)s”", name=reflection.user.name,
                   title=item.title), {"item_id": item.id, "comment": comment})
