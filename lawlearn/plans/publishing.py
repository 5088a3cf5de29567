"""A study plan's life after writing: its audience, publishing (with notices), closing,
deleting a draft, and copying it to next year. No HTTP here.

Every function takes the acting user and ``now`` (naive UTC), flushes, never commits, and
raises domain errors whose messages are for the user.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import Department, Role, User
from lawlearn.database import all_exist
from lawlearn.errors import Conflict, ValidationFailed
from lawlearn.extensions import db
from lawlearn.i18n import display_date
from lawlearn.localtime import same_day_next_year
from lawlearn.plans.authoring import check_editable, lock_plan
from lawlearn.plans.item_settings import (
    DATED_TARGETS,
    check_fits,
    clean_settings,
    needs_target,
)
from lawlearn.plans.kind_base import SESSION_CANCELLED
from lawlearn.plans.models import Plan, PlanAudience, PlanItem, PlanStage
from lawlearn.plans.notices import notify, plan_link
from lawlearn.plans.progress import audience_users_query
from lawlearn.plans.reach import check_reach, left_out_by_item, reach_problem

# --- audience ---------------------------------------------------------------------------


def set_audience(actor: User | None, plan: Plan, now: datetime, *, everyone: bool,
                 department_ids: list[int] | None = None, user_ids: list[int] | None = None,
                 roles: list[str] | None = None) -> int:
    """Everyone, or any mix of departments (with their sections), people and roles.

    For a published plan the people who join the audience are notified; returns how many.
    """
    check_editable(plan)
    department_ids = list(dict.fromkeys(department_ids or []))
    user_ids = list(dict.fromkeys(user_ids or []))
    roles = list(dict.fromkeys(roles or []))
    known_roles = {role.value for role in Role}
    unknown = [role for role in roles if role not in known_roles]
    if unknown:
        raise ValidationFailed(_("未知的角色：%(roles)s", roles="、".join(unknown)), field="roles")
    if not all_exist(Department, department_ids):
        raise ValidationFailed(_("所选部门不存在。"), field="department_ids")
    if not all_exist(User, user_ids):
        raise ValidationFailed(_("所选人员不存在。"), field="usernames")
    if not everyone and not (department_ids or user_ids or roles):
        raise ValidationFailed(_("请选择部门、人员或角色，或选择“全体人员”。"),
                               field="department_ids")
    # Two saves at once (a double click): the second waits here, then reads the audience the
    # first one wrote, so the newcomers are announced once.
    lock_plan(plan)
    db.session.expire(plan, ["audience", "audience_all"])
    before = audience_ids(plan) if plan.status == "published" else set()
    # A published plan's items must stay doable by its audience (a draft is checked when
    # it is published); what some could not do before is not this change's doing.
    shut_out = left_out_by_item(plan) if plan.status == "published" else {}
    plan.audience_all = everyone
    plan.audience = [] if everyone else (
        [PlanAudience(department_id=d) for d in department_ids]
        + [PlanAudience(user_id=u) for u in user_ids]
        + [PlanAudience(role=r) for r in roles])
    db.session.flush()
    if plan.status == "published":
        now_out = left_out_by_item(plan)
        worse = [item for item in plan.items
                 if now_out.get(item.id, 0) > shut_out.get(item.id, 0)]
        if worse:
            raise ValidationFailed(_("计划对象不能这样改：%(items)s", items="；".join(
                f"{item.title}（{reach_problem(plan, item.kind, item.settings or {})}）"
                for item in worse)), field="department_ids")
    record_audit(actor, "plan.audience", plan,
                 _("设置学习计划《%(title)s》的对象", title=plan.title),
                 {"everyone": everyone, "department_ids": department_ids, "user_ids": user_ids,
                  "roles": roles})
    if plan.status != "published":
        return 0
    return _announce(plan, audience_ids(plan) - before, now)


def audience_ids(plan: Plan) -> set[int]:
    """Ids of the active people a plan is for, in one query."""
    return set(db.session.scalars(audience_users_query(plan).with_only_columns(User.id)))


def audience_summary(plan: Plan) -> dict[str, list[str]]:
    """Names of a plan's audience for display: departments, people, roles (two queries)."""
    department_ids = [a.department_id for a in plan.audience if a.department_id]
    user_ids = [a.user_id for a in plan.audience if a.user_id]
    departments = db.session.scalars(select(Department).where(
        Department.id.in_(department_ids)).options(joinedload(Department.parent))) \
        if department_ids else []
    people = db.session.scalars(select(User).where(User.id.in_(user_ids))
                                .order_by(User.name_key, User.name)) if user_ids else []
    return {
        "departments": sorted(d.full_name for d in departments),
        "people": [f"{u.name}（{u.username}）" for u in people],
        "roles": [Role(a.role).label for a in plan.audience if a.role],
    }


