"""Points for what happens in other domains: a passed quiz, an attended session, a studied
article, a material read to the end.

Each listener pays through :func:`lawlearn.practice.points.award`, keyed by what was done
("quiz:<id>", "session:<id>", "article:<id>", "material:<id>"), so a repeat pays nothing.
Importing this module connects them; connecting again is harmless (blinker keeps one).
"""

from __future__ import annotations

from datetime import datetime

from lawlearn.database import utcnow
from lawlearn.library.materials import material_read
from lawlearn.library.services import article_studied
from lawlearn.practice.points import award, revoke
from lawlearn.practice.timing import check_attempt_timing
from lawlearn.quiz.services import attempt_graded
from lawlearn.sessions.services import attendance_recorded

ATTENDED = ("present", "late")


def on_attempt_graded(attempt) -> int:
    """通过测验: once per quiz, however often it is passed. An attempt submitted faster than
    its answered questions can be read is flagged, passed or not, and pays nothing (a later
    attempt at a human pace still can)."""
    submitted_at = attempt.submitted_at or utcnow()
    # attempt.items: already loaded by the grading, else one query.
    answered = [item.snapshot for item in attempt.items if item.answered_at is not None]
    _elapsed, too_fast = check_attempt_timing(attempt.user_id, answered, attempt.started_at,
                                              submitted_at, "quiz")
    if too_fast or not attempt.passed:
        return 0
    return award(attempt.user_id, "quiz_passed", f"quiz:{attempt.quiz_id}", submitted_at)


def on_attendance_recorded(_sender, *, user_id: int, session_id: int, status: str,
                           now: datetime) -> int:
    """参加集中学法: present or late. A record corrected to absent or excused (someone checked
    in for a colleague, say) takes the points back: the report would otherwise credit an
    attendance it lists as 缺席. Returns the change."""
    if status in ("absent", "excused"):
        return -revoke(user_id, "session_attended", f"session:{session_id}")
    if status not in ATTENDED:
        return 0
    return award(user_id, "session_attended", f"session:{session_id}", now)


def on_article_studied(_sender, *, user_id: int, article_id: int, now: datetime) -> int:
    """学习法条: the first time an article is marked studied (unmarking keeps the points)."""
    return award(user_id, "article_read", f"article:{article_id}", now)


def on_material_read(_sender, *, user_id: int, material_id: int, now: datetime) -> int:
    """阅读学习资料: a confirmed reading (see library.materials.confirm_reading)."""
    return award(user_id, "material_read", f"material:{material_id}", now)


def connect() -> None:
    """Connect every listener (weakly, as usual: module functions live as long as the app)."""
    attempt_graded.connect(on_attempt_graded)
    attendance_recorded.connect(on_attendance_recorded)
    article_studied.connect(on_article_studied)
    material_read.connect(on_material_read)


connect()
