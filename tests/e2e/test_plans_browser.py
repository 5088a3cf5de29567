"""Following a study plan on a phone from the home page's "下一步": the overdue articles first
(marked studied in the library), then a material read for the time the server asks, until
the plan reaches 100% and nothing is left to do."""

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


def test_follow_a_plan_on_a_phone_from_next_up_to_completion(app, live_server, phone,
                                                            make_user):
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
                 due_on=today - timedelta(days=1),
                 settings={"law_id": law.id, "from_number": 1, "to_number": 2})
        notify([user.id], "新的学习计划：2026年度学法计划", "请按时完成。", f"/plans/{plan.id}",
               utcnow())
        db.session.commit()
        plan_id, law_id = plan.id, law.id

    page = phone.new_page()
    log_in(page, live_server, "mobile")
    # The home page answers "what next?": the overdue item first, then the one due soon.
    expect(page).to_have_url(f"{live_server}/")
    cards = page.locator(".next-card")
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text("学习测试法总则")
    expect(cards.nth(0)).to_contain_text("已逾期")
    expect(cards.nth(1)).to_contain_text("阅读学习纲要")
    expect(page.get_by_role("link", name="通知，1 条未读")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "plans-next-up-phone")

    # Next up: the articles, marked studied in the library one after the other.
    cards.nth(0).get_by_role("link").click()
    expect(page.get_by_role("heading", name="第一条")).to_be_visible()
    assert_fits_phone(page)
    page.get_by_role("button", name="标记已学，下一条").click()
    expect(page.get_by_role("heading", name="第二条")).to_be_visible()
    page.get_by_role("button", name="标记已学，下一条").click()
    expect(page.get_by_role("heading", name="第三条")).to_be_visible()

    # Back home: the articles are done, the material is next.
    page.get_by_role("link", name="首页").click()
    expect(cards).to_have_count(1)
    expect(cards.nth(0)).to_contain_text("阅读学习纲要")
    expect(page.get_by_text("已逾期")).to_have_count(0)
    cards.nth(0).get_by_role("link").click()

    # The material: the button waits for the time the server will check.
    expect(page.get_by_text("坚持全面依法治国")).to_be_visible()
    button = page.get_by_role("button", name="我已读完")
    expect(button).to_be_disabled()
    expect(page.get_by_text(re.compile(r"还需阅读 \d 秒"))).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "plan-material-phone")
    expect(button).to_be_enabled(timeout=6000)
    button.click()
    expect(page.get_by_text("已完成：阅读学习纲要")).to_be_visible()
    with app.app_context():
        row = db.session.scalar(select(PlanItemProgress).where(
            PlanItemProgress.confirmed_at.is_not(None)))
        assert row.confirmed_at - row.opened_at >= timedelta(seconds=2)

    # The plan is complete: its ring, counts and hours, and nothing left on the home page.
    expect(page).to_have_url(f"{live_server}/plans/{plan_id}")
    expect(page.get_by_role("img", name="已完成 100%")).to_be_visible()
    expect(page.get_by_text("必修完成 2 / 2 项")).to_be_visible()
    expect(page.get_by_text("学时 3 / 3")).to_be_visible()
    expect(page.locator(".item-card.is-done")).to_have_count(2)
    assert_fits_phone(page)
    screenshot(page, "plan-done-phone")
    page.get_by_role("link", name="首页").click()
    expect(page.get_by_text("暂无待完成的学习任务。")).to_be_visible()

    page.goto(f"{live_server}/laws/{law_id}/articles/2")
    expect(page.get_by_text("✓ 已学习")).to_be_visible()
    page.goto(f"{live_server}/plans/hours")
    expect(page.get_by_text("已达到学习计划要求的学时。")).to_be_visible()
    assert_fits_phone(page)

    # The notice in the top bar leads to the plan, and is then read.
    page.get_by_role("link", name="通知，1 条未读").click()
    expect(page).to_have_url(re.compile(r"/notices"))
    assert_fits_phone(page)
    page.get_by_role("button", name=re.compile("新的学习计划")).click()
    expect(page).to_have_url(f"{live_server}/plans/{plan_id}")
    expect(page.get_by_role("link", name="通知", exact=True)).to_be_visible()


def test_department_progress_is_a_table_on_a_desktop_and_cards_on_a_phone(
        app, live_server, desktop, phone, make_user, make_department):
    unit = make_department("执法局")
    make_user("lead01", name="李科长", roles=("staff", "dept_lead"), department_id=unit)
    for n in range(3):
        make_user(f"zf{n}", name=f"执法员{n}", department_id=unit)
    with app.app_context():
        today = local_day(utcnow())
        plan = make_plan("2026年度学法计划", starts_on=today - timedelta(days=10),
                         ends_on=today + timedelta(days=90))
        add_item(plan, "reflection", title="撰写宪法心得", settings={"min_length": 10},
                 due_on=today - timedelta(days=1))
        add_item(plan, "streak", title="坚持每日一练", settings={"days": 5})
        db.session.commit()

    page = desktop.new_page()
    log_in(page, live_server, "lead01")
    page.goto(f"{live_server}/plans/department")
    table = page.locator(".people-table table")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(table.locator("thead")).to_contain_text("撰写宪法心得")
    expect(table.locator("tbody tr").first).to_contain_text("⚠ 逾期")
    expect(page.locator(".people-cards")).to_be_hidden()
    assert page.evaluate("document.querySelector('main').getBoundingClientRect().width") > 900
    screenshot(page, "plans-department-desktop")

    page = phone.new_page()
    log_in(page, live_server, "lead01")
    page.goto(f"{live_server}/plans/department")
    expect(page.locator(".people-table")).to_be_hidden()
    expect(page.locator(".people-cards details")).to_have_count(4)
    assert_fits_phone(page)


