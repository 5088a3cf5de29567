"""The points ledger: awards pay once (also when requests race), daily caps, switched-off
rules, and admin changes taking effect."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import AuditEntry, User
from lawlearn.extensions import db
from lawlearn.practice import points
from lawlearn.practice.models import PointAward, PointRule
from lawlearn.settings import get_setting
from tests.practice.helpers import race

# 2026-03-02 10:00 in Shanghai (a Monday); the local day ends at 16:00 UTC.
NOW = datetime(2026, 3, 2, 2, 0)


def paid_rows(user_id: int, rule: str | None = None) -> list[PointAward]:
    query = select(PointAward).where(PointAward.user_id == user_id).order_by(PointAward.id)
    if rule:
        query = query.where(PointAward.rule == rule)
    return list(db.session.scalars(query))


def test_the_same_thing_pays_once(ctx, make_user):
    user = make_user()
    assert points.award(user.id, "quiz_passed", "quiz:1", NOW) == 10
    assert points.award(user.id, "quiz_passed", "quiz:1", NOW + timedelta(days=3)) == 0
    assert points.award(user.id, "quiz_passed", "quiz:2", NOW) == 10
    db.session.commit()
    assert [(r.source, r.amount) for r in paid_rows(user.id)] == [("quiz:1", 10), ("quiz:2", 10)]
    assert points.total_points(user.id) == 20


def test_concurrent_awards_of_the_same_thing_pay_once(app, make_user):
    user = make_user()
    results = race(app, 6, lambda _i: points.award(user.id, "session_attended", "session:7",
                                                    NOW))
    assert sorted(results) == [0, 0, 0, 0, 0, 5]
    with app.app_context():
        rows = paid_rows(user.id)
        assert [(r.rule, r.source, r.amount) for r in rows] == [("session_attended",
                                                                 "session:7", 5)]


def test_concurrent_awards_of_different_things_stay_within_the_daily_cap(app, make_user):
    user = make_user()  # material_read: 2 points each, at most 10 a day
    results = race(app, 8, lambda i: points.award(user.id, "material_read", f"material:{i}",
                                                   NOW))
    assert sum(results) == 10
    with app.app_context():
        rows = paid_rows(user.id)
        assert len(rows) == 8 and sum(r.amount for r in rows) == 10


def test_daily_cap_pays_partly_at_the_cap_and_resets_the_next_day(ctx, make_user):
    user = make_user()
    points.set_rule("material_read", 4, 10, True)
    assert [points.award(user.id, "material_read", f"material:{i}", NOW) for i in range(4)] \
        == [4, 4, 2, 0]
    # The capped award is recorded with 0: it cannot pay later either.
    assert points.award(user.id, "material_read", "material:3", NOW + timedelta(days=1)) == 0
    # 23:59 local is still the same day; 00:00 local (16:00 UTC) is the next.
    assert points.award(user.id, "material_read", "material:10",
                        datetime(2026, 3, 2, 15, 59)) == 0
    assert points.award(user.id, "material_read", "material:11",
                        datetime(2026, 3, 2, 16, 0)) == 4
    # Caps are per rule: another rule still pays that day.
    assert points.award(user.id, "quiz_passed", "quiz:1", NOW) == 10
    by_day = dict(db.session.execute(
        select(PointAward.day, func.sum(PointAward.amount)).where(
            PointAward.user_id == user.id, PointAward.rule == "material_read")
        .group_by(PointAward.day)).all())
    assert {day.isoformat(): int(total) for day, total in by_day.items()} == {
        "2026-03-02": 10, "2026-03-03": 4}


def test_units_multiply_and_a_multi_unit_award_is_cut_at_the_cap(ctx, make_user):
    user = make_user()  # challenge: 1 point a correct answer, at most 20 a day
    assert points.award(user.id, "challenge", "challenge:1", NOW, units=15) == 15
    assert points.award(user.id, "challenge", "challenge:2", NOW, units=15) == 5
    assert points.award(user.id, "challenge", "challenge:3", NOW, units=0) == 0


def test_a_disabled_rule_pays_nothing(ctx, make_user):
    user = make_user()
    points.set_rule("quiz_passed", 10, None, False)
    assert points.award(user.id, "quiz_passed", "quiz:1", NOW) == 0
    assert paid_rows(user.id) == []
    points.set_rule("quiz_passed", 0, None, True)
    assert points.award(user.id, "quiz_passed", "quiz:1", NOW) == 0
    # Switched on again, the same thing can still pay: nothing was recorded.
    points.set_rule("quiz_passed", 10, None, True)
    assert points.award(user.id, "quiz_passed", "quiz:1", NOW) == 10


def test_admin_changes_take_effect_and_are_audited(ctx, make_user, admin):
    user = make_user()
    actor = db.session.get(User, admin.id)
    assert points.change_rule(actor, "article_read", 3, 4, True) is True
    assert points.change_rule(actor, "article_read", 3, 4, True) is False  # unchanged
    assert [points.award(user.id, "article_read", f"article:{i}", NOW) for i in range(3)] \
        == [3, 1, 0]
    assert points.change_setting(actor, "practice.daily_size", 8) is True
    assert points.change_setting(actor, "practice.daily_size", 8) is False
    assert get_setting("practice.daily_size") == 8
    row = db.session.get(PointRule, "article_read")
    assert (row.amount, row.daily_cap, row.enabled) == (3, 4, True)
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.in_(["points.rule", "practice.setting"])).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["points.rule", "practice.setting"]
    assert entries[0].details["before"] == {"amount": 1, "daily_cap": 10, "enabled": True}
    assert "学习法条" in entries[0].summary and entries[0].actor_id == admin.id
    assert entries[1].details == {"key": "practice.daily_size", "before": 5, "after": 8}


def test_current_rules_apply_admin_changes_in_one_query(ctx):
    points.set_rule("quiz_passed", 12, 2, False)
    rules = points.current_rules()
    assert set(rules) == set(points.RULES)
    assert (rules["quiz_passed"].amount, rules["quiz_passed"].daily_cap,
            rules["quiz_passed"].enabled) == (12, 2, False)
    assert rules["daily_practice"].amount == points.RULES["daily_practice"].amount


def test_sources_are_described_in_words(ctx, make_quiz, app):
    from lawlearn.library.materials import MaterialFields, create_material
    from lawlearn.library.models import LawArticle
    from lawlearn.library.services import import_law
    from lawlearn.quiz.models import Quiz

    quiz_id = make_quiz(title="宪法小测")
    law = import_law(None, "中华人民共和国宪法\n\n第一条 甲。\n\n第二条 乙。\n".encode())
    material = create_material(None, MaterialFields("学习笔记", "article", "正文"))
    nested = create_material(None, MaterialFields("学习《民法典》辅导", "article", "正文"))
    db.session.flush()
    article_id = db.session.scalar(select(LawArticle.id).filter_by(law_id=law.id, number=2))
    words = points.describe_sources([
        f"quiz:{quiz_id}", f"material:{material.id}", f"material:{nested.id}",
        f"article:{article_id}",
        "daily:2026-03-02", "daily:4:17", "quiz:99999"])
    assert words[f"quiz:{quiz_id}"] == f"《{db.session.get(Quiz, quiz_id).title}》"
    assert words[f"material:{material.id}"] == "《学习笔记》"
    assert words[f"material:{nested.id}"] == "《学习〈民法典〉辅导》"  # nested as in print
    assert words[f"article:{article_id}"] == "《宪法》第二条"
    assert words["daily:2026-03-02"].startswith("2026年3月2日")
    assert "daily:4:17" not in words and "quiz:99999" not in words


def test_plan_items_and_reflections_are_named_by_their_task(ctx, make_user):
    from lawlearn.plans.models import Reflection
    from tests.plans.test_kinds import add_item, make_plan

    author = make_user()  # committed by its own session: before this one writes
    plan = make_plan()
    item = add_item(plan, "reflection", title="撰写学习心得")
    reflection = Reflection(item_id=item.id, user_id=author.id, body="心得", status="accepted")
    db.session.add(reflection)
    db.session.flush()
    words = points.describe_sources([f"plan_item:{item.id}", f"reflection:{reflection.id}",
                                     "plan_item:999999"])
    assert words == {f"plan_item:{item.id}": "“撰写学习心得”",
                     f"reflection:{reflection.id}": "“撰写学习心得”"}


# --- 我的积分 -------------------------------------------------------------------------------


def test_my_points_page_shows_totals_the_ledger_in_words_and_how_to_earn(app, client, login,
                                                                       make_user, make_quiz):
    from lawlearn.database import utcnow

    quiz_id = make_quiz(title="宪法小测")
    me, other = make_user(), make_user()
    with app.app_context():
        now = utcnow()
        points.award(me.id, "quiz_passed", f"quiz:{quiz_id}", now)
        points.award(me.id, "daily_practice", "daily:2026-03-02", now)
        points.award(other.id, "session_attended", "session:1", now)
        points.set_rule("reflection_accepted", 5, None, False)
        db.session.commit()
    login(me)
    page = client.get("/practice/points")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "累计积分" in html and "<strong>15</strong>" in html
    assert "通过测验" in html and "《宪法小测》" in html and "+10" in html
    assert "2026年3月2日的每日一练" in html
    assert "参加集中学法" in html  # in the list of how to earn…
    assert "session:1" not in html and html.count("参加集中学法") == 1  # …not in my ledger
    assert "学习心得通过" not in html  # switched off: not offered
    assert "每日最多 10 分" in html
    assert "/practice/leaderboard" in html
    assert "/practice/points" in client.get("/me").get_data(as_text=True)


def test_my_points_ledger_is_paginated(app, client, login, make_user):
    me = make_user()
    with app.app_context():
        for index in range(25):
            points.award(me.id, "quiz_passed", f"quiz:{1000 + index}", NOW)
        db.session.commit()
    login(me)
    first = client.get("/practice/points").get_data(as_text=True)
    second = client.get("/practice/points?page=2").get_data(as_text=True)
    assert first.count("+10") == 20 and second.count("+10") == 5
    assert "第 1 / 2 页" in first


def test_my_points_page_takes_the_same_queries_however_long_the_ledger(app, client, login,
                                                                      make_user, make_quiz,
                                                                      count_queries):
    me = make_user()
    quiz_id = make_quiz(title="宪法小测")
    login(me)

    def earn(first: int, count: int) -> None:
        """Awards of three kinds whose sources are described in words (quiz, material, day)."""
        with app.app_context():
            for n in range(first, first + count):
                points.award(me.id, "quiz_passed", f"quiz:{quiz_id if n == 0 else 9000 + n}", NOW)
                points.award(me.id, "material_read", f"material:{n}", NOW)
                points.award(me.id, "daily_practice", f"daily:2026-0{1 + n // 28}-{1 + n % 28:02d}",
                             NOW)
            db.session.commit()

    def queries() -> int:
        return count_queries(lambda: client.get("/practice/points"))

    earn(0, 2)
    few = queries()
    earn(2, 40)
    assert queries() == few
    assert "《宪法小测》" in client.get("/practice/points?page=7").get_data(as_text=True)


@pytest.mark.parametrize(("page", "shown"), [
    ("/practice/points", ("完成学习计划事项", "+5")),
    ("/practice/leaderboard?period=year", ("第 1 名", "5 分")),
], ids=["my-points", "leaderboard"])
def test_points_pages_pay_a_plan_item_done_before_any_plan_page_was_opened(
        app, client, login, make_user, page, shown):
    """Plan items are paid when a page shows them: 我的积分 and 积分榜 are such pages, so a
    plan's quiz passed after signing in counts there without opening home or 学习计划."""
    from lawlearn.database import utcnow
    from lawlearn.localtime import local_day
    from tests.plans.test_kinds import add_item, attempt, make_plan
    from tests.plans.test_kinds import make_quiz as plan_quiz

    me = make_user()
    login(me)  # lands on home, which settles plan items: none is done yet
    with app.app_context():
        today = local_day(utcnow())
        plan = make_plan("本年度学法计划", starts_on=today - timedelta(days=30),
                         ends_on=today + timedelta(days=30))
        quiz = plan_quiz("计划测验")
        add_item(plan, "quiz", points=5, settings={"quiz_id": quiz.id})
        attempt(quiz, db.session.get(User, me.id), passed=True, submitted_at=utcnow())
        db.session.commit()
        assert paid_rows(me.id, "plan_item") == []
    html = client.get(page).get_data(as_text=True)
    assert all(text in html for text in shown), html
    client.get(page)
    with app.app_context():
        assert [row.amount for row in paid_rows(me.id, "plan_item")] == [5]  # once
