"""Outreach ledger (普法台账): events with their reach and photos, campaigns with targets,
and stall quizzes that residents answer without an account."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lawlearn.database import utcnow
from lawlearn.extensions import db

if TYPE_CHECKING:
    from lawlearn.accounts.models import Department, User
    from lawlearn.library.models import Law

# The "七进" categories are seeded; admins add others (OutreachCategory rows).
SEVEN_INTO = ["进机关", "进乡村", "进社区", "进学校", "进企业", "进军营", "进网络"]
AUDIENCES = {"villagers": _l("村民"), "residents": _l("居民"), "students": _l("学生"),
             "workers": _l("企业职工"), "officials": _l("机关干部"), "other": _l("其他")}
CHANNELS = {"onsite": _l("现场"), "website": _l("网站"), "wechat": _l("微信公众号"),
            "weibo": _l("微博"), "video": _l("视频号"), "other": _l("其他")}
MATERIAL_KINDS = {"leaflet": _l("宣传单"), "handbook": _l("宣传手册"), "banner": _l("横幅"),
                  "board": _l("展板"), "vehicle": _l("宣传车"), "other": _l("其他")}
# What is handed out and counted in 份 (发放宣传资料 X 种 Y 份); banners, boards and vehicles
# are shown, not handed out, and are counted in their own units, never added to the copies.
HANDED_OUT_KINDS = ("leaflet", "handbook", "other")
MATERIAL_UNITS = {"leaflet": _l("份"), "handbook": _l("份"), "banner": _l("条"),
                  "board": _l("块"), "vehicle": _l("辆"), "other": _l("份")}
EVENT_STATUSES = {"draft": _l("草稿"), "submitted": _l("已提交"), "verified": _l("已审核")}


class OutreachCategory(db.Model):
    __tablename__ = "outreach_category"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    # The seven "七进" categories cannot be removed; campaigns count coverage of them.
    seven_into: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class Campaign(db.Model):
    """A campaign such as 2024年宪法宣传周 with its period and targets."""

    __tablename__ = "campaign"
    # AUTOINCREMENT: SQLite must never hand a deleted row's id to a new one.
    # One campaign per title: the event form and the ledger's filter pick a campaign by it.
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
                      Index("uq_campaign_title", "title", unique=True),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    # {"events", "participants", "materials" (copies), "departments", "categories"}: ints.
    targets: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    copied_from_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id",
                                                                  ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutreachEventLaw(db.Model):
    __tablename__ = "outreach_event_law"

    event_id: Mapped[int] = mapped_column(ForeignKey("outreach_event.id", ondelete="CASCADE"),
                                          primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("law.id", ondelete="CASCADE"),
                                        primary_key=True, index=True)


class OutreachEvent(db.Model):
    """One outreach activity and its reach. Verified events are locked: an admin's later
    change is recorded as a revision in the audit log."""

    __tablename__ = "outreach_event"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'submitted', 'verified')", name="known_status"),
        CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
        CheckConstraint("participants >= 0 AND volunteers >= 0 AND consultations >= 0"
                        " AND online_views >= 0", name="counts_not_negative"),
        Index("ix_outreach_event_starts", "starts_at"),
        {"sqlite_autoincrement": True},  # ids of deleted drafts are never reused
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    category_id: Mapped[int] = mapped_column(ForeignKey("outreach_category.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id",
                                                               ondelete="SET NULL"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"), index=True)
    partner_units: Mapped[str] = mapped_column(Text, default="")
    # Laws not in the library, as written (e.g. "《反电信网络诈骗法》").
    other_laws: Mapped[str] = mapped_column(Text, default="")
    audiences: Mapped[list[str]] = mapped_column(JSON, default=list)  # keys of AUDIENCES
    channel: Mapped[str] = mapped_column(String(10), default="onsite")
    participants: Mapped[int] = mapped_column(default=0)  # 人次
    volunteers: Mapped[int] = mapped_column(default=0)
    consultations: Mapped[int] = mapped_column(default=0)
    online_views: Mapped[int] = mapped_column(default=0)
    summary: Mapped[str] = mapped_column(Text, default="")
    follow_up: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    submitted_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    verified_at: Mapped[datetime | None]
    # Completed stall quizzes, kept here so that the ledger adds them without a join.
    quiz_completions: Mapped[int] = mapped_column(default=0)

    category: Mapped[OutreachCategory] = relationship()
    campaign: Mapped[Campaign | None] = relationship()
    department: Mapped[Department] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    laws: Mapped[list[Law]] = relationship(secondary="outreach_event_law",
                                           order_by="Law.title")
    materials: Mapped[list[OutreachMaterial]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="OutreachMaterial.id")
    photos: Mapped[list[OutreachPhoto]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="OutreachPhoto.id")

    @property
    def handed_out(self) -> tuple[int, int]:
        """(kinds, copies) of the materials handed out: 发放宣传资料 X 种 Y 份, banners,
        boards and vehicles left out (HANDED_OUT_KINDS), as the ledger sums them."""
        rows = [m for m in self.materials if m.handed_out]
        return sum(m.kinds for m in rows), sum(m.copies for m in rows)

    @property
    def reach(self) -> int:
        """Participants as reported plus residents who completed the stall quiz."""
        return self.participants + self.quiz_completions


class OutreachMaterial(db.Model):
    """Materials of an event: a kind (leaflet, handbook, banner …), how many kinds, how many
    copies (or banners, boards, vehicles: see MATERIAL_UNITS)."""

    __tablename__ = "outreach_material"
    __table_args__ = (CheckConstraint("kinds >= 1 AND copies >= 1", name="positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outreach_event.id", ondelete="CASCADE"),
                                          index=True)
    kind: Mapped[str] = mapped_column(String(10))  # keys of MATERIAL_KINDS
    kinds: Mapped[int] = mapped_column(default=1)  # 种
    copies: Mapped[int] = mapped_column(default=1)  # 份 (or pieces)
    note: Mapped[str] = mapped_column(String(200), default="")

    event: Mapped[OutreachEvent] = relationship(back_populates="materials")

    @property
    def handed_out(self) -> bool:
        """Counted in 发放宣传资料 (see HANDED_OUT_KINDS)."""
        return self.kind in HANDED_OUT_KINDS


class OutreachPhoto(db.Model):
    """A photo re-encoded without its EXIF data (no location shown); the capture time read
    from EXIF is kept here."""

    __tablename__ = "outreach_photo"
    __table_args__ = (
        # The same file sent again (a resend, a double tap) is not a second photo.
        Index("uq_outreach_photo_event_source", "event_id", "source_sha256", unique=True),
        {"sqlite_autoincrement": True},  # a new photo never gets an old URL
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outreach_event.id", ondelete="CASCADE"),
                                          index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)  # image; thumb adds "-t"
    original_name: Mapped[str] = mapped_column(String(200), default="")
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]
    # SHA-256 of the file as uploaded (None for photos from before it was kept).
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    captured_at: Mapped[datetime | None]
    caption: Mapped[str] = mapped_column(String(200), default="")
    # Chosen for the DOCX campaign summary.
    featured: Mapped[bool] = mapped_column(default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    event: Mapped[OutreachEvent] = relationship(back_populates="photos")

    @property
    def taken_elsewhen(self) -> bool:
        """The camera's time is more than a day from the event's: last year's photo, or a
        clock set wrong, for the reviewer to look at (not refused: a phone's clock may be)."""
        margin = timedelta(days=1)
        return self.captured_at is not None and not (
            self.event.starts_at - margin <= self.captured_at <= self.event.ends_at + margin)


class StallQuiz(db.Model):
    """有奖问答 for an event: a public link/QR code; residents answer without an account."""

    __tablename__ = "stall_quiz"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("outreach_event.id", ondelete="CASCADE"),
                                          unique=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)  # in the public URL
    question_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # Frozen questions as shown (see quiz AttemptItem.snapshot), so bank edits never reach
    # a quiz being answered at a stall.
    snapshots: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    open: Mapped[bool] = mapped_column(default=True)
    # Ask for a phone number (only when the office runs a prize draw).
    collect_phone: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    event: Mapped[OutreachEvent] = relationship()


class StallQuizEntry(db.Model):
    """One resident's completed stall quiz. ``device_key`` is a keyed hash of a cookie
    (never the address in clear), to stop one device from flooding the count."""

    __tablename__ = "stall_quiz_entry"
    __table_args__ = (UniqueConstraint("quiz_id", "device_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("stall_quiz.id", ondelete="CASCADE"),
                                         index=True)
    device_key: Mapped[str] = mapped_column(String(64))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    correct: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    phone: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
