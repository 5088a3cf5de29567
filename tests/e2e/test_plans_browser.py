"""Following a study plan on a phone: read a material for the time the server asks, mark two
articles studied in the library, and see the plan reach 100%."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.library.models import Material
from lawlearn.plans.models import PlanItemProgress
from lawlearn.plans.notices import notify
from lawlearn.practice.points import local_day
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_browser import assert_fits_phone, log_in
from tests.plans.test_kinds import add_item, import_law, make_plan


def test_follow_a_plan_on_a_phone_to_completion(app, live_server, phone, make_user):
    user = make_user("mobile", name="移动")
    with app.app_context():
        today = local_day(utcnow())
        law = import_law()
        material = Material(title="习近平法治思想学习纲要（节选）",
                            body_html="<p>坚持全面依法治国，是中国特色社会主义的本质要求。</p>",
                            published=True)
        db.session.add(material)
        db.session.flush()
        plan = make_plan("2026年度学法计划", starts_on=today - timedelta(days=10),
                         ends_on=today + timedelta(days=90), required_hours=3)
        add_item(plan, "material", title="阅读学习纲要", hours=1, due_on=today + timedelta(days=7),
                 settings={"material_id": material.id, "min_seconds": 2})
        add_item(plan, "articles", title="学习测试法总则", hours=2,
                 settings={"law_id": law.id, "from_number": 1, "to_number": 2})
        notify([user.id], "新的学习计划：2026年度学法计划", "请按时完成。", f"/plans/{plan.id}",
               utcnow())
        db.session.commit()
        plan_id, law_id = plan.id, law.id

    page = phone.new_page()
    log_in(page, live_server, "mobile")
    # The notice in the top bar leads to the plan.
    page.get_by_role("link", name="通知，1 条未读").click()
    assert_fits_phone(page)
    page.get_by_role("button", name=re.compile("新的学习计划")).click()
    expect(page).to_have_url(f"{live_server}/plans/{plan_id}")
    expect(page.get_by_role("link", name="通知", exact=True)).to_be_visible()

    page.goto(f"{live_server}/plans")
    expect(page.get_by_role("img", name="已完成 0%")).to_be_visible()
    expect(page.get_by_text("必修完成 0 / 2 项")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "plans-index-phone")
    page.get_by_role("link", name=re.compile("2026年度学法计划")).click()
    expect(page.get_by_role("heading", name="2026年度学法计划")).to_be_visible()
    assert_fits_phone(page)

    # The material: the button waits for the time the server will check.
    page.get_by_role("link", name=re.compile("阅读资料")).click()
    expect(page.get_by_text("坚持全面依法治国")).to_be_visible()
    button = page.get_by_role("button", name="我已读完")
    expect(button).to_be_disabled()
    expect(page.get_by_text(re.compile(r"还需阅读 \d 秒"))).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "plan-material-phone")
    expect(button).to_be_enabled(timeout=6000)
    button.click()
    expect(page.get_by_text("已完成：阅读学习纲要")).to_be_visible()
    expect(page.get_by_role("img", name="已完成 50%")).to_be_visible()
    with app.app_context():
        row = db.session.scalar(select(PlanItemProgress))
        assert row.confirmed_at - row.opened_at >= timedelta(seconds=2)

    # The articles: marked studied in the library, one after the other.
    page.get_by_role("link", name=re.compile("去学习法条")).click()
    expect(page.get_by_role("heading", name="第一条")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_role("button", name="标记已学，下一条").click()
    expect(page.get_by_role("heading", name="第二条")).to_be_visible()
    page.get_by_role("button", name="标记已学，下一条").click()
    expect(page.get_by_role("heading", name="第三条")).to_be_visible()
    page.goto(f"{live_server}/laws/{law_id}/articles/2")
    expect(page.get_by_text("✓ 已学习")).to_be_visible()

    page.goto(f"{live_server}/plans/{plan_id}")
    expect(page.get_by_role("img", name="已完成 100%")).to_be_visible()
    expect(page.get_by_text("必修完成 2 / 2 项")).to_be_visible()
    expect(page.get_by_text("学时 3 / 3")).to_be_visible()
    expect(page.locator(".item-card.is-done")).to_have_count(2)
    assert_fits_phone(page)
    screenshot(page, "plan-done-phone")

    page.goto(f"{live_server}/plans/hours")
    expect(page.get_by_text("已达到学习计划要求的学时。")).to_be_visible()
    assert_fits_phone(page)
