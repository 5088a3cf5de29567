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
from lawlearn.plans.targets import items_pointing_at


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


def _target(kind: str, settings: dict):
    """The quiz or session an item points at (None for other kinds, or a missing one)."""
    if kind == "quiz" and settings.get("quiz_id"):
        from lawlearn.quiz.models import Quiz

        return db.session.get(Quiz, settings["quiz_id"])
    if kind == "session" and settings.get("session_id"):
        from lawlearn.sessions.models import StudySession

        return db.session.get(StudySession, settings["session_id"])
    return None


def item_left_out(plan: Plan, kind: str, settings: dict) -> int:
    """How many of the plan's people cannot open the item's quiz or session."""
    target = _target(kind, settings)
    return left_out(plan, target.audience_all, target.audience) if target is not None else 0


def reach_problem(plan: Plan, kind: str, settings: dict) -> str | None:
    """Why an item of ``kind`` with ``settings`` cannot be done by everyone the plan is for,
    in words; None when it can (or points at neither a quiz nor a session)."""
    missing = item_left_out(plan, kind, settings)
    if not missing:
        return None
    target = _target(kind, settings)
    if kind == "quiz":
        return _("测验《%(title)s》只对部分人员开放：本计划对象中有 %(n)d 人打不开它，"
                 "完成不了此事项。请先扩大测验的参加范围，或调整本计划的对象。",
                 title=target.title, n=missing)
    return _("学法活动《%(title)s》只面向部分人员：本计划对象中有 %(n)d 人不在其中，"
             "完成不了此事项。请先扩大活动的参加范围，或调整本计划的对象。",
             title=target.title, n=missing)


def check_reach(plan: Plan, kind: str, settings: dict, *, was=None) -> None:
    """Refuse an item the plan's audience cannot all do (under its quiz or session field).
    ``was``: the item before an edit; only a new quiz or session is held to the rule, so an
    item made before it still takes a new due date or title."""
    if was is not None and _target(kind, settings) is _target(was.kind, was.settings or {}):
        return
    problem = reach_problem(plan, kind, settings)
    if problem:
        raise ValidationFailed(problem, field="quiz_id" if kind == "quiz" else "session_id")


def left_out_by_item(plan: Plan) -> dict[int, int]:
    """item id → how many of the plan's people cannot do it (items all can do: absent)."""
    counts = {item.id: item_left_out(plan, item.kind, item.settings or {})
              for item in plan.items}
    return {item_id: n for item_id, n in counts.items() if n}


def check_narrowing(kind: str, target_ids: list[int], change) -> None:
    """Apply ``change`` (a callable) to the audience of quizzes or sessions (``kind``) and
    flush; refused when an item of a published plan on one of them then leaves out more of
    the plan's people than before (the caller rolls back)."""
    items = items_pointing_at(kind, *target_ids, published=True)
    before = {item.id: item_left_out(item.plan, kind, item.settings) for item in items}
    change()
    db.session.flush()
    after = {item.id: item_left_out(item.plan, kind, item.settings) for item in items}
    worse = [item for item in items if after[item.id] > before[item.id]]
    if worse:
        named = [_("《%(plan)s》的“%(item)s”（%(n)d 人）", plan=item.plan.title, item=item.title,
                   n=after[item.id]) for item in worse]
        raise ValidationFailed(_("参加范围不能这样改：学习计划要求其全部对象完成以下事项，改后有人无法参加。"
                                 "%(items)s 请先调整这些计划的对象或事项。", items="；".join(named)),
                               field="department_ids")
