"""The wrong-answer book (错题本): every question answered wrongly in a quiz, the daily
practice or a challenge stays in it until redone right twice in a row. No HTTP here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from lawlearn.extensions import db
from lawlearn.quiz.models import WrongAnswer

RIGHT_IN_A_ROW_TO_CLEAR = 2


def bank_letters(snapshot: dict[str, Any], response: Any) -> Any:
    """A response in shown letters → the bank's letters (options may have been shuffled)."""
    if snapshot.get("type") not in ("single", "multiple") or response is None:
        return response
    to_bank = {option["key"]: option.get("source", option["key"])
               for option in snapshot.get("options", [])}
    if isinstance(response, str):
        return to_bank.get(response, response)
    return sorted(to_bank.get(key, key) for key in response)


def record_result(user_id: int, question_id: int, snapshot: dict[str, Any], response: Any,
                  correct: bool, source: str, now: datetime) -> WrongAnswer | None:
    """Note one graded answer: a wrong one enters (or re-enters) the book; a right one
    counts toward leaving it. Returns the book entry, if there is one."""
    entry = db.session.scalar(select(WrongAnswer).where(
        WrongAnswer.user_id == user_id, WrongAnswer.question_id == question_id))
    if correct:
        if entry is not None and entry.cleared_at is None:
            entry.right_streak += 1
            if entry.right_streak >= RIGHT_IN_A_ROW_TO_CLEAR:
                entry.cleared_at = now
        return entry
    answer = bank_letters(snapshot, response)
    if entry is None:
        entry = WrongAnswer(user_id=user_id, question_id=question_id, last_response=answer,
                            source=source, wrong_count=1, right_streak=0,
                            first_wrong_at=now, last_wrong_at=now)
        db.session.add(entry)
    else:
        entry.last_response, entry.source = answer, source
        entry.wrong_count += 1
        entry.right_streak = 0
        entry.last_wrong_at = now
        entry.cleared_at = None
    db.session.flush()
    return entry
