"""The demo plan loads whatever the day of the year (its due dates stay within the plan),
and the real ``demo load`` gives this year's plan with every kind, some of it done."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.library.models import MaterialRead
from lawlearn.localtime import local_day
from lawlearn.plans import demo
from lawlearn.plans.kinds import KINDS
from lawlearn.plans.matrix import matrix
from lawlearn.plans.models import Plan, PlanItemProgress
from lawlearn.practice.models import PointAward
from tests.library.test_parsing import needs_shared
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


@needs_shared
def test_demo_load_adds_this_years_plan_with_every_kind_and_staff_part_way(runner, app):
    """The real ``demo load``: this year's 年度学法计划 has an item of each of the 7 kinds,
    and some demo staff have items done, stamped and paid."""
    result = runner.invoke(args=["demo", "load", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["plans"] == 1
    with app.app_context():
        now = utcnow()
        plan = db.session.scalar(select(Plan).where(
            Plan.title == f"{local_day(now).year}年度学法计划"))
        assert plan is not None and plan.status == "published"
        assert {item.kind for item in plan.items} == set(KINDS) and len(KINDS) == 7
        grid = matrix(plan, now)
        done: dict[str, set[str]] = {}
        for item in grid.items:
            for person in grid.people:
                if grid.state(item, person).done:
                    done.setdefault(item.kind, set()).add(person.username)
        # Some demo staff, not everyone, have read the articles and the material.
        for kind in ("articles", "material"):
            assert done.get(kind) and all(n.startswith("staff") for n in done[kind]), kind
            assert 3 <= len(done[kind]) < len(grid.people), kind
        stamped = set(db.session.scalars(select(PlanItemProgress.user_id).where(
            PlanItemProgress.completed_at.is_not(None))))
        paid = set(db.session.scalars(select(PointAward.user_id).where(
            PointAward.rule == "plan_item")))
        readers = {person.id for person in grid.people
                   if person.username in done["articles"]}
        assert readers <= stamped and readers <= paid  # seen done, and paid for it
        # Who read the material on the plan read it in the library too: its page does not
        # offer 我已读完 (and its points) a second time.
        material_id = next(item.settings["material_id"] for item in plan.items
                           if item.kind == "material")
        read = set(db.session.scalars(select(MaterialRead.user_id).where(
            MaterialRead.material_id == material_id, MaterialRead.confirmed_at.is_not(None))))
        assert read == {person.id for person in grid.people
                        if person.username in done["material"]}
        # Everyone's done items are paid at loading: signing in (which syncs) pays nothing
        # more, so a report exported before and after everyone's first visit is the same.
        from lawlearn.accounts.models import User
        from lawlearn.plans.progress import synced_progress

        awards = db.session.scalar(select(db.func.count()).select_from(PointAward))
        for person in db.session.scalars(select(User)):
            synced_progress(person, now)
        db.session.flush()
        assert db.session.scalar(select(db.func.count()).select_from(PointAward)) == awards
