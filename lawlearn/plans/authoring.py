"""Writing a study plan: the plan itself, its stages (months or phases) and its items.

Every function takes the acting user and ``now`` (naive UTC), flushes, never commits, and
raises domain errors whose messages are for the user. No HTTP here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.database import like_pattern
from lawlearn.errors import Conflict, NotFound, ValidationFailed, raise_all
from lawlearn.extensions import db
from lawlearn.i18n import display_date
from lawlearn.plans.item_settings import check_fits, clean_settings, default_title
from lawlearn.plans.kinds import KINDS
from lawlearn.plans.models import PLAN_KINDS, Plan, PlanItem, PlanItemProgress, Reflection
from lawlearn.plans.positions import renumber, swap_with_neighbour
from lawlearn.plans.reach import check_reach
from lawlearn.plans.targets import session_item_due

MAX_HOURS = 1000
MAX_POINTS = 1000
# A new or moved item is put last (of its stage), then positions are renumbered.
LAST = 10 ** 6


# --- plans ------------------------------------------------------------------------------


@dataclass
class PlanFields:
    title: str
    starts_on: date | None
    ends_on: date | None
    kind: str = "annual"
    description: str = ""
    required_hours: float | None = 0


def get_plan(plan_id: int) -> Plan:
    """A plan by id, or 404."""
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(_("学习计划不存在。"))
    return plan


def lock_plan(plan: Plan) -> None:
    """Hold the plan's row (the write lock on SQLite) until the transaction ends, so that
    two requests doing the same thing to it (a double click) take turns and the second one
    sees what the first one wrote."""
    db.session.execute(update(Plan).where(Plan.id == plan.id).values(
        copied_from_id=Plan.copied_from_id).execution_options(synchronize_session=False))


def check_editable(plan: Plan) -> None:
    """A closed plan is frozen: its records and reports stay as they were."""
    if plan.status == "closed":
        raise Conflict(_("计划已结束，不能再修改。"), code="plan_closed")


def plan_problems(fields: PlanFields) -> list[ValidationFailed]:
    """Every problem of a plan's fields at once (a form shows them all, each under its
    field); empty when the plan may be saved."""
    problems = []
    title = (fields.title or "").strip()
    if not title:
        problems.append(ValidationFailed(_("请填写计划名称。"), field="title"))
    elif len(title) > 200:
        problems.append(ValidationFailed(_("计划名称最多 200 字。"), field="title"))
    if fields.kind not in PLAN_KINDS:
        problems.append(ValidationFailed(_("请选择计划类型。"), field="kind"))
    if fields.starts_on is None:
        problems.append(ValidationFailed(_("请填写开始日期。"), field="starts_on"))
    if fields.ends_on is None:
        problems.append(ValidationFailed(_("请填写结束日期。"), field="ends_on"))
    elif fields.starts_on is not None and fields.ends_on < fields.starts_on:
        problems.append(ValidationFailed(_("结束日期不能早于开始日期。"), field="ends_on"))
    hours = fields.required_hours
    if hours is None or hours < 0 or hours > MAX_HOURS:
        problems.append(ValidationFailed(_("要求学时须在 0 到 %(max)d 之间。", max=MAX_HOURS),
                                         field="required_hours"))
    return problems


def _check_plan(fields: PlanFields) -> None:
    problems = plan_problems(fields)
    if problems:
        raise problems[0]


def _apply_plan(plan: Plan, fields: PlanFields) -> None:
    plan.title = fields.title.strip()
    plan.kind = fields.kind
    plan.description = (fields.description or "").strip()
    plan.starts_on, plan.ends_on = fields.starts_on, fields.ends_on
    plan.required_hours = float(fields.required_hours or 0)


def create_plan(actor: User | None, fields: PlanFields, now: datetime) -> Plan:
    """A new draft plan for everyone (the audience can be narrowed afterwards)."""
    _check_plan(fields)
    plan = Plan(status="draft", audience_all=True, created_at=now,
                created_by_id=actor.id if actor else None)
    _apply_plan(plan, fields)
    db.session.add(plan)
    db.session.flush()
    record_audit(actor, "plan.create", plan, _("创建学习计划《%(title)s》", title=plan.title))
    return plan


def update_plan(actor: User | None, plan: Plan, fields: PlanFields, now: datetime) -> None:
    """Change a plan's title, kind, description, period or required hours."""
    check_editable(plan)
    _check_plan(fields)
    outside = [item.title for item in plan.items if item.due_on is not None
               and not fields.starts_on <= item.due_on <= fields.ends_on]
    if outside:
        raise ValidationFailed(_("以下事项的截止日期不在新的计划期间内，请先修改：%(titles)s",
                                 titles="、".join(outside)), field="ends_on")
    misfits = [item.title for item in plan.items
               if not _fits(item, fields.starts_on, fields.ends_on)]
    if misfits:
        raise ValidationFailed(_("以下事项在新的计划期间内无法完成，请先修改：%(titles)s",
                                 titles="、".join(misfits)), field="ends_on")
    _apply_plan(plan, fields)
    db.session.flush()
    record_audit(actor, "plan.update", plan, _("修改学习计划《%(title)s》", title=plan.title))


