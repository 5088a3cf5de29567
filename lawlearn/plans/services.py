"""Study plans, the admin side: plans, audience, stages, items and their settings, publish,
close, delete, copy to next year, reminders, and the review of reflections. No HTTP here.

Every function takes the acting user and ``now`` (naive UTC), flushes, never commits, and
raises domain errors whose messages are for the user.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import Department, Role, User
from lawlearn.database import like_pattern
from lawlearn.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from lawlearn.extensions import db
from lawlearn.i18n import display_date
from lawlearn.plans import progress
from lawlearn.plans.kinds import KINDS
from lawlearn.plans.models import (
    PLAN_KINDS,
    Plan,
    PlanAudience,
    PlanItem,
    PlanItemProgress,
    PlanStage,
    Reflection,
)
from lawlearn.plans.notices import notify

MAX_HOURS = 1000
MAX_POINTS = 1000
MAX_SECONDS = 4 * 3600
MAX_REFLECTION_LENGTH = 5000
MAX_STREAK_DAYS = 366
MAX_COMMENT = 1000
DEFAULT_MIN_SECONDS = 60
DEFAULT_MIN_LENGTH = 200
# Divisions an "articles" item may name: a chapter (章) or a section (节).
ARTICLE_DIVISION_KINDS = ("chapter", "section")
# Settings that point at something held on a date (last year's quiz or session is over):
# a copy clears them and the admin chooses again.
DATED_TARGETS = {"quiz": "quiz_id", "session": "session_id"}


def plan_link(plan_id: int) -> str:
    """The staff page of a plan (the link of its notices)."""
    return f"/plans/{plan_id}"


def item_link(item_id: int) -> str:
    """The staff page of a plan item (where a reflection is written)."""
    return f"/plans/items/{item_id}"


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
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(_("学习计划不存在。"))
    return plan


def _check_editable(plan: Plan) -> None:
    if plan.status == "closed":
        raise Conflict(_("计划已结束，不能再修改。"), code="plan_closed")


def _check_plan(fields: PlanFields) -> None:
    if not (fields.title or "").strip():
        raise ValidationFailed(_("请填写计划名称。"), field="title")
    if len(fields.title.strip()) > 200:
        raise ValidationFailed(_("计划名称最多 200 字。"), field="title")
    if fields.kind not in PLAN_KINDS:
        raise ValidationFailed(_("请选择计划类型。"), field="kind")
    if fields.starts_on is None:
        raise ValidationFailed(_("请填写开始日期。"), field="starts_on")
    if fields.ends_on is None:
        raise ValidationFailed(_("请填写结束日期。"), field="ends_on")
    if fields.ends_on < fields.starts_on:
        raise ValidationFailed(_("结束日期不能早于开始日期。"), field="ends_on")
    hours = fields.required_hours
    if hours is None or hours < 0 or hours > MAX_HOURS:
        raise ValidationFailed(_("要求学时须在 0 到 %(max)d 之间。", max=MAX_HOURS),
                               field="required_hours")


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
    _check_editable(plan)
    _check_plan(fields)
    outside = [item.title for item in plan.items if item.due_on is not None
               and not fields.starts_on <= item.due_on <= fields.ends_on]
    if outside:
        raise ValidationFailed(_("以下事项的截止日期不在新的计划期间内，请先修改：%(titles)s",
                                 titles="、".join(outside)), field="ends_on")
    _apply_plan(plan, fields)
    db.session.flush()
    record_audit(actor, "plan.update", plan, _("修改学习计划《%(title)s》", title=plan.title))


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


# --- audience ---------------------------------------------------------------------------


def set_audience(actor: User | None, plan: Plan, now: datetime, *, everyone: bool,
                 department_ids: list[int] | None = None, user_ids: list[int] | None = None,
                 roles: list[str] | None = None) -> int:
    """Everyone, or any mix of departments (with their sections), people and roles.

    For a published plan the people who join the audience are notified; returns how many.
    """
    _check_editable(plan)
    department_ids = list(dict.fromkeys(department_ids or []))
    user_ids = list(dict.fromkeys(user_ids or []))
    roles = list(dict.fromkeys(roles or []))
    known_roles = {role.value for role in Role}
    unknown = [role for role in roles if role not in known_roles]
    if unknown:
        raise ValidationFailed(_("未知的角色：%(roles)s", roles="、".join(unknown)), field="roles")
    if department_ids:
        found = set(db.session.scalars(select(Department.id).where(
            Department.id.in_(department_ids))))
        if len(found) != len(department_ids):
            raise ValidationFailed(_("所选部门不存在。"), field="department_ids")
    if user_ids:
        found = set(db.session.scalars(select(User.id).where(User.id.in_(user_ids))))
        if len(found) != len(user_ids):
            raise ValidationFailed(_("所选人员不存在。"), field="usernames")
    if not everyone and not (department_ids or user_ids or roles):
        raise ValidationFailed(_("请选择部门、人员或角色，或选择“全体人员”。"),
                               field="department_ids")
    before = audience_ids(plan) if plan.status == "published" else set()
    plan.audience_all = everyone
    plan.audience = [] if everyone else (
        [PlanAudience(department_id=d) for d in department_ids]
        + [PlanAudience(user_id=u) for u in user_ids]
        + [PlanAudience(role=r) for r in roles])
    db.session.flush()
    record_audit(actor, "plan.audience", plan,
                 _("设置学习计划《%(title)s》的对象", title=plan.title),
                 {"everyone": everyone, "department_ids": department_ids, "user_ids": user_ids,
                  "roles": roles})
    if plan.status != "published":
        return 0
    joined = audience_ids(plan) - before
    return notify(joined, _("新的学习计划：%(title)s", title=plan.title), _notice_body(plan),
                  plan_link(plan.id), now)


def audience_ids(plan: Plan) -> set[int]:
    """Ids of the active people a plan is for, in one query."""
    return set(db.session.scalars(progress.audience_users_query(plan).with_only_columns(User.id)))


def audience_summary(plan: Plan) -> dict[str, list[str]]:
    """Names of a plan's audience for display: departments, people, roles (two queries)."""
    department_ids = [a.department_id for a in plan.audience if a.department_id]
    user_ids = [a.user_id for a in plan.audience if a.user_id]
    departments = db.session.scalars(select(Department).where(
        Department.id.in_(department_ids)).options(joinedload(Department.parent))) \
        if department_ids else []
    people = db.session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.name)) \
        if user_ids else []
    return {
        "departments": sorted(d.full_name for d in departments),
        "people": [f"{u.name}（{u.username}）" for u in people],
        "roles": [Role(a.role).label for a in plan.audience if a.role],
    }


