"""What a person does on a plan item's own page: open and confirm a material or a video
(the server measures the time between), write a reflection. No HTTP here.

Every function checks that the item is one of the person's: a published plan whose
audience includes them; anything else is "not found", never a hint that it exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from lawlearn.accounts.models import User
from lawlearn.errors import Conflict, NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library import materials
from lawlearn.library.models import Material
from lawlearn.localtime import day_bounds
from lawlearn.plans.item_settings import DEFAULT_MIN_LENGTH
from lawlearn.plans.kinds import can_confirm, min_seconds
from lawlearn.plans.models import Plan, PlanItem, PlanItemProgress, Reflection, character_count
from lawlearn.plans.progress import HoursRow, audience_condition, hours_ledger, required_hours
from lawlearn.sessions.models import Attendance, StudySession, checkin_closed

OPEN_CONFIRM_KINDS = ("material", "video")
MAX_REFLECTION_LENGTH = 20_000


# --- loaders ------------------------------------------------------------------------------


def _visible(user: User):
    return (Plan.status == "published", audience_condition(user))


def get_plan_for(user: User, plan_id: int) -> Plan:
    """A published plan of ``user``'s with its items and stages (three queries), or 404."""
    plan = db.session.scalar(select(Plan).where(Plan.id == plan_id, *_visible(user))
                             .options(selectinload(Plan.items), selectinload(Plan.stages)))
    if plan is None:
        raise NotFound(_("该学习计划不存在或不对您开放。"))
    return plan


def get_item_for(user: User, item_id: int) -> PlanItem:
    """An item of a published plan of ``user``'s, with its plan, or 404."""
    item = db.session.scalar(select(PlanItem).join(Plan, Plan.id == PlanItem.plan_id)
                             .where(PlanItem.id == item_id, *_visible(user))
                             .options(joinedload(PlanItem.plan)))
    if item is None:
        raise NotFound(_("该学习任务不存在或不对您开放。"))
    return item


def _ensure_visible(user: User, item: PlanItem) -> None:
    found = db.session.scalar(select(Plan.id).where(Plan.id == item.plan_id, *_visible(user)))
    if found is None:
        raise NotFound(_("该学习任务不存在或不对您开放。"))


def get_progress(user: User, item: PlanItem) -> PlanItemProgress | None:
    return db.session.scalar(select(PlanItemProgress).filter_by(item_id=item.id,
                                                                user_id=user.id))


def get_reflection(user: User, item: PlanItem) -> Reflection | None:
    return db.session.scalar(select(Reflection).filter_by(item_id=item.id, user_id=user.id))


# --- material and video: open, then confirm after the minimum time -------------------------


def _library_material(item: PlanItem) -> Material | None:
    """The library material a material item points at (None for a video, or if deleted)."""
    if item.kind != "material":
        return None
    return db.session.get(Material, int(item.settings.get("material_id") or 0))


def seconds_left(row: PlanItemProgress | None, item: PlanItem, now: datetime) -> int:
    """Seconds still to wait before the item may be confirmed (0: it may, or it is done)."""
    if row is not None and row.confirmed_at is not None:
        return 0
    return can_confirm(row.opened_at if row else None, min_seconds(item), now)


def _require_kind(item: PlanItem, *kinds: str) -> None:
    if item.kind not in kinds:
        raise NotFound(_("该学习任务不存在或不对您开放。"))


def open_item(user: User, item: PlanItem, now: datetime) -> PlanItemProgress:
    """Record the first opening of a material or video; later openings change nothing,
    so that reloading the page (a phone switching apps) does not restart the clock."""
    _require_kind(item, *OPEN_CONFIRM_KINDS)
    _ensure_visible(user, item)
    row = get_progress(user, item)
    if row is None:
        try:
            with db.session.begin_nested():
                row = PlanItemProgress(item_id=item.id, user_id=user.id, opened_at=now)
                db.session.add(row)
        except IntegrityError as error:  # a second tab opened it at the same moment
            row = get_progress(user, item)
            if row is None:  # the other insert was rolled back after all
                raise Conflict(_("操作冲突，请刷新页面后重试。"), code="conflict") from error
    if row.opened_at is None:
        row.opened_at = now
    material = _library_material(item)
    if material is not None:  # the library's own record of reading it starts now too
        materials.record_open(user.id, material.id, row.opened_at)
    db.session.flush()
    return row