def _fits(item: PlanItem, starts_on: date, ends_on: date) -> bool:
    """Whether ``item`` can still be done within the period (see item_settings.check_fits)."""
    try:
        check_fits(item.kind, item.settings, item.due_on, starts_on, ends_on)
    except ValidationFailed:
        return False
    return True


def plan_query(*, q: str | None = None, status: str | None = None, kind: str | None = None):
    """SQL: plans for the admin list, newest period first."""
    query = select(Plan).order_by(Plan.starts_on.desc(), Plan.id.desc())
    if q:
        query = query.where(Plan.title.like(like_pattern(q.strip()), escape="\\"))
    if status:
        query = query.where(Plan.status == status)
    if kind:
        query = query.where(Plan.kind == kind)
    return query


def item_counts(plan_ids: list[int]) -> dict[int, int]:
    """plan id → number of items, in one query."""
    if not plan_ids:
        return {}
    return dict(db.session.execute(select(PlanItem.plan_id, func.count()).where(
        PlanItem.plan_id.in_(plan_ids)).group_by(PlanItem.plan_id)).all())


# --- items ------------------------------------------------------------------------------


@dataclass
class ItemFields:
    kind: str
    title: str = ""
    description: str = ""
    stage_id: int | None = None
    due_on: date | None = None
    required: bool = True
    hours: float | None = 0
    points: int | None = 0
    # The kind's settings as entered; see plans.item_settings for what each kind takes.
    settings: dict[str, Any] = field(default_factory=dict)


def _check_item(plan: Plan, fields: ItemFields) -> dict[str, Any]:
    """The item's cleaned settings; every problem at once (each shown beside its field)."""
    settings, problems = item_problems(plan, fields)
    raise_all(problems)
    return settings


def item_problems(plan: Plan, fields: ItemFields) -> tuple[dict[str, Any], list[ValidationFailed]]:
    """The item's cleaned settings, and every rule ``fields`` break (a form whose own
    checks failed asks too, to name them all in one answer)."""
    due_outside = fields.due_on is not None and not plan.starts_on <= fields.due_on <= plan.ends_on
    problems = [ValidationFailed(message, field=name) for failed, name, message in (
        (fields.kind not in KINDS, "kind", _("请选择事项类型。")),
        (len((fields.title or "").strip()) > 200, "title", _("标题最多 200 字。")),
        (fields.stage_id is not None and not any(s.id == fields.stage_id for s in plan.stages),
         "stage_id", _("所选阶段不属于本计划。")),
        (due_outside, "due_on", _("截止日期须在计划期间（%(start)s 至 %(end)s）内。",
                                  start=display_date(plan.starts_on),
                                  end=display_date(plan.ends_on))),
        (fields.hours is None or not 0 <= fields.hours <= MAX_HOURS, "hours",
         _("学时须在 0 到 %(max)d 之间。", max=MAX_HOURS)),
        (fields.points is None or not 0 <= fields.points <= MAX_POINTS, "points",
         _("积分须在 0 到 %(max)d 之间。", max=MAX_POINTS)),
        (not (fields.title or "").strip() and fields.kind == "video", "title", _("请填写标题。")),
    ) if failed]
    settings: dict[str, Any] = {}
    if fields.kind in KINDS:
        try:
            settings = clean_settings(plan, fields.kind, fields.settings)
            if not due_outside:  # else the dates are wrong already, said once
                check_fits(fields.kind, settings, fields.due_on, plan.starts_on, plan.ends_on)
        except ValidationFailed as error:  # one problem (it keeps its code if alone)
            problems.append(error)
    return settings, problems


