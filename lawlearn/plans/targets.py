"""Which plan items point at a quiz, a study session or a material. Their settings name the
target in JSON, so the items of one kind are read and matched here: a plan has tens of
items, an office a few hundred."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from lawlearn.extensions import db
from lawlearn.plans.models import Plan, PlanItem

TARGET_KEYS = {"quiz": "quiz_id", "session": "session_id", "material": "material_id"}


def items_pointing_at(kind: str, *target_ids: int, published: bool = False,
                      open_on: date | None = None) -> list[PlanItem]:
    """Items of any plan whose ``kind`` target is one of ``target_ids``; with ``published``,
    only published plans' items; with ``open_on``, only those of published plans still
    running that day (people may still be doing them)."""
    query = (select(PlanItem).join(PlanItem.plan).options(contains_eager(PlanItem.plan))
             .where(PlanItem.kind == kind).order_by(Plan.id, PlanItem.position, PlanItem.id))
    if published or open_on is not None:
        query = query.where(Plan.status == "published")
    if open_on is not None:
        query = query.where(Plan.ends_on >= open_on)
    key = TARGET_KEYS[kind]
    return [item for item in db.session.scalars(query).unique()
            if (item.settings or {}).get(key) in target_ids]


def named_items(items: list[PlanItem]) -> str:
    """《计划》的“事项”；… for a message."""
    return "；".join(_("《%(plan)s》的“%(item)s”", plan=item.plan.title, item=item.title)
                    for item in items)


# --- a session item's due date -----------------------------------------------------------------


def session_due_day(plan: Plan, session_id: int) -> date | None:
    """The due date a session item left without one gets: its session's day, when the plan
    runs then. After that day nobody can attend it any more, and someone who joined later
    never owed it (see kind_base.owes)."""
    from lawlearn.localtime import local_day
    from lawlearn.sessions.models import StudySession

    session = db.session.get(StudySession, session_id)
    day = local_day(session.starts_at) if session is not None else None
    return day if day is not None and plan.starts_on <= day <= plan.ends_on else None


def session_item_due(plan: Plan, item: PlanItem, chosen: date | None,
                     session_id: int) -> date | None:
    """A session item's due date as saved: the one chosen; its session's day when none is,
    or when the one kept is the day of the session the item pointed at until now (the
    edit form shows it: it went with that session, not with the new one)."""
    before = (item.settings or {}).get("session_id") if item.kind == "session" else None
    if chosen is None or (before not in (None, session_id)
                          and chosen == session_due_day(plan, before)):
        return session_due_day(plan, session_id)
    return chosen


def _open_items_due_on(session_id: int, day: date) -> list[PlanItem]:
    """Items on the session due on ``day``, except in closed plans (frozen, as their
    reports)."""
    return [item for item in items_pointing_at("session", session_id)
            if item.due_on == day and item.plan.status != "closed"]


def follow_moved_sessions(moves: dict[int, tuple[date, date]]) -> None:
    """Session items due on their session's old day (the default, or chosen so) move to its
    new day; when their plan does not run then, they are due at its end, as an undated
    item is. ``moves``: session id → (old day, new day)."""
    for session_id, (old_day, new_day) in moves.items():
        if old_day == new_day:
            continue
        for item in _open_items_due_on(session_id, old_day):
            item.due_on = new_day if item.plan.starts_on <= new_day <= item.plan.ends_on \
                else None


def forget_cancelled_session(session_id: int, day: date) -> None:
    """Items on a cancelled session, except in closed plans: owed by nobody until an admin
    points them at another session (kind_base.owes), and those due on its day due at
    their plan's end again, as before it was chosen."""
    from lawlearn.plans.kind_base import SESSION_CANCELLED

    items = [item for item in items_pointing_at("session", session_id)
             if item.plan.status != "closed"]
    for item in items:
        item.settings = {**item.settings, SESSION_CANCELLED: True}  # a new dict: saved
        if item.due_on == day:
            item.due_on = None