# --- stages -----------------------------------------------------------------------------


def _renumber(plan: Plan) -> None:
    """Positions follow the page: stages in order, each with its items, ungrouped last."""
    for index, stage in enumerate(plan.stages):
        stage.position = index
    order = {stage.id: index for index, stage in enumerate(plan.stages)}
    ranked = sorted(plan.items, key=lambda i: (
        i.stage_id is None, order.get(i.stage_id, 0) if i.stage_id else 0, i.position, i.id or 0))
    for index, item in enumerate(ranked):
        item.position = index
    db.session.flush()
    db.session.expire(plan, ["stages", "items"])


def _stage_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationFailed(_("请填写阶段名称，例如“一月”或“第一阶段”。"), field="title")
    if len(title) > 100:
        raise ValidationFailed(_("阶段名称最多 100 字。"), field="title")
    return title


def get_stage(plan: Plan, stage_id: int) -> PlanStage:
    stage = db.session.get(PlanStage, stage_id)
    if stage is None or stage.plan_id != plan.id:
        raise NotFound(_("阶段不存在。"))
    return stage


def add_stage(actor: User | None, plan: Plan, title: str, now: datetime) -> PlanStage:
    """A new stage (a month or a phase) at the end."""
    _check_editable(plan)
    title = _stage_title(title)
    stage = PlanStage(plan_id=plan.id, title=title, position=len(plan.stages))
    db.session.add(stage)
    db.session.flush()
    db.session.expire(plan, ["stages"])
    record_audit(actor, "plan.stage", plan, _("学习计划《%(plan)s》添加阶段“%(stage)s”",
                                              plan=plan.title, stage=title))
    return stage


def rename_stage(actor: User | None, stage: PlanStage, title: str, now: datetime) -> None:
    plan = get_plan(stage.plan_id)
    _check_editable(plan)
    old, stage.title = stage.title, _stage_title(title)
    db.session.flush()
    record_audit(actor, "plan.stage", plan, _("学习计划《%(plan)s》阶段“%(old)s”改名为“%(new)s”",
                                              plan=plan.title, old=old, new=stage.title))


