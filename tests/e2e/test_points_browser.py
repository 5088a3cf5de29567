"""Points on a phone (我的积分, 积分榜, reading a material to the end) and the admin's points
pages on a desktop."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

import lawlearn.practice.listeners  # noqa: F401  (connects the listeners)
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.library import materials
from lawlearn.practice import points
from lawlearn.practice.models import DailySet, DailySetItem, TimingFlag
from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_browser import assert_fits_phone, log_in


def seed_points(app, make_user, make_department):
    """Three units of different sizes, people with points, and me ranked outside the top."""
    justice = make_department("区司法局")
    section = make_department("普法与依法治理科", justice)
    office = make_department("区政府办公室")
    small = make_department("法制办")
    people = ([make_user(name=f"司法{i}", department_id=section if i % 2 else justice)
               for i in range(8)]
              + [make_user(name=f"办公室{i}", department_id=office) for i in range(4)]
              + [make_user(name="法制办主任", department_id=small)])
    me = make_user("me", name="王小明", department_id=section)
    with app.app_context():
        now = utcnow()
        for index, person in enumerate(people):
            for n in range(index % 5 + 1):
                points.award(person.id, "quiz_passed", f"quiz:{n}", now - timedelta(days=n))
        points.award(people[-1].id, "session_attended", "session:1", now)
        points.award(me.id, "article_read", "article:1", now)
        points.award(me.id, "daily_practice", f"daily:{points.local_day(now).isoformat()}", now)
        db.session.commit()
    return me


def test_points_and_leaderboard_on_a_phone(app, live_server, phone, make_user,
                                           make_department):
    seed_points(app, make_user, make_department)
    page = phone.new_page()
    log_in(page, live_server, "me")
    page.goto(f"{live_server}/me")
    page.get_by_role("link", name="我的积分").click()
    expect(page.get_by_role("heading", name="我的积分")).to_be_visible()
    expect(page.get_by_text("完成每日一练").first).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "points-phone")

    page.get_by_role("link", name="查看积分榜").click()
    expect(page.get_by_role("heading", name="我的排名")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "leaderboard-people-phone")
    page.get_by_role("link", name="部门（人均）").click()
    expect(page.get_by_role("heading", name="本单位排名")).to_be_visible()
    expect(page.get_by_text("本单位", exact=True)).to_be_visible()
    page.get_by_role("link", name="本年").click()
    chosen = page.get_by_role("link", name="本年")
    expect(chosen).to_have_attribute("aria-current", "page")
    # The chosen buttons read white on red, as every red button does (not near-black).
    for name in ("本年", "部门（人均）"):
        expect(page.get_by_role("link", name=name)).to_have_css("color", "rgb(255, 255, 255)")
    assert_fits_phone(page)
    screenshot(page, "leaderboard-departments-phone")


class Clock:
    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now


def test_reading_a_material_to_the_end_on_a_phone(app, live_server, phone, make_user,
                                                  monkeypatch):
    clock = Clock()
    monkeypatch.setattr("lawlearn.library.material_views.utcnow", clock)
    make_user("reader", name="读者")
    with app.app_context():
        material = materials.create_material(None, materials.MaterialFields(
            "民法典婚姻家庭编要点", "article", "## 要点\n\n" + "婚姻自由，一夫一妻，男女平等。" * 10,
            published=True))
        db.session.commit()
        material_id = material.id
    page = phone.new_page()
    page.clock.install()  # the page's countdown runs on a clock the test moves
    log_in(page, live_server, "reader")
    page.goto(f"{live_server}/materials/{material_id}")
    expect(page.get_by_text("请认真阅读，30 秒后可确认读完")).to_be_visible()
    done = page.get_by_role("button", name="我已读完")
    expect(done).to_be_disabled()  # the page counts the reading time down
    page.clock.run_for(5000)
    expect(page.get_by_text("请认真阅读，25 秒后可确认读完")).to_be_visible()
    # The server decides, whatever the page does: a forced early tap is refused.
    done.evaluate("button => { button.disabled = false; }")
    done.click()
    expect(page.get_by_text("请再读 30 秒后确认读完")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "material-too-early-phone")
    clock.now += timedelta(seconds=31)
    page.clock.run_for(31000)
    expect(page.get_by_text("已可确认读完。")).to_be_visible()
    expect(done).to_be_enabled()
    done.click()
    expect(page.get_by_text("已确认读完，获得 2 积分")).to_be_visible()
    expect(page.get_by_text("✓ 已读")).to_be_visible()
    expect(page.get_by_role("button", name="我已读完")).to_have_count(0)
    screenshot(page, "material-read-phone")


def test_admin_points_pages_on_a_desktop(app, live_server, desktop, make_user, make_department,
                                         make_questions):
    make_user("chief", roles=("admin", "staff"), name="管理员")
    bot = make_user("speedy", name="快手张", department_id=make_department("区司法局"))
    question_id = make_questions()[0]
    with app.app_context():
        now = utcnow() - timedelta(days=1)
        daily = DailySet(user_id=bot.id, day=now.date())
        daily.items = [DailySetItem(question_id=question_id, position=0, snapshot={},
                                    answered_at=now, elapsed_ms=300, correct=True)]
        db.session.add(daily)
        db.session.add(TimingFlag(user_id=bot.id, question_id=question_id, context="daily",
                                  elapsed_ms=300, floor_ms=2800, created_at=now))
        db.session.commit()
    page = desktop.new_page()
    log_in(page, live_server, "chief", PASSWORD)
    page.goto(f"{live_server}/admin/practice/rules")
    expect(page.get_by_role("heading", name="积分规则与练习设置")).to_be_visible()
    page.get_by_label("通过测验：每次积分").fill("-3")
    page.get_by_label("每日一练题数").fill("30")
    page.get_by_role("button", name="保存修改").click()
    expect(page.get_by_text("积分须在 0 到 1000 之间。")).to_be_visible()
    expect(page.get_by_text("每日一练题数须在 1 到 20 题之间。")).to_be_visible()
    screenshot(page, "points-rules-errors-desktop")
    page.get_by_label("通过测验：每次积分").fill("12")
    page.get_by_label("每日一练题数").fill("8")
    page.get_by_role("button", name="保存修改").click()
    expect(page.get_by_text("已保存 2 项修改。")).to_be_visible()
    screenshot(page, "points-rules-desktop")

    page.get_by_role("link", name="答题用时异常报告").click()
    expect(page.get_by_role("heading", name="答题用时异常")).to_be_visible()
    expect(page.get_by_role("rowheader", name="快手张 speedy")).to_be_visible()
    expect(page.get_by_text("100.0%")).to_be_visible()
    screenshot(page, "timing-report-desktop")
