"""Daily practice cards and sets, challenge runs, the points ledger and timing flags."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lawlearn.database import utcnow
from lawlearn.extensions import db

if TYPE_CHECKING:
    from lawlearn.accounts.models import User
    from lawlearn.quiz.models import Question


class PracticeCard(db.Model):
    """One person's memory of one question: the FSRS card state and when it is due."""

    __tablename__ = "practice_card"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id"),
        Index("ix_practice_card_user_due", "user_id", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"),
                                             index=True)
    # fsrs.Card.to_dict(): state, step, stability, difficulty, due, last_review.
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    due: Mapped[datetime]  # naive UTC copy of state["due"], to query on
    last_review: Mapped[datetime | None]
    reviews: Mapped[int] = mapped_column(default=0)
    lapses: Mapped[int] = mapped_column(default=0)

    question: Mapped[Question] = relationship()


class DailySet(db.Model):
    """Today's questions for one person, chosen once and kept for the whole day."""

    __tablename__ = "daily_set"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    day: Mapped[date]  # local date (Asia/Shanghai by default)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    # Completed with an answer too fast: no completion bonus, and no day of practice (the
    # plans' 坚持每日一练 and the reports' 每日一练天数 count the others).
    hurried: Mapped[bool] = mapped_column(default=False)
    # The annual exam the set prepares for (exam-date mode), if any.
    exam_quiz_id: Mapped[int | None] = mapped_column(ForeignKey("quiz.id", ondelete="SET NULL"))

    items: Mapped[list[DailySetItem]] = relationship(
        back_populates="daily_set", cascade="all, delete-orphan",
        order_by="DailySetItem.position")


class DailySetItem(db.Model):
    """One question of a daily set, frozen like an attempt item (see quiz AttemptItem)."""

    __tablename__ = "daily_set_item"
    __table_args__ = (UniqueConstraint("set_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("daily_set.id", ondelete="CASCADE"),
                                        index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"),
                                             index=True)
    position: Mapped[int]
    # Why it was chosen: review (due), new, or exam (exam-date mode).
    reason: Mapped[str] = mapped_column(String(10), default="new")
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    shown_at: Mapped[datetime | None]
    response: Mapped[Any | None] = mapped_column(JSON)
    correct: Mapped[bool | None]
    answered_at: Mapped[datetime | None]
    elapsed_ms: Mapped[int | None]
    too_fast: Mapped[bool] = mapped_column(default=False)
    points_awarded: Mapped[int] = mapped_column(default=0)

    daily_set: Mapped[DailySet] = relationship(back_populates="items")


class ChallengeRun(db.Model):
    """A challenge: questions one after another, each against the clock, until a mistake.

    A person has at most one running run (partial unique index), so reloading or
    starting again returns the same run and the same question with the same deadline.
    """

    __tablename__ = "challenge_run"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'ended')", name="known_status"),
        Index("uq_challenge_run_one_running", "user_id", unique=True,
              sqlite_where=text("status = 'running'"),
              postgresql_where=text("status = 'running'")),
        Index("ix_challenge_run_user_score", "user_id", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    # The department at the start, so department bests do not move when people do.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="running")
    # wrong, timeout or exhausted (no questions left) once ended.
    end_reason: Mapped[str | None] = mapped_column(String(10))
    score: Mapped[int] = mapped_column(default=0)
    seconds_per_question: Mapped[int] = mapped_column(default=30)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    # The question on screen: its frozen snapshot and when it was shown.
    current_question_id: Mapped[int | None] = mapped_column(ForeignKey("question.id"))
    current_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    current_shown_at: Mapped[datetime | None]
    asked: Mapped[list[int]] = mapped_column(JSON, default=list)

    user: Mapped[User] = relationship()
    answers: Mapped[list[ChallengeAnswer]] = relationship(
        cascade="all, delete-orphan", order_by="ChallengeAnswer.position")


class ChallengeAnswer(db.Model):
    """One answered question of a run (the review after the run, and timing checks)."""

    __tablename__ = "challenge_answer"
    __table_args__ = (UniqueConstraint("run_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("challenge_run.id", ondelete="CASCADE"),
                                        index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    position: Mapped[int]
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    response: Mapped[Any | None] = mapped_column(JSON)  # None: time ran out
    correct: Mapped[bool]
    shown_at: Mapped[datetime]
    answered_at: Mapped[datetime]
    elapsed_ms: Mapped[int]
    too_fast: Mapped[bool] = mapped_column(default=False)


class PointRule(db.Model):
    """An admin's change to a points rule; rules without a row use the code defaults."""

    __tablename__ = "point_rule"

    key: Mapped[str] = mapped_column(String(30), primary_key=True)
    amount: Mapped[int]
    daily_cap: Mapped[int | None]  # None: no cap
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class PointAward(db.Model):
    """One entry of the points ledger. (user, rule, source) is unique: nothing pays twice."""

    __tablename__ = "point_award"
    __table_args__ = (
        UniqueConstraint("user_id", "rule", "source"),
        # Covers the points of a period per person (reports, leaderboards) without
        # reading the table itself.
        Index("ix_point_award_day_user", "day", "user_id", "amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(30))
    amount: Mapped[int]  # 0 when the daily cap was reached: the row still blocks a repeat
    source: Mapped[str] = mapped_column(String(100))  # e.g. "quiz:12", "daily:2026-11-28"
    day: Mapped[date]  # local date, for caps and leaderboards
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()


class TimingFlag(db.Model):
    """An answer given faster than the question can be read: it earned nothing. A quiz
    attempt is timed as a whole (its floor: the sum of its answered questions'), so its
    flag names no question."""

    __tablename__ = "timing_flag"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int | None] = mapped_column(ForeignKey("question.id",
                                                               ondelete="SET NULL"))
    context: Mapped[str] = mapped_column(String(10))  # daily, challenge or quiz
    elapsed_ms: Mapped[int]
    floor_ms: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    user: Mapped[User] = relationship()