def move_stage(actor: User | None, stage: PlanStage, offset: int, now: datetime) -> None:
    """Move a stage up (-1) or down (+1); its items move with it."""
    plan = get_plan(stage.plan_id)
    _check_editable(plan)
    stages = list(plan.stages)
    index = stages.index(stage)
    target = index + (1 if offset > 0 else -1)
    if not 0 <= target < len(stages):
        return
    stages[index], stages[target] = stages[target], stages[index]
    for position, each in enumerate(stages):
        each.position = position
    db.session.flush()
    db.session.expire(plan, ["stages"])
    _renumber(plan)
    record_audit(actor, "plan.stage", plan, _("学习计划《%(plan)s》调整阶段“%(stage)s”的顺序",
                                              plan=plan.title, stage=stage.title))


def delete_stage(actor: User | None, stage: PlanStage, now: datetime) -> int:
    """Delete a stage; its items stay in the plan, ungrouped. Returns how many items."""
    plan = get_plan(stage.plan_id)
    _check_editable(plan)
    ungrouped = 0
    for item in plan.items:
        if item.stage_id == stage.id:
            item.stage_id = None
            ungrouped += 1
    title = stage.title
    db.session.delete(stage)
    db.session.flush()
    db.session.expire(plan, ["stages"])
    _renumber(plan)
    record_audit(actor, "plan.stage", plan, _("学习计划《%(plan)s》删除阶段“%(stage)s”",
                                              plan=plan.title, stage=title))
    return ungrouped


# --- items and their settings ---------------------------------------------------------------


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
    # The kind's settings as entered; see clean_settings for what each kind takes.
    settings: dict[str, Any] = field(default_factory=dict)


def _int(raw: dict[str, Any], key: str, message: str, *, default: int | None = None,
         low: int = 0, high: int = 10 ** 9) -> int | None:
    value = raw.get(key)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(message, field=key) from None
    if not low <= number <= high:
        raise ValidationFailed(message, field=key)
    return number


def _flag(raw: dict[str, Any], key: str) -> bool:
    value = raw.get(key)
    if isinstance(value, str):
        return value.lower() in ("1", "true", "y", "yes", "on")
    return bool(value)


def _articles_settings(plan: Plan, raw: dict[str, Any]) -> dict[str, Any]:
    from lawlearn.library.models import Law, LawArticle, LawDivision

    law_id = _int(raw, "law_id", _("请选择法规。"))
    law = db.session.get(Law, law_id) if law_id else None
    if law is None:
        raise ValidationFailed(_("请选择法规。"), field="law_id")
    if not law.is_current:
        raise ValidationFailed(_("《%(title)s》已有新版本，请选择现行版本。",
                                 title=law.display_title), field="law_id")
    division_id = _int(raw, "division_id", _("请选择章或节。"))
    low = _int(raw, "from_number", _("条文序号须为正整数。"), low=1)
    high = _int(raw, "to_number", _("条文序号须为正整数。"), low=1)
    if division_id and (low or high):
        raise ValidationFailed(_("章节和条文范围只能选一种。"), field="division_id")
    if division_id:
        division = db.session.get(LawDivision, division_id)
        if division is None or division.law_id != law.id:
            raise ValidationFailed(_("所选章节不属于《%(title)s》。", title=law.display_title),
                                   field="division_id")
        if division.kind not in ARTICLE_DIVISION_KINDS:
            raise ValidationFailed(_("请选择一章或一节。"), field="division_id")
        return {"law_id": law.id, "division_id": division.id}
    if not low and not high:
        raise ValidationFailed(_("请选择一章（节），或填写条文范围。"), field="division_id")
    low = low or 1
    top = db.session.scalar(select(func.max(LawArticle.number)).where(
        LawArticle.law_id == law.id)) or 0
    high = high or top
    if high < low:
        raise ValidationFailed(_("结束条文不能小于起始条文。"), field="to_number")
    if high > top:
        raise ValidationFailed(_("《%(title)s》共 %(n)d 条，条文范围超出了。",
                                 title=law.display_title, n=top), field="to_number")
    return {"law_id": law.id, "from_number": low, "to_number": high}