def _apply_item(plan: Plan, item: PlanItem, fields: ItemFields,
                settings: dict[str, Any]) -> None:
    stage = next((s for s in plan.stages if s.id == fields.stage_id), None)
    item.due_on = fields.due_on if fields.kind != "session" \
        else session_item_due(plan, item, fields.due_on, settings["session_id"])
    item.kind = fields.kind
    item.title = (fields.title or "").strip() or default_title(
        fields.kind, settings, stage.title if stage else plan.title)
    item.description = (fields.description or "").strip()
    item.stage_id = fields.stage_id
    item.required = bool(fields.required)
    # A session item's hours are its session's (the attendance counts): none of its own.
    item.hours = 0.0 if fields.kind == "session" else float(fields.hours or 0)
    item.points = int(fields.points or 0)
    item.settings = settings


def get_item(plan: Plan, item_id: int) -> PlanItem:
    """An item of ``plan``, or 404."""
    item = db.session.get(PlanItem, item_id)
    if item is None or item.plan_id != plan.id:
        raise NotFound(_("事项不存在。"))
    return item


def add_item(actor: User | None, plan: Plan, fields: ItemFields, now: datetime) -> PlanItem:
    """An item at the end of its stage (or of the ungrouped items)."""
    check_editable(plan)
    settings = _check_item(plan, fields)
    check_reach(plan, fields.kind, settings)
    item = PlanItem(plan_id=plan.id, position=LAST)
    _apply_item(plan, item, fields, settings)
    db.session.add(item)
    renumber(plan)
    record_audit(actor, "plan.item.create", plan,
                 _("学习计划《%(plan)s》添加事项“%(item)s”", plan=plan.title, item=item.title),
                 {"item_id": item.id, "kind": item.kind})
    return item


def update_item(actor: User | None, item: PlanItem, fields: ItemFields, now: datetime) -> None:
    """Change an item's common fields and settings; a new stage puts it at that stage's end."""
    plan = item.plan
    check_editable(plan)
    settings = _check_item(plan, fields)
    check_reach(plan, fields.kind, settings, was=item)
    moved = item.stage_id != fields.stage_id
    if moved:
        item.position = LAST  # the end of its new stage
    _apply_item(plan, item, fields, settings)
    if moved:
        renumber(plan)
    else:
        db.session.flush()
    record_audit(actor, "plan.item.update", plan,
                 _("学习计划《%(plan)s》修改事项“%(item)s”", plan=plan.title, item=item.title),
                 {"item_id": item.id, "kind": item.kind})


def move_item(actor: User | None, item: PlanItem, offset: int, now: datetime) -> None:
    """Move an item up (-1) or down (+1) within its stage."""
    plan = item.plan
    check_editable(plan)
    siblings = [i for i in plan.items if i.stage_id == item.stage_id]
    if not swap_with_neighbour(siblings, item, offset):
        return
    renumber(plan)
    record_audit(actor, "plan.item.update", plan,
                 _("学习计划《%(plan)s》调整事项“%(item)s”的顺序", plan=plan.title, item=item.title),
                 {"item_id": item.id})


def delete_item(actor: User | None, item: PlanItem, now: datetime) -> None:
    """Delete an item nobody has done or written anything for yet."""
    plan = item.plan
    check_editable(plan)
    touched = db.session.scalar(select(func.count()).select_from(Reflection).where(
        Reflection.item_id == item.id)) or db.session.scalar(
        select(func.count()).select_from(PlanItemProgress).where(
            PlanItemProgress.item_id == item.id, PlanItemProgress.completed_at.is_not(None)))
    if touched:
        raise Conflict(_("已有人完成或提交了“%(title)s”，不能删除；可以改为选修。", title=item.title),
                       code="item_in_use")
    title = item.title
    record_audit(actor, "plan.item.delete", plan,
                 _("学习计划《%(plan)s》删除事项“%(item)s”", plan=plan.title, item=title),
                 {"item_id": item.id, "kind": item.kind})
    db.session.delete(item)
    renumber(plan)