def test_errors_on_a_phone_show_at_the_top_and_a_reload_does_not_post_again(
        app, live_server, phone, make_user, make_department):
    unit = make_department("执法局")
    make_user("writer", name="作者", department_id=unit)
    make_user("lead01", name="李科长", roles=("staff", "dept_lead"), department_id=unit)
    with app.app_context():
        today = local_day(utcnow())
        plan = make_plan("宪法学习", starts_on=today - timedelta(days=10),
                         ends_on=today + timedelta(days=90))
        item_id = add_item(plan, "reflection", title="撰写宪法心得",
                           settings={"min_length": 300, "review": True}).id
        db.session.commit()

    page = phone.new_page()
    log_in(page, live_server, "writer")
    item_url = f"{live_server}/plans/items/{item_id}"
    page.goto(item_url)
    page.get_by_label("学习心得").fill("学习宪法的体会。" * 30)  # 210 字 (。 is not one): short
    expect(page.locator("#body-count")).to_have_text("已写 210 字，至少 300 字")  # as the server counts
    page.get_by_role("button", name="提交学习心得").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("学习心得至少需要 300 字（不计空格、换行和标点），目前 210 字。")
    expect(summary).to_be_in_viewport()
    expect(page).to_have_url(item_url)  # the page's own address, not the form's
    page.reload()
    expect(page.locator(".error-summary")).to_have_count(0)  # shown again, not posted again

    page.get_by_label("学习心得").fill("学习宪法的体会，结合依法行政的工作实际。" * 20)
    page.get_by_role("button", name="提交学习心得").click()
    expect(page.get_by_text("学习心得已提交。")).to_be_visible()

    phone.clear_cookies()  # the head of department, on the same phone
    lead = phone.new_page()
    log_in(lead, live_server, "lead01")
    lead.goto(f"{live_server}/plans/reviews")
    dialogs: list[str] = []

    def answer(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.accept()

    lead.on("dialog", answer)
    # 退回 without a comment is stopped at the field, before "are you sure": nothing sent.
    lead.get_by_role("button", name="退回修改").click()
    comment = lead.get_by_label("审阅意见（退回时必填）")
    expect(comment).to_be_focused()
    assert comment.evaluate("field => field.validationMessage") == \
        "退回时请填写意见，说明需要修改的地方。"
    assert dialogs == []
    expect(lead.locator(".error-summary")).to_have_count(0)
    # Without the script (or the check), the server says it, at the top of the phone's page.
    lead.evaluate("document.querySelector('[data-requires]').removeAttribute('data-requires')")
    lead.get_by_role("button", name="退回修改").click()
    summary = lead.locator(".error-summary")
    expect(summary).to_contain_text("退回时请填写意见")
    expect(summary).to_be_in_viewport()
    expect(lead).to_have_url(f"{live_server}/plans/reviews")
    summary.get_by_role("link").click()
    expect(comment).to_be_focused()
    assert_fits_phone(lead)
    screenshot(lead, "plans-review-error-phone")
    comment.fill("请结合本科室执法案例再谈体会。")
    lead.get_by_role("button", name="退回修改").click()
    expect(lead.locator(".flash")).to_contain_text("已退回 作者 的学习心得")
    assert dialogs == ["确定退回 作者 的学习心得吗？"] * 2


def test_a_video_can_be_confirmed_only_once_opened_and_watched(app, live_server, phone,
                                                              make_user):
    """我已看完 stays disabled until the video is opened, then counts down the watching
    time the server checks, and confirms the item."""
    make_user("viewer", name="观众")
    with app.app_context():
        today = local_day(utcnow())
        plan = make_plan("视频学习", starts_on=today - timedelta(days=1),
                         ends_on=today + timedelta(days=30))
        video = add_item(plan, "video", title="宪法宣传片", hours=1,
                         settings={"url": f"{live_server}/static/css/app.css", "min_seconds": 2})
        db.session.commit()
        item_id = video.id

    page = phone.new_page()
    log_in(page, live_server, "viewer")
    page.goto(f"{live_server}/plans/items/{item_id}")
    watched = page.get_by_role("button", name="我已看完")
    expect(watched).to_be_disabled()
    expect(page.locator(".confirm-hint")).to_contain_text("打开后至少需要 2 秒才能确认")
    with page.expect_popup() as opened:
        page.get_by_role("link", name="观看视频（打开外部链接）").click()
    opened.value.close()
    expect(page.locator(".confirm-hint")).to_contain_text("还需观看")
    expect(watched).to_be_enabled(timeout=5000)
    watched.click()
    expect(page.locator(".flash")).to_contain_text("已完成：宪法宣传片")
    assert_fits_phone(page)