def _min_seconds(raw: dict[str, Any]) -> int:
    return _int(raw, "min_seconds", _("最短学习时长须在 0 到 %(max)d 秒之间。", max=MAX_SECONDS),
                default=DEFAULT_MIN_SECONDS, high=MAX_SECONDS) or 0


def _material_settings(plan: Plan, raw: dict[str, Any]) -> dict[str, Any]:
    from lawlearn.library.models import Material

    material_id = _int(raw, "material_id", _("请选择学习资料。"))
    material = db.session.get(Material, material_id) if material_id else None
    if material is None:
        raise ValidationFailed(_("请选择学习资料。"), field="material_id")
    if not material.published:
        raise ValidationFailed(_("资料《%(title)s》尚未发布，请先发布。", title=material.title),
                               field="material_id")
    return {"material_id": material.id, "min_seconds": _min_seconds(raw)}


def _quiz_settings(plan: Plan, raw: dict[str, Any]) -> dict[str, Any]:
    from lawlearn.quiz.models import Quiz

    quiz_id = _int(raw, "quiz_id", _("请选择测验。"))
    if not quiz_id or db.session.get(Quiz, quiz_id) is None:
        raise ValidationFailed(_("请选择测验。"), field="quiz_id")
    require = raw.get("require") or "passed"
    if require not in ("passed", "attempted"):
        raise ValidationFailed(_("请选择完成条件。"), field="require")
    return {"quiz_id": quiz_id, "require": require}


def _session_settings(plan: Plan, raw: dict[str, Any]) -> dict[str, Any]:
    from lawlearn.sessions.models import StudySession

    session_id = _int(raw, "session_id", _("请选择学法活动。"))
    session = db.session.get(StudySession, session_id) if session_id else None
    if session is None:
        raise ValidationFailed(_("请选择学法活动。"), field="session_id")
    if session.cancelled_at is not None:
        raise ValidationFailed(_("活动《%(title)s》已取消。", title=session.title),
                               field="session_id")
    return {"session_id": session.id, "excused_counts": _flag(raw, "excused_counts")}


def _reflection_settings(plan: Plan, raw: dict[str, Any]) -> dict[str, Any]:
    length = _int(raw, "min_length", _("最少字数须在 1 到 %(max)d 之间。",
                                       max=MAX_REFLECTION_LENGTH),
                  default=DEFAULT_MIN_LENGTH, low=1, high=MAX_REFLECTION_LENGTH)
    return {"min_length": length, "review": _flag(raw, "review")}


