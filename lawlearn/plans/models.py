"""Study plans: ordered items of several kinds for an audience, reflections, notices."""

from __future__ import annotations

import unicodedata
import zlib
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lawlearn.database import utcnow
from lawlearn.extensions import db

if TYPE_CHECKING:
    from lawlearn.accounts.models import User

PLAN_KINDS = {"annual": _l("年度学法计划"), "thematic": _l("专题学习"),
              "onboarding": _l("新入职学法"), "other": _l("其他")}
PLAN_STATUSES = {"draft": _l("草稿"), "published": _l("已发布"), "closed": _l("已结束")}


class Plan(db.Model):
    __tablename__ = "plan"
    __table_args__ = (
        CheckConstraint("kind IN ('annual', 'thematic', 'onboarding', 'other')",
                        name="known_kind"),
        CheckConstraint("status IN ('draft', 'published', 'closed')", name="known_status"),
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="annual")
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    required_hours: Mapped[float] = mapped_column(default=0)
    audience_all: Mapped[bool] = mapped_column(default=True)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("plan.id",
                                                                  ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    audience: Mapped[list[PlanAudience]] = relationship(cascade="all, delete-orphan",
                                                        order_by="PlanAudience.id")
    stages: Mapped[list[PlanStage]] = relationship(cascade="all, delete-orphan",
                                                   order_by="PlanStage.position")
    items: Mapped[list[PlanItem]] = relationship(
        back_populates="plan", cascade="all, delete-orphan",
        order_by="(PlanItem.position, PlanItem.id)")

    @property
    def kind_label(self) -> str:
        return str(PLAN_KINDS.get(self.kind, self.kind))

    @property
    def status_label(self) -> str:
        return str(PLAN_STATUSES.get(self.status, self.status))


class PlanAudience(db.Model):
    """Who a plan is for besides everyone: a department (with its sections), a person, or
    everyone holding a role (e.g. leaders' 中心组学法)."""

    __tablename__ = "plan_audience"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    role: Mapped[str | None] = mapped_column(String(20))


class PlanStage(db.Model):
    """A group of items: a month (一月) or a stage (第一阶段)."""

    __tablename__ = "plan_stage"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)


class PlanItem(db.Model):
    """One thing to do. ``settings`` holds what its kind needs (see plans.kinds)."""

    __tablename__ = "plan_item"
    __table_args__ = (
        CheckConstraint("kind IN ('articles', 'material', 'quiz', 'session', 'reflection',"
                        " 'video', 'streak')", name="known_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    stage_id: Mapped[int | None] = mapped_column(ForeignKey("plan_stage.id",
                                                            ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None]
    required: Mapped[bool] = mapped_column(default=True)
    hours: Mapped[float] = mapped_column(default=0)
    points: Mapped[int] = mapped_column(default=0)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    plan: Mapped[Plan] = relationship(back_populates="items")
    stage: Mapped[PlanStage | None] = relationship()


class PlanItemProgress(db.Model):
    """What a person did on an item that no other domain records: opening and confirming
    a material or video (the server measures the time between), and completion times."""

    __tablename__ = "plan_item_progress"
    __table_args__ = (UniqueConstraint("item_id", "user_id"),
                      Index("ix_plan_item_progress_user", "user_id", "item_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_item.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    opened_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    # Set once the item is seen done: points are paid then, hours counted from then.
    completed_at: Mapped[datetime | None]


REPEATED_MIN_BYTES = 600  # about 200 characters: shorter texts compress too little to tell


class Reflection(db.Model):
    """学习心得 for a reflection item; a dept_lead may return it with a comment."""

    __tablename__ = "reflection"
    __table_args__ = (
        UniqueConstraint("item_id", "user_id"),
        CheckConstraint("status IN ('submitted', 'returned', 'accepted')", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("plan_item.id", ondelete="CASCADE"),
                                         index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="submitted", index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None]
    comment: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[PlanItem] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewer_id])

    @property
    def character_count(self) -> int:
        return character_count(self.body)

    @property
    def paragraphs(self) -> list[str]:
        """The text's lines that hold something, as pages show them."""
        return [line for line in self.body.splitlines() if line.strip()]

    @property
    def mostly_repeated(self) -> bool:
        """Whether the text is mostly the same words over and over (12,000 字 of 宪法宪法…,
        a paragraph pasted three times): it compresses to a fifth of its size or less,
        where prose, statutes included, stays above a third. A hint to the reviewer; it
        refuses nothing."""
        raw = self.body.encode()
        return len(raw) > REPEATED_MIN_BYTES and len(zlib.compress(raw)) <= len(raw) * 0.2


def character_count(text: str) -> int:
    """A reflection's 字数: its letters, ideographs and digits (Unicode categories L and
    N), not spaces, line breaks (two characters from a form, one from the page's counter),
    punctuation or symbols: 250 "。" are not a reflection. plan_item.js counts the same."""
    return sum(1 for character in text if unicodedata.category(character)[0] in "LN")


class Notice(db.Model):
    """An in-site notice (plan published, reminder, reflection returned)."""

    __tablename__ = "notice"
    __table_args__ = (Index("ix_notice_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]