# --- publish, close, delete ----------------------------------------------------------------


def _announce(plan: Plan, user_ids: set[int], now: datetime) -> int:
    """Tell ``user_ids`` that ``plan`` is theirs (one notice each); returns how many."""
    body = _("学习期间：%(start)s 至 %(end)s，共 %(n)d 项。请按时完成。",
             start=display_date(plan.starts_on), end=display_date(plan.ends_on),
             n=len(plan.items))
    return notify(user_ids, _("新的学习计划：%(title)s", title=plan.title), body,
                  plan_link(plan.id), now)


def item_problems(plan: Plan) -> list[tuple[PlanItem, str]]:
    """Items whose settings no longer hold (a copied quiz or session, a withdrawn material)."""
    problems = []
    for item in plan.items:
        if needs_target(item):
            problems.append((item, _("需重新选择")))
            continue
        try:
            settings = clean_settings(plan, item.kind, item.settings)
            check_fits(item.kind, settings, item.due_on, plan.starts_on, plan.ends_on)
            check_reach(plan, item.kind, settings)
        except ValidationFailed as error:
            problems.append((item, error.message))
    return problems


def publish_plan(actor: User | None, plan: Plan, now: datetime) -> int:
    """Publish a draft that has items; every person of its audience gets a notice.

    Returns how many people were notified.
    """
    if plan.status != "draft":
        raise Conflict(_("只有草稿可以发布。"), code="plan_not_draft")
    if not plan.items:
        raise ValidationFailed(_("计划还没有事项，请先添加。"))
    if not plan.audience_all and not plan.audience:
        raise ValidationFailed(_("请先设置计划对象。"))
    problems = item_problems(plan)
    if problems:
        raise ValidationFailed(_("以下事项需要修改后才能发布：%(items)s", items="；".join(
            f"{item.title}（{message}）" for item, message in problems)))
    published = db.session.execute(update(Plan).where(
        Plan.id == plan.id, Plan.status == "draft").values(status="published", published_at=now)
        .execution_options(synchronize_session=False))
    if published.rowcount != 1:  # a second click, or another admin, came first
        raise Conflict(_("计划已发布，请刷新页面。"), code="plan_not_draft")
    db.session.refresh(plan)
    count = _announce(plan, audience_ids(plan), now)
    record_audit(actor, "plan.publish", plan,
                 _("发布学习计划《%(title)s》，通知 %(n)d 人", title=plan.title, n=count))
    return count


def close_plan(actor: User | None, plan: Plan, now: datetime) -> None:
    """End a published plan: it leaves staff's lists; its records and reports stay."""
    if plan.status != "published":
        raise Conflict(_("只有已发布的计划可以结束。"), code="plan_not_published")
    plan.status = "closed"
    db.session.flush()
    record_audit(actor, "plan.close", plan, _("结束学习计划《%(title)s》", title=plan.title))


def delete_plan(actor: User | None, plan: Plan, now: datetime) -> None:
    """Delete a draft (a published plan has people's progress: close it instead)."""
    if plan.status != "draft":
        raise Conflict(_("只能删除草稿；已发布的计划请结束。"), code="plan_not_draft")
    record_audit(actor, "plan.delete", plan, _("删除学习计划草稿《%(title)s》", title=plan.title))
    db.session.execute(update(Plan).where(Plan.copied_from_id == plan.id).values(
        copied_from_id=None).execution_options(synchronize_session=False))
    db.session.delete(plan)
    db.session.flush()


