"""A plan's stages (months or phases): adding, renaming, moving and deleting them. Like
plans.authoring, every function flushes, never commits, and writes the audit log."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.errors import NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.plans.authoring import check_editable, get_plan
from lawlearn.plans.models import Plan, PlanStage
from lawlearn.plans.positions import renumber, swap_with_neighbour


def _stage_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("请填写阶段名称，例如“一月”或“第一阶段”。"), field="title")
    if len(title) > 100:
        raise ValidationFailed(_("阶段名称最多 100 字。"), field="title")
    return title


def get_stage(plan: Plan, stage_id: int) -> PlanStage:
    """A stage of ``plan``, or 404."""
    stage = db.session.get(PlanStage, stage_id)
    if stage is None or stage.plan_id != plan.id:
        raise NotFound(_("阶段不存在。"))
    return stage


def add_stage(actor: User | None, plan: Plan, title: str, now: datetime) -> PlanStage:
    """A new stage (a month or a phase) at the end."""
    check_editable(plan)
    title = _stage_title(title)
    stage = PlanStage(plan_id=plan.id, title=title, position=len(plan.stages))
    db.session.add(stage)
    db.session.flush()
    db.session.expire(plan, ["stages"])
    record_audit(actor, "plan.stage", plan, _("学习计划《%(plan)s》添加阶段“%(stage)s”",
                                              plan=plan.title, stage=title))
    return stage


def rename_stage(actor: User | None, stage: PlanStage, title: str, now: datetime) -> None:
    """Rename a stage."""
    plan = get_plan(stage.plan_id)
    check_editable(plan)
    old, stage.title = stage.title, _stage_title(title)
    db.session.flush()
    record_audit(actor, "plan.stage", plan, _("学习计划《%(plan)s》阶段“%(old)s”改名为“%(new)s”",
                                              plan=plan.title, old=old, new=stage.title))


def move_stage(actor: User | None, stage: PlanStage, offset: int, now: datetime) -> None:
    """Move a stage up (-1) or down (+1); its items move with it."""
    plan = get_plan(stage.plan_id)
    check_editable(plan)
    if not swap_with_neighbour(list(plan.stages), stage, offset):
        return
    renumber(plan)
    record_audit(actor, "plan.stage", plan, _("学习计划《%(plan)s》调整阶段“%(stage)s”的顺序",
                                              plan=plan.title, stage=stage.title))


def delete_stage(actor: User | None, stage: PlanStage, now: datetime) -> int:
    """Delete a stage; its items stay in the plan, ungrouped. Returns how many items."""
    plan = get_plan(stage.plan_id)
    check_editable(plan)
    ungrouped = 0
    for item in plan.items:
        if item.stage_id == stage.id:
            item.stage_id = None
            ungrouped += 1
    title = stage.title
    db.session.delete(stage)
    renumber(plan)
    record_audit(actor, "plan.stage", plan, _("学习计划《%(plan)s》删除阶段“%(stage)s”",
                                              plan=plan.title, stage=title))
    return ungrouped
