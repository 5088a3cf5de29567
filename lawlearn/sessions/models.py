"""Study sessions (集中学法, 会前学法, 专题讲座 …), attendance and leave requests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lawlearn.database import utcnow
from lawlearn.extensions import db

if TYPE_CHECKING:
    from lawlearn.accounts.models import User
    from lawlearn.library.models import LawArticle, Material

DEFAULT_KINDS = ["集中学法", "会前学法", "专题讲座", "法治讲座", "旁听庭审", "中心组学法",
                 "线上学习", "宪法宣传周活动"]
ATTENDANCE_STATUSES = {"present": _l("出席"), "late": _l("迟到"), "excused": _l("请假"),
                       "absent": _l("缺席"), "pending_quiz": _l("待完成随堂测验")}
# How an attendance record came to be (Attendance.source).
CHECKIN_SOURCES = {"qr": _l("扫码"), "code": _l("数字码"), "manual": _l("管理员"),
                   "leave": _l("请假审批"), "closing": _l("结束统计")}
LEAVE_STATUSES = {"pending": _l("待审批"), "approved": _l("已批准"), "rejected": _l("未批准")}


class SessionKind(db.Model):
    """A kind of study session; the list is kept by admins."""

    __tablename__ = "session_kind"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)


class StudySession(db.Model):
    __tablename__ = "study_session"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind_id: Mapped[int] = mapped_column(ForeignKey("session_kind.id"))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    ends_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    speaker: Mapped[str] = mapped_column(String(100), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    study_hours: Mapped[float] = mapped_column(default=0)
    # Check-in opens this many minutes before the start; after late_after_minutes past the
    # start a check-in counts as late; it closes at checkin_closes_at (default: the end).
    checkin_opens_minutes: Mapped[int] = mapped_column(default=30)
    late_after_minutes: Mapped[int] = mapped_column(default=10)
    checkin_closes_at: Mapped[datetime | None]
    exit_quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quiz.id"))
    audience_all: Mapped[bool] = mapped_column(default=True)
    series_id: Mapped[str | None] = mapped_column(String(32), index=True)
    cancelled_at: Mapped[datetime | None]
    # When the absentees were recorded (after check-in closed).
    closed_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    kind: Mapped[SessionKind] = relationship()
    audience: Mapped[list[SessionAudience]] = relationship(cascade="all, delete-orphan")
    links: Mapped[list[SessionLink]] = relationship(cascade="all, delete-orphan",
                                                    order_by="SessionLink.id")

    @property
    def opens_at(self) -> datetime:
        """When check-in opens."""
        return self.starts_at - timedelta(minutes=self.checkin_opens_minutes)

    @property
    def closes_at(self) -> datetime:
        return self.checkin_closes_at or self.ends_at


class SessionAudience(db.Model):
    """A department (with its sections) or a person expected at a session."""

    __tablename__ = "session_audience"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("study_session.id", ondelete="CASCADE"),
                                            index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class SessionLink(db.Model):
    """A material or a law article to study for a session."""

    __tablename__ = "session_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("study_session.id", ondelete="CASCADE"),
                                            index=True)
    material_id: Mapped[int | None] = mapped_column(ForeignKey("material.id"))
    article_id: Mapped[int | None] = mapped_column(ForeignKey("law_article.id"))

    material: Mapped[Material | None] = relationship()
    article: Mapped[LawArticle | None] = relationship()


class Attendance(db.Model):
    """One person's attendance at one session; the unique key makes check-in idempotent."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        CheckConstraint("status IN ('present', 'late', 'excused', 'absent', 'pending_quiz')",
                        name="known_status"),
        Index("ix_attendance_user", "user_id", "session_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("study_session.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(20))
    checked_in_at: Mapped[datetime | None]
    # How: qr, code, manual, leave, closing (absent when the session ended).
    source: Mapped[str] = mapped_column(String(10))
    device_hint: Mapped[str | None] = mapped_column(String(300))
    device_key: Mapped[str | None] = mapped_column(String(64), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    session: Mapped[StudySession] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


class LeaveRequest(db.Model):
    __tablename__ = "leave_request"
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("study_session.id", ondelete="CASCADE"),
                                            index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[StudySession] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])


def checkin_closes():
    """SQL: when the session's check-in closes (its own time, else the session's end)."""
    return func.coalesce(StudySession.checkin_closes_at, StudySession.ends_at)


def checkin_closed(now: datetime):
    """SQL: the session's check-in has closed by ``now``. Reports, rates and study hours
    count a session from then on (签到结束后计入统计): the same total on every page."""
    return checkin_closes() <= now