# --- copy to next year ---------------------------------------------------------------------


def next_year_title(title: str, year: int) -> str:
    """"2025年度学法计划" → "2026年度学法计划"; a title without the year gets "（复制）"."""
    old = str(year)
    if old in title:
        return title.replace(old, str(year + 1))[:200]
    suffix = _("（复制）")
    return title[:200 - len(suffix)] + suffix


def existing_copy(plan: Plan) -> Plan | None:
    """The plan already copied from ``plan`` for next year (same next-year start), if any."""
    return db.session.scalar(select(Plan).where(
        Plan.copied_from_id == plan.id, Plan.starts_on == same_day_next_year(plan.starts_on))
        .order_by(Plan.id).limit(1))


def _renamed(item_title: str, old: str, new: str) -> str:
    """An item titled after its plan ("撰写学习心得：2024年度学法计划", made when the item was
    left untitled) is titled after the copy; any other title stays as the admin wrote it."""
    for separator in ("：", ": "):
        if item_title.endswith(separator + old):
            return item_title[:len(item_title) - len(old)] + new
    return item_title


def copy_plan(actor: User | None, plan: Plan, now: datetime) -> tuple[Plan, list[PlanItem]]:
    """A new draft a year later: items, stages and audience copied, every date shifted.

    Only once: when next year's copy exists already (a second click, another admin), this
    raises Conflict (code "already_copied"). Quiz and session items lose their target (last
    year's is over): they are returned so that the admin chooses again.
    """
    lock_plan(plan)  # two copies posted at once: the second one sees the first
    earlier = existing_copy(plan)
    if earlier is not None:
        raise Conflict(_("《%(title)s》已复制到下一年，即《%(copy)s》，不能重复复制。",
                         title=plan.title, copy=earlier.title), code="already_copied")
    copy = Plan(title=next_year_title(plan.title, plan.starts_on.year), kind=plan.kind,
                description=plan.description, starts_on=same_day_next_year(plan.starts_on),
                ends_on=same_day_next_year(plan.ends_on), status="draft",
                required_hours=plan.required_hours, audience_all=plan.audience_all,
                copied_from_id=plan.id, created_by_id=actor.id if actor else None,
                created_at=now)
    copy.audience = [PlanAudience(department_id=a.department_id, user_id=a.user_id, role=a.role)
                     for a in plan.audience]
    stages = {stage.id: PlanStage(title=stage.title, position=stage.position)
              for stage in plan.stages}
    copy.stages = list(stages.values())
    db.session.add(copy)
    cleared: list[PlanItem] = []
    for item in plan.items:
        settings = dict(item.settings)
        settings.pop(SESSION_CANCELLED, None)  # the copy asks for a new session anyway
        if settings.get("from"):
            settings["from"] = same_day_next_year(
                date.fromisoformat(settings["from"])).isoformat()
        key = DATED_TARGETS.get(item.kind)
        title = _renamed(item.title, plan.title, copy.title)
        new = PlanItem(kind=item.kind, title=title, description=item.description,
                       position=item.position, stage=stages.get(item.stage_id),
                       # A session item is due on its new session's day, once chosen.
                       due_on=same_day_next_year(item.due_on)
                       if item.due_on and item.kind != "session" else None,
                       required=item.required, points=item.points,
                       # A session item's hours are its session's (see authoring._check_item).
                       hours=0 if item.kind == "session" else item.hours)
        if key and settings.pop(key, None) is not None:
            cleared.append(new)
        new.settings = settings
        copy.items.append(new)
    db.session.flush()
    record_audit(actor, "plan.copy", copy,
                 _("由《%(old)s》复制出《%(new)s》", old=plan.title, new=copy.title),
                 {"copied_from_id": plan.id, "cleared_item_ids": [i.id for i in cleared]})
    return copy, cleared
