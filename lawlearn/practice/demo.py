"""Demo practice history: two weeks of daily sets and challenge runs for most staff, so that
points, leaderboards, wrong-answer books and the timing report have something to show."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.practice import challenge, daily

# staff30 plays like a script: answers in under a second, so the timing report has a case.
SCRIPTED = "staff30"


def answer_for(snapshot: dict[str, Any], right: bool) -> Any:
    """The right answer, or a plausible wrong one, in the shown letters."""
    kind, answer = snapshot["type"], snapshot["answer"]
    if right:
        return [alternatives[0] for alternatives in answer] if kind == "fill" else answer
    if kind == "true_false":
        return not answer
    if kind == "fill":
        return ["不清楚"] * len(answer)
    keys = [option["key"] for option in snapshot["options"]]
    wrong = [key for key in keys if key not in (answer if isinstance(answer, list) else [answer])]
    if kind == "single":
        return wrong[0] if wrong else keys[0]
    return [answer[0]] if len(answer) > 1 else sorted({answer[0], *wrong[:1]})


def _daily(user: User, moment, rng: random.Random, skill: float, pace: int) -> int:
    daily_set = daily.get_or_create_set(user, moment, rng)
    if daily_set is None:
        return 0
    clock = moment
    for item in daily_set.items:
        daily.mark_shown(daily_set, clock, item)
        clock += timedelta(seconds=pace + rng.randint(0, pace))
        daily.answer(user.id, item.question_id,
                     answer_for(item.snapshot, rng.random() < skill), clock)
    return 1


def _challenge(user: User, moment, rng: random.Random, skill: float, pace: int) -> int:
    run, _created = challenge.start(user, moment, rng)
    clock = moment
    while run.status == "running":
        clock += timedelta(seconds=pace + rng.randint(0, pace))
        right = rng.random() < skill
        challenge.answer(user, run.id, run.current_question_id,
                         answer_for(run.current_snapshot, right), clock, rng=rng)
    return 1


def load_practice_demo(rng: random.Random | None = None) -> dict[str, int]:
    """Fourteen days of practice for most demo staff, ending yesterday."""
    rng = rng or random.Random(7)  # nosec B311 - repeatable demo data
    people = list(db.session.scalars(select(User).where(User.username.like("staff%"))
                                     .order_by(User.username)))
    today = utcnow().replace(hour=1, minute=0, second=0, microsecond=0)  # 09:00 in Beijing
    sets = runs = 0
    for person in people:
        scripted = person.username == SCRIPTED
        skill = 0.95 if scripted else rng.uniform(0.55, 0.9)
        pace = 0 if scripted else rng.randint(15, 40)
        keen = 0.9 if scripted else rng.uniform(0.2, 0.9)
        for days_ago in range(14, 0, -1):
            moment = today - timedelta(days=days_ago) + timedelta(minutes=rng.randint(0, 600))
            if rng.random() < keen:
                sets += _daily(person, moment, rng, skill, pace)
            if rng.random() < keen / 3:
                runs += _challenge(person, moment + timedelta(hours=1), rng, skill, pace)
    db.session.flush()
    return {"daily_sets": sets, "challenge_runs": runs}
