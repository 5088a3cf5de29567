"""Answers faster than a person can read the question earn nothing and are flagged."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lawlearn.extensions import db
from lawlearn.practice.models import TimingFlag
from lawlearn.settings import get_settings


def reading_floor_ms(snapshot: dict[str, Any]) -> int:
    """The least time in which a person can read the question and its options."""
    settings = get_settings("practice.floor_base_ms", "practice.floor_ms_per_char")
    characters = len(snapshot.get("stem", "")) + sum(
        len(option.get("text", "")) for option in snapshot.get("options", []))
    return int(settings["practice.floor_base_ms"]
               + settings["practice.floor_ms_per_char"] * characters)


def check_timing(user_id: int, question_id: int, snapshot: dict[str, Any], shown_at: datetime,
                 answered_at: datetime, context: str) -> tuple[int, bool]:
    """(elapsed ms, too fast); a too-fast answer is recorded as a flag for the admin."""
    elapsed = max(0, int((answered_at - shown_at).total_seconds() * 1000))
    floor = reading_floor_ms(snapshot)
    too_fast = elapsed < floor
    if too_fast:
        db.session.add(TimingFlag(user_id=user_id, question_id=question_id, context=context,
                                  elapsed_ms=elapsed, floor_ms=floor, created_at=answered_at))
    return elapsed, too_fast
