"""Question bank, quizzes, and attempts frozen as snapshots."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lawlearn.database import utcnow
from lawlearn.extensions import db

if TYPE_CHECKING:
    from lawlearn.accounts.models import User
    from lawlearn.library.models import LawArticle

QUESTION_TYPES = {"single": _l("单选题"), "multiple": _l("多选题"), "true_false": _l("判断题"),
                  "fill": _l("填空题")}
DIFFICULTIES = {"easy": _l("易"), "medium": _l("中"), "hard": _l("难")}
GRADING_METHODS = {"highest": _l("最高分"), "last": _l("最后一次"), "average": _l("平均分")}
ANSWER_VISIBILITY = {"after_submit": _l("交卷后立即显示"), "after_close": _l("测验结束后显示"),
                     "never": _l("不显示")}
OPTION_KEYS = "ABCDEFGH"


class Question(db.Model):
    """A question of the bank. Attempts copy what they show, so edits never reach them.

    ``answer`` by type: single "A"; multiple ["A", "C"]; true_false true/false;
    fill [["alternative", "another"], ["second blank"]].
    """

    __tablename__ = "question"
    __table_args__ = (
        CheckConstraint("type IN ('single', 'multiple', 'true_false', 'fill')",
                        name="known_type"),
        CheckConstraint("status IN ('active', 'retired')", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(20), index=True)
    stem: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    answer: Mapped[Any] = mapped_column(JSON)
    explanation: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    difficulty: Mapped[str] = mapped_column(String(10), default="medium")
    article_id: Mapped[int | None] = mapped_column(ForeignKey("law_article.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default="active", index=True)
    # Normalised stem and options, to find duplicates.
    fingerprint: Mapped[str] = mapped_column(String(64), index=True)
    revision: Mapped[int] = mapped_column(default=1)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    article: Mapped[LawArticle | None] = relationship()
    author: Mapped[User | None] = relationship()

    @property
    def type_label(self) -> str:
        return str(QUESTION_TYPES.get(self.type, self.type))

    @property
    def difficulty_label(self) -> str:
        return str(DIFFICULTIES.get(self.difficulty, self.difficulty))

    @property
    def keyed_options(self) -> list[tuple[str, str]]:
        return list(zip(OPTION_KEYS, self.options, strict=False))

    @property
    def blanks(self) -> int:
        return len(self.answer) if self.type == "fill" else 0


class QuestionRevision(db.Model):
    """The question as it was before each edit."""

    __tablename__ = "question_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"),
                                             index=True)
    revision: Mapped[int]
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    editor: Mapped[User | None] = relationship()


class Quiz(db.Model):
    __tablename__ = "quiz"
    __table_args__ = (
        CheckConstraint("selection IN ('fixed', 'random')", name="known_selection"),
        CheckConstraint("grading IN ('highest', 'last', 'average')", name="known_grading"),
        CheckConstraint("show_answers IN ('after_submit', 'after_close', 'never')",
                        name="known_show_answers"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    is_exam: Mapped[bool] = mapped_column(default=False)
    published: Mapped[bool] = mapped_column(default=False, index=True)
    audience_all: Mapped[bool] = mapped_column(default=True)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    time_limit_minutes: Mapped[int | None]
    attempts_allowed: Mapped[int | None]  # None: unlimited (no column default: None means it)
    grading: Mapped[str] = mapped_column(String(10), default="highest")
    pass_percent: Mapped[int] = mapped_column(default=60)
    selection: Mapped[str] = mapped_column(String(10), default="fixed")
    shuffle_questions: Mapped[bool] = mapped_column(default=False)
    shuffle_options: Mapped[bool] = mapped_column(default=False)
    partial_credit: Mapped[bool] = mapped_column(default=False)
    show_answers: Mapped[str] = mapped_column(String(20), default="after_submit")
    # Points per question type, e.g. {"single": 2, "multiple": 3, "true_false": 1, "fill": 2}.
    points: Mapped[dict[str, float]] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    fixed_questions: Mapped[list[QuizQuestion]] = relationship(
        cascade="all, delete-orphan", order_by="QuizQuestion.position")
    rules: Mapped[list[QuizRule]] = relationship(cascade="all, delete-orphan",
                                                 order_by="QuizRule.id")
    audience: Mapped[list[QuizAudience]] = relationship(cascade="all, delete-orphan")


class QuizQuestion(db.Model):
    __tablename__ = "quiz_question"
    __table_args__ = (UniqueConstraint("quiz_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    position: Mapped[int]

    question: Mapped[Question] = relationship()


class QuizRule(db.Model):
    """Draw ``count`` active questions of ``type`` (optionally with a tag/difficulty)."""

    __tablename__ = "quiz_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    tag: Mapped[str | None] = mapped_column(String(50))
    difficulty: Mapped[str | None] = mapped_column(String(10))
    count: Mapped[int]


class QuizAudience(db.Model):
    """A department (with its sections) or a person the quiz is for."""

    __tablename__ = "quiz_audience"

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))


class Attempt(db.Model):
    __tablename__ = "attempt"
    __table_args__ = (
        UniqueConstraint("quiz_id", "user_id", "number"),
        Index("ix_attempt_user_quiz", "user_id", "quiz_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    number: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    auto_submitted: Mapped[bool] = mapped_column(default=False)
    score: Mapped[float | None]
    max_score: Mapped[float] = mapped_column(default=0)
    passed: Mapped[bool | None]

    quiz: Mapped[Quiz] = relationship()
    user: Mapped[User] = relationship()
    items: Mapped[list[AttemptItem]] = relationship(
        back_populates="attempt", cascade="all, delete-orphan", order_by="AttemptItem.position")

    @property
    def in_progress(self) -> bool:
        return self.submitted_at is None


class AttemptItem(db.Model):
    """One question of an attempt, frozen: what was shown, in which order, and the answer.

    ``snapshot``: {"type", "stem", "options": [{"key", "text", "source"}], "answer",
    "explanation", "article": {"law_id", "number", "label", "law"} | None}; option keys are
    the shown letters, ``source`` the letter in the bank.
    """

    __tablename__ = "attempt_item"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"),
                                            index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    position: Mapped[int]
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    points: Mapped[float]
    response: Mapped[Any | None] = mapped_column(JSON)
    answered_at: Mapped[datetime | None]
    correct: Mapped[bool | None]
    awarded: Mapped[float | None]

    attempt: Mapped[Attempt] = relationship(back_populates="items")

    @property
    def partly_answered(self) -> bool:
        """A fill-in question with some blanks filled and some not (the answer sheet says
        so: marked answered, it was handed in with a blank left by mistake)."""
        if self.snapshot.get("type") != "fill" or not isinstance(self.response, list):
            return False
        filled = [str(value).strip() for value in self.response]
        return any(filled) and (len(filled) < self.snapshot.get("blanks", 1) or not all(filled))


class WrongAnswer(db.Model):
    """A question someone got wrong (错题本), until they redo it right twice in a row, on
    two different days.

    ``last_response`` is in the bank's option letters, whatever order was shown.
    A question got wrong again after it left the book comes back (``cleared_at`` reset).
    """

    __tablename__ = "wrong_answer"
    __table_args__ = (
        UniqueConstraint("user_id", "question_id"),
        Index("ix_wrong_answer_user_open", "user_id", "cleared_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"),
                                             index=True)
    last_response: Mapped[Any | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(10))  # quiz, daily, challenge, redo
    wrong_count: Mapped[int] = mapped_column(default=1)
    right_streak: Mapped[int] = mapped_column(default=0)
    first_wrong_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_wrong_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The right answer that last counted toward leaving the book: one a day counts.
    last_right_at: Mapped[datetime | None]
    cleared_at: Mapped[datetime | None]

    question: Mapped[Question] = relationship()
