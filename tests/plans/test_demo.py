"""The demo plan loads whatever the day of the year (its due dates stay within the plan)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from lawlearn.extensions import db
from lawlearn.localtime import local_day
from lawlearn.plans import demo
from lawlearn.plans.models import Plan
from tests.plans.test_kinds import make_person, make_session


@pytest.mark.parametrize("now", [datetime(2027, 1, 2, 1, 0), datetime(2026, 12, 30, 8, 0)],
                             ids=["early-january", "late-december"])
def test_the_demo_plan_loads_at_either_end_of_the_year(ctx, monkeypatch, now):
    monkeypatch.setattr(demo, "utcnow", lambda: now)
    for n in range(3):
        make_person(f"staff{n:02d}")
    session = make_session("上个月的集中学法", starts_at=now - timedelta(days=20))
    session.closed_at = session.starts_at + timedelta(hours=3)
    db.session.flush()

    assert demo.load_plans_demo() == {"plans": 1}
    plan = db.session.scalar(select(Plan))
    year = local_day(now).year
    assert (plan.title, plan.status) == (f"{year}年度学法计划", "published")
    assert {item.kind for item in plan.items} == {"reflection", "session", "video", "streak"}
    for item in plan.items:
        assert plan.starts_on <= item.due_on <= plan.ends_on, item.title
