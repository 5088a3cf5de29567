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