def confirm_item(user: User, item: PlanItem, now: datetime) -> PlanItemProgress:
    """Confirm a material read or a video watched, once the server-measured time since it
    was opened reaches the item's ``min_seconds``; confirming again changes nothing."""
    _require_kind(item, *OPEN_CONFIRM_KINDS)
    _ensure_visible(user, item)
    row = get_progress(user, item)
    if row is not None and row.confirmed_at is not None:
        return row
    if row is None or row.opened_at is None:
        message = _("请先打开视频观看后再确认。") if item.kind == "video" \
            else _("请先打开资料阅读后再确认。")
        raise Conflict(message, code="not_opened")
    left = can_confirm(row.opened_at, min_seconds(item), now)
    if left:
        message = _("还需观看 %(seconds)d 秒才能确认。", seconds=left) if item.kind == "video" \
            else _("还需阅读 %(seconds)d 秒才能确认。", seconds=left)
        raise Conflict(message, code="too_early")
    row.confirmed_at = now
    _confirm_in_library(user, item, row, now)
    db.session.flush()
    return row


def _confirm_in_library(user: User, item: PlanItem, row: PlanItemProgress,
                        now: datetime) -> None:
    """Record the reading in the library as well (which pays its material_read points
    once), with the item's minimum time, so that the library and the plan agree."""
    material = _library_material(item)
    if material is None:
        return
    opened = row.opened_at or now
    reading = materials.record_open(user.id, material.id, opened)
    # Opened in the library after the item (a record from before items recorded it): the
    # time the server already measured on the item's page counts too.
    counted = max(0.0, (reading.opened_at - opened).total_seconds())
    minimum = max(0, math.floor(min_seconds(item) - counted))
    materials.confirm_reading(user.id, material, now, minimum_seconds=minimum)


# --- reflections (学习心得) ------------------------------------------------------------------


def min_length(item: PlanItem) -> int:
    """The item's minimum length in characters; the admin form's default when unset."""
    return max(1, int(item.settings.get("min_length", DEFAULT_MIN_LENGTH) or 0))


def reviewed(item: PlanItem) -> bool:
    return bool(item.settings.get("review"))


def awaiting_review(reflection: Reflection | None, item: PlanItem) -> bool:
    return reflection is not None and reflection.status == "submitted" and reviewed(item)


def can_write(reflection: Reflection | None, item: PlanItem) -> bool:
    """Whether the person may write: nothing yet, returned to them, or still awaiting review
    (until a reviewer decides, its author may correct it)."""
    return (reflection is None or reflection.status == "returned"
            or awaiting_review(reflection, item))


