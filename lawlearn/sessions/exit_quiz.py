"""A session's exit quiz (随堂测验): passing it turns the person's pending check-in into
attendance. Connected to quiz grading by importing this module (sessions/__init__.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.quiz.services import attempt_graded
from lawlearn.sessions.models import Attendance, StudySession
from lawlearn.sessions.services import attendance_recorded


def exit_quiz_passed(user_id: int, quiz_id: int, now: datetime | None = None) -> int:
    """The person passed a session's exit quiz: their pending check-ins become present, or
    late when the check-in itself was late (passing the quiz does not undo lateness)."""
    pending = db.session.execute(
        select(Attendance.id, Attendance.session_id, Attendance.checked_in_at,
               StudySession.starts_at, StudySession.late_after_minutes)
        .join(StudySession, StudySession.id == Attendance.session_id)
        .where(StudySession.exit_quiz_id == quiz_id, Attendance.user_id == user_id,
               Attendance.status == "pending_quiz")).all()
    if not pending:
        return 0
    outcome = {row.id: "late" if row.checked_in_at is not None and row.checked_in_at >
               row.starts_at + timedelta(minutes=row.late_after_minutes) else "present"
               for row in pending}
    changed = 0
    for status in ("present", "late"):
        ids = [row_id for row_id, result in outcome.items() if result == status]
        if ids:
            changed += db.session.execute(update(Attendance).where(
                Attendance.id.in_(ids), Attendance.status == "pending_quiz")
                .values(status=status).execution_options(synchronize_session=False)).rowcount
    for row in pending:
        attendance_recorded.send(None, user_id=user_id, session_id=row.session_id,
                                 status=outcome[row.id], now=now or utcnow())
    return changed


@attempt_graded.connect
def _on_attempt_graded(attempt) -> None:
    if attempt.passed:
        exit_quiz_passed(attempt.user_id, attempt.quiz_id, attempt.submitted_at)