def _video_settings(plan: Plan, raw: dict[str, Any]) -> dict[str, Any]:
    url = (raw.get("url") or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
        raise ValidationFailed(_("请填写以 http:// 或 https:// 开头的视频链接。"), field="url")
    return {"url": url, "min_seconds": _min_seconds(raw)}


def _streak_settings(plan: Plan, raw: dict[str, Any]) -> dict[str, Any]:
    days = _int(raw, "days", _("天数须在 1 到 %(max)d 之间。", max=MAX_STREAK_DAYS),
                low=1, high=MAX_STREAK_DAYS)
    if days is None:
        raise ValidationFailed(_("请填写需要完成每日一练的天数。"), field="days")
    settings: dict[str, Any] = {"days": days}
    start = raw.get("from")
    if isinstance(start, str) and start:
        try:
            start = date.fromisoformat(start)
        except ValueError:
            raise ValidationFailed(_("开始日期格式不对。"), field="streak_from") from None
    if start:
        if not plan.starts_on <= start <= plan.ends_on:
            raise ValidationFailed(_("开始日期须在计划期间内。"), field="streak_from")
        settings["from"] = start.isoformat()
    return settings


SETTINGS_CHECKS = {
    "articles": _articles_settings, "material": _material_settings, "quiz": _quiz_settings,
    "session": _session_settings, "reflection": _reflection_settings,
    "video": _video_settings, "streak": _streak_settings,
}


def clean_settings(plan: Plan, kind: str, raw: dict[str, Any]) -> dict[str, Any]:
    """The settings a kind needs, checked and normalised; other keys are dropped.

    articles: law_id (current version) + division_id (章/节) or from_number/to_number;
    material: material_id (published) + min_seconds; quiz: quiz_id + require
    (passed/attempted); session: session_id + excused_counts; reflection: min_length +
    review; video: url (http/https) + min_seconds; streak: days + from (within the plan).
    """
    if kind not in SETTINGS_CHECKS:
        raise ValidationFailed(_("请选择事项类型。"), field="kind")
    return SETTINGS_CHECKS[kind](plan, raw)


def _default_title(kind: str, settings: dict[str, Any]) -> str:
    """A title taken from what the item points at, for an item left untitled."""
    from lawlearn.library.models import Law, LawDivision, Material
    from lawlearn.quiz.models import Quiz
    from lawlearn.sessions.models import StudySession

    if kind == "articles":
        law = db.session.get(Law, settings["law_id"])
        if settings.get("division_id"):
            division = db.session.get(LawDivision, settings["division_id"])
            return _("学习《%(law)s》%(division)s", law=law.display_title,
                     division=division.heading)
        return _("学习《%(law)s》第 %(low)d 至 %(high)d 条", law=law.display_title,
                 low=settings["from_number"], high=settings["to_number"])
    if kind == "material":
        return _("阅读《%(title)s》", title=db.session.get(Material, settings["material_id"]).title)
    if kind == "quiz":
        return _("参加测验《%(title)s》", title=db.session.get(Quiz, settings["quiz_id"]).title)
    if kind == "session":
        return _("参加《%(title)s》",
                 title=db.session.get(StudySession, settings["session_id"]).title)
    if kind == "reflection":
        return _("撰写学习心得")
    if kind == "streak":
        return _("坚持每日一练 %(n)d 天", n=settings["days"])
    return ""


def _check_item(plan: Plan, fields: ItemFields) -> dict[str, Any]:
    if fields.kind not in KINDS:
        raise ValidationFailed(_("请选择事项类型。"), field="kind")
    if len((fields.title or "").strip()) > 200:
        raise ValidationFailed(_("标题最多 200 字。"), field="title")
    if fields.stage_id is not None and not any(s.id == fields.stage_id for s in plan.stages):
        raise ValidationFailed(_("所选阶段不属于本计划。"), field="stage_id")
    if fields.due_on is not None and not plan.starts_on <= fields.due_on <= plan.ends_on:
        raise ValidationFailed(_("截止日期须在计划期间（%(start)s 至 %(end)s）内。",
                                 start=display_date(plan.starts_on),
                                 end=display_date(plan.ends_on)), field="due_on")
    if fields.hours is None or not 0 <= fields.hours <= MAX_HOURS:
        raise ValidationFailed(_("学时须在 0 到 %(max)d 之间。", max=MAX_HOURS), field="hours")
    if fields.points is None or not 0 <= fields.points <= MAX_POINTS:
        raise ValidationFailed(_("积分须在 0 到 %(max)d 之间。", max=MAX_POINTS), field="points")
    settings = clean_settings(plan, fields.kind, fields.settings)
    if not (fields.title or "").strip() and fields.kind == "video":
        raise ValidationFailed(_("请填写标题。"), field="title")
    return settings


def _apply_item(item: PlanItem, fields: ItemFields, settings: dict[str, Any]) -> None:
    item.kind = fields.kind
    item.title = (fields.title or "").strip() or _default_title(fields.kind, settings)
    item.description = (fields.description or "").strip()
    item.stage_id = fields.stage_id
    item.due_on = fields.due_on
    item.required = bool(fields.required)
    item.hours = float(fields.hours or 0)
    item.points = int(fields.points or 0)
    item.settings = settings


def get_item(plan: Plan, item_id: int) -> PlanItem:
    item = db.session.get(PlanItem, item_id)
    if item is None or item.plan_id != plan.id:
        raise NotFound(_("事项不存在。"))
    return item


def add_item(actor: User | None, plan: Plan, fields: ItemFields, now: datetime) -> PlanItem:
    """An item at the end of its stage (or of the ungrouped items)."""
    _check_editable(plan)
    settings = _check_item(plan, fields)
    item = PlanItem(plan_id=plan.id, position=10 ** 6)
    _apply_item(item, fields, settings)
    db.session.add(item)
    db.session.flush()
    db.session.expire(plan, ["items"])
    _renumber(plan)
    record_audit(actor, "plan.item.create", plan,
                 _("学习计划《%(plan)s》添加事项“%(item)s”", plan=plan.title, item=item.title),
                 {"item_id": item.id, "kind": item.kind})
    return item


def update_item(actor: User | None, item: PlanItem, fields: ItemFields, now: datetime) -> None:
    plan = item.plan
    _check_editable(plan)
    settings = _check_item(plan, fields)
    moved = item.stage_id != fields.stage_id
    if moved:
        item.position = 10 ** 6  # the end of its new stage
    _apply_item(item, fields, settings)
    db.session.flush()
    if moved:
        _renumber(plan)
    record_audit(actor, "plan.item.update", plan,
                 _("学习计划《%(plan)s》修改事项“%(item)s”", plan=plan.title, item=item.title),
                 {"item_id": item.id, "kind": item.kind})


def move_item(actor: User | None, item: PlanItem, offset: int, now: datetime) -> None:
    """Move an item up (-1) or down (+1) within its stage."""
    plan = item.plan
    _check_editable(plan)
    siblings = [i for i in plan.items if i.stage_id == item.stage_id]
    index = siblings.index(item)
    target = index + (1 if offset > 0 else -1)
    if not 0 <= target < len(siblings):
        return
    other = siblings[target]
    item.position, other.position = other.position, item.position
    db.session.flush()
    db.session.expire(plan, ["items"])
    _renumber(plan)
    record_audit(actor, "plan.item.update", plan,
                 _("学习计划《%(plan)s》调整事项“%(item)s”的顺序", plan=plan.title, item=item.title),
                 {"item_id": item.id})


def delete_item(actor: User | None, item: PlanItem, now: datetime) -> None:
    """Delete an item nobody has done or written anything for yet."""
    plan = item.plan
    _check_editable(plan)
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
    db.session.flush()
    db.session.expire(plan, ["items"])
    _renumber(plan)


def needs_target(item: PlanItem) -> bool:
    """A copied quiz or session item whose target must be chosen again."""
    key = DATED_TARGETS.get(item.kind)
    return key is not None and not item.settings.get(key)


def item_targets(items: list[PlanItem]) -> dict[int, str]:
    """item id → what it points at, for display (one query per kind of target)."""
    from lawlearn.library.models import Law, LawDivision, Material
    from lawlearn.quiz.models import Quiz
    from lawlearn.sessions.models import StudySession

    def ids(kind: str, key: str) -> set[int]:
        return {i.settings[key] for i in items if i.kind == kind and i.settings.get(key)}

    def load(model, wanted: set[int]) -> dict[int, Any]:
        if not wanted:
            return {}
        return {row.id: row for row in db.session.scalars(select(model).where(
            model.id.in_(wanted)))}

    laws = load(Law, ids("articles", "law_id"))
    divisions = load(LawDivision, ids("articles", "division_id"))
    materials = load(Material, ids("material", "material_id"))
    quizzes = load(Quiz, ids("quiz", "quiz_id"))
    sessions = load(StudySession, ids("session", "session_id"))
    result: dict[int, str] = {}
    for item in items:
        s = item.settings
        if item.kind == "articles" and s.get("law_id") in laws:
            law = laws[s["law_id"]].display_title
            if s.get("division_id") in divisions:
                text = _("《%(law)s》%(division)s", law=law,
                         division=divisions[s["division_id"]].heading)
            else:
                text = _("《%(law)s》第 %(low)s 至 %(high)s 条", law=law, low=s.get("from_number"),
                         high=s.get("to_number"))
        elif item.kind == "material" and s.get("material_id") in materials:
            text = _("《%(title)s》，至少 %(n)s 秒", title=materials[s["material_id"]].title,
                     n=s.get("min_seconds", DEFAULT_MIN_SECONDS))
        elif item.kind == "quiz" and s.get("quiz_id") in quizzes:
            text = _("《%(title)s》，%(rule)s", title=quizzes[s["quiz_id"]].title,
                     rule=_("参加即可") if s.get("require") == "attempted" else _("须通过"))
        elif item.kind == "session" and s.get("session_id") in sessions:
            session = sessions[s["session_id"]]
            text = _("《%(title)s》%(when)s", title=session.title,
                     when=display_date(session.starts_at))
            if s.get("excused_counts"):
                text += _("，请假视为完成")
        elif item.kind == "reflection":
            text = _("至少 %(n)s 字", n=s.get("min_length", DEFAULT_MIN_LENGTH))
            if s.get("review"):
                text += _("，须审阅")
        elif item.kind == "video":
            text = _("%(url)s，至少 %(n)s 秒", url=s.get("url", ""),
                     n=s.get("min_seconds", DEFAULT_MIN_SECONDS))
        elif item.kind == "streak":
            text = _("%(n)s 天", n=s.get("days", 1))
            if s.get("from"):
                text += _("，自 %(day)s 起", day=display_date(date.fromisoformat(s["from"])))
        else:
            text = ""
        result[item.id] = text
    return result


# --- publish, close, delete ----------------------------------------------------------------


def _notice_body(plan: Plan) -> str:
    return _("学习期间：%(start)s 至 %(end)s，共 %(n)d 项。请按时完成。",
             start=display_date(plan.starts_on), end=display_date(plan.ends_on),
             n=len(plan.items))


def item_problems(plan: Plan) -> list[tuple[PlanItem, str]]:
    """Items whose settings no longer hold (a copied quiz or session, a withdrawn material)."""
    problems = []
    for item in plan.items:
        if needs_target(item):
            problems.append((item, _("需重新选择")))
            continue
        try:
            clean_settings(plan, item.kind, item.settings)
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
    count = notify(audience_ids(plan), _("新的学习计划：%(title)s", title=plan.title),
                   _notice_body(plan), plan_link(plan.id), now)
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


def next_year(day: date) -> date:
    """The same day a year later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def next_year_title(title: str, year: int) -> str:
    """"2025年度学法计划" → "2026年度学法计划"; a title without the year gets "（复制）"."""
    old = str(year)
    if old in title:
        return title.replace(old, str(year + 1))[:200]
    suffix = _("（复制）")
    return title[:200 - len(suffix)] + suffix


def copy_plan(actor: User | None, plan: Plan, now: datetime) -> tuple[Plan, list[PlanItem]]:
    """A new draft a year later: items, stages and audience copied, every date shifted.

    Quiz and session items lose their target (last year's is over): they are returned so
    that the admin chooses again.
    """
    copy = Plan(title=next_year_title(plan.title, plan.starts_on.year), kind=plan.kind,
                description=plan.description, starts_on=next_year(plan.starts_on),
                ends_on=next_year(plan.ends_on), status="draft",
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
        if settings.get("from"):
            settings["from"] = next_year(date.fromisoformat(settings["from"])).isoformat()
        key = DATED_TARGETS.get(item.kind)
        new = PlanItem(kind=item.kind, title=item.title, description=item.description,
                       position=item.position, stage=stages.get(item.stage_id),
                       due_on=next_year(item.due_on) if item.due_on else None,
                       required=item.required, hours=item.hours, points=item.points)
        if key and settings.pop(key, None) is not None:
            cleared.append(new)
        new.settings = settings
        copy.items.append(new)
    db.session.flush()
    record_audit(actor, "plan.copy", copy,
                 _("由《%(old)s》复制出《%(new)s》", old=plan.title, new=copy.title),
                 {"copied_from_id": plan.id, "cleared_item_ids": [i.id for i in cleared]})
    return copy, cleared


# --- reminders -----------------------------------------------------------------------------


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


def remind(actor: User, plan: Plan, now: datetime, *, department_id: int | None = None,
           not_done: bool = False) -> int:
    """Notify the people of a plan's audience (optionally of one department) who have a
    required item overdue, or with ``not_done`` any required item not done yet.

    A dept_lead reminds only their own department. Returns how many were reminded.
    """
    if plan.status != "published":
        raise Conflict(_("只能提醒已发布计划的学员。"), code="plan_not_published")
    scope = department_scope(actor)
    if scope is not None and (department_id is None or department_id not in scope):
        raise PermissionDenied(_("只能提醒本部门的人员。"))
    if department_id is not None and db.session.get(Department, department_id) is None:
        raise ValidationFailed(_("部门不存在。"), field="department_id")
    grid = progress.matrix(plan, now, department_id=department_id)
    overdue = {p.id for p in grid.people if grid.person_behind(p)}
    behind = {p.id for p in grid.people if p.id not in overdue
              and grid.person_done(p) < grid.required_count} if not_done else set()
    title = _("学习提醒：%(title)s", title=plan.title)
    count = notify(overdue, title, _("您在学习计划《%(title)s》中有已过截止日期的必修事项尚未完成，"
                                     "请尽快完成。", title=plan.title), plan_link(plan.id), now)
    count += notify(behind, title, _("您在学习计划《%(title)s》中还有必修事项未完成，请按时完成。",
                                     title=plan.title), plan_link(plan.id), now)
    record_audit(actor, "plan.remind", plan,
                 _("提醒学习计划《%(title)s》的未完成者 %(n)d 人", title=plan.title, n=count),
                 {"department_id": department_id, "not_done": not_done})
    return count


# --- reviewing reflections -----------------------------------------------------------------


def reviewed_item_ids() -> list[int]:
    """Reflection items whose reflections are reviewed (settings are JSON: filtered here)."""
    rows = db.session.execute(select(PlanItem.id, PlanItem.settings).where(
        PlanItem.kind == "reflection"))
    return [item_id for item_id, settings in rows if (settings or {}).get("review")]


def reviews_query(actor: User):
    """SQL: reflections waiting for ``actor``'s review, oldest first; never their own."""
    scope = department_scope(actor)
    query = (select(Reflection).join(Reflection.user)
             .where(Reflection.status == "submitted", Reflection.item_id.in_(reviewed_item_ids()),
                    Reflection.user_id != actor.id)
             .options(joinedload(Reflection.user).joinedload(User.department)
                      .joinedload(Department.parent),
                      joinedload(Reflection.item).joinedload(PlanItem.plan))
             .order_by(Reflection.submitted_at, Reflection.id))
    if scope is not None:
        query = query.where(User.department_id.in_(scope) if scope else False)
    return query


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
            now: datetime) -> None:
    if reflection.user_id == actor.id:
        raise PermissionDenied(_("不能审阅自己的学习心得。"))
    if len(comment) > MAX_COMMENT:
        raise ValidationFailed(_("意见最多 %(max)d 字。", max=MAX_COMMENT), field="comment")
    decided = db.session.execute(update(Reflection).where(
        Reflection.id == reflection.id, Reflection.status == "submitted").values(
        status=status, reviewer_id=actor.id, reviewed_at=now, comment=comment)
        .execution_options(synchronize_session=False))
    if decided.rowcount != 1:  # reviewed by someone else, or a second click
        raise Conflict(_("这篇心得已审阅，请刷新页面。"), code="reflection_reviewed")
    db.session.refresh(reflection)


def accept_reflection(actor: User, reflection: Reflection, comment: str,
                      now: datetime) -> int:
    """Accept a submitted reflection: points once, a notice to its author; returns points."""
    from lawlearn.practice.points import award

    comment = (comment or "").strip()
    _decide(actor, reflection, "accepted", comment, now)
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
    return paid


def return_reflection(actor: User, reflection: Reflection, comment: str, now: datetime) -> None:
    """Return a submitted reflection with a comment (required) for its author to rework."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed(_("退回时请填写意见，说明需要修改的地方。"), field="comment")
    _decide(actor, reflection, "returned", comment, now)
    item = reflection.item
    notify([reflection.user_id], _("学习心得被退回：%(title)s", title=item.title),
           _("审阅意见：%(comment)s", comment=comment), item_link(item.id), now)
    record_audit(actor, "reflection.return", reflection,
                 _("退回 %(name)s 的学习心得“%(title)s”", name=reflection.user.name,
                   title=item.title), {"item_id": item.id, "comment": comment})


def department_plans() -> list[Plan]:
    """Published and closed plans, for the department progress page (newest first)."""
    return list(db.session.scalars(select(Plan).where(
        Plan.status.in_(("published", "closed"))).order_by(
        (Plan.status == "closed"), Plan.starts_on.desc(), Plan.id.desc())))


def overseen(actor: User, department_id: int | None) -> int | None:
    """The department whose progress ``actor`` may see: a dept_lead always their own; an
    admin or a leader the chosen one (None: everyone)."""
    if actor.has_role(Role.ADMIN, Role.LEADER):
        return department_id
    if actor.department_id is None:
        raise PermissionDenied(_("您没有所属部门，无法查看部门进度。"))
    scope = department_scope(actor) or []
    return department_id if department_id in scope else actor.department_id