def submit_reflection(user: User, item: PlanItem, body: str, now: datetime) -> Reflection:
    """Submit a reflection, correct one awaiting review, or resubmit one that was returned
    (back to "submitted").

    Without review a submitted reflection is final (it counts as done); an accepted one
    never changes.
    """
    _require_kind(item, "reflection")
    _ensure_visible(user, item)
    # One line break is one character, however the browser sent it.
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    wanted = min_length(item)
    if character_count(text) < wanted:
        raise ValidationFailed(_("学习心得至少需要 %(min)d 字（不计空格、换行和标点），目前 %(count)d 字。",
                                 min=wanted, count=character_count(text)), field="body")
    if len(text) > MAX_REFLECTION_LENGTH:
        raise ValidationFailed(_("学习心得不能超过 %(max)d 个字符（含空格和换行），目前 %(count)d 个。",
                                 max=MAX_REFLECTION_LENGTH, count=len(text)), field="body")
    reflection = get_reflection(user, item)
    if reflection is None:
        try:
            with db.session.begin_nested():
                reflection = Reflection(item_id=item.id, user_id=user.id, body=text,
                                        status="submitted", submitted_at=now)
                db.session.add(reflection)
        except IntegrityError:  # submitted twice at once: the first one stands
            raise Conflict(_("学习心得已提交。"), code="already_submitted") from None
        return reflection
    if reflection.status == "accepted":
        raise Conflict(_("学习心得已审阅通过，不能再修改。"), code="accepted")
    if reflection.status == "submitted":
        if not reviewed(item):
            raise Conflict(_("学习心得已提交，不能再修改。"), code="submitted")
        if text == reflection.body:  # nothing corrected: the reviewer's reading stands
            return reflection
        # Corrected in place, unless a reviewer decided meanwhile. Its submitted_at is the
        # text's version: a reviewer who read the older text is refused (reflection_reviews).
        changed = db.session.execute(update(Reflection).where(
            Reflection.id == reflection.id, Reflection.status == "submitted").values(
            body=text, submitted_at=now).execution_options(synchronize_session=False))
        db.session.refresh(reflection)
        if changed.rowcount != 1:
            raise Conflict(_("学习心得刚刚已被审阅，请查看审阅结果。"), code="reviewed")
        return reflection
    # Returned: the reviewer's comment stays visible in the history until the next review.
    reflection.body = text
    reflection.status = "submitted"
    reflection.submitted_at = now
    reflection.reviewer_id = None
    reflection.reviewed_at = None
    db.session.flush()
    return reflection


# --- my study hours (学时) ------------------------------------------------------------------


@dataclass
class HoursDetail:
    """What makes up one person's study hours for a year (see progress.hours_ledger)."""

    year: int
    row: HoursRow
    required: float
    items: list[tuple[PlanItem, datetime]]  # plan items done in the year, with when
    # Sessions attended, with present/late and whether they count yet (check-in closed).
    sessions: list[tuple[StudySession, str, bool]]

    @property
    def reached(self) -> bool:
        return self.row.total >= self.required


def hours_detail(user: User, year: int, now: datetime) -> HoursDetail:
    """My study hours for ``year`` with the items and sessions they come from (four
    queries besides the required hours). Counts items already stamped done: callers sync
    completions first (progress.synced_progress with the year)."""
    start, end = day_bounds(date(year, 1, 1), date(year, 12, 31))
    row = hours_ledger(year, [user.id], now).get(user.id) or HoursRow(user.id, 0.0, 0.0)
    items = db.session.execute(
        select(PlanItem, PlanItemProgress.completed_at)
        .join(PlanItemProgress, PlanItemProgress.item_id == PlanItem.id)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .where(PlanItemProgress.user_id == user.id, PlanItemProgress.completed_at >= start,
               PlanItemProgress.completed_at < end, PlanItem.kind != "session",
               PlanItem.hours > 0, Plan.starts_on <= date(year, 12, 31),
               Plan.ends_on >= date(year, 1, 1))
        .options(contains_eager(PlanItem.plan))
        .order_by(PlanItemProgress.completed_at, PlanItem.id)).all()
    # Attended sessions still open for check-in are listed too, marked as not yet counted.
    sessions = db.session.execute(
        select(StudySession, Attendance.status, checkin_closed(now))
        .join(Attendance, Attendance.session_id == StudySession.id)
        .where(Attendance.user_id == user.id, Attendance.status.in_(("present", "late")),
               StudySession.starts_at >= start, StudySession.starts_at < end,
               StudySession.cancelled_at.is_(None), StudySession.study_hours > 0)
        .order_by(StudySession.starts_at, StudySession.id)).all()
    return HoursDetail(year, row, required_hours(user, year),
                       [(item, done) for item, done in items],
                       [(session, status, bool(counted)) for session, status, counted in sessions])


def my_reflections_query(user: User):
    """My reflections, newest first, each with its item and plan (one query a page)."""
    return (select(Reflection).join(Reflection.item).join(PlanItem.plan)
            .options(contains_eager(Reflection.item).contains_eager(PlanItem.plan))
            .where(Reflection.user_id == user.id)
            .order_by(Reflection.submitted_at.desc(), Reflection.id.desc()))
