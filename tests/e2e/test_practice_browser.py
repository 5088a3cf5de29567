"""每日一练 on a phone: from the 答题 tab through each question's feedback to 今日已完成."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from lawlearn.extensions import db
from lawlearn.practice.models import DailySet
from lawlearn.settings import set_setting
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_browser import assert_fits_phone, log_in
from tests.practice.helpers import singles
from tests.quiz.fixtures import SAMPLE


def answer_shown_question(page, wrong: bool = False) -> str:
    question = page.locator("fieldset.question")
    kind = question.get_attribute("data-type")
    if kind == "single":
        question.get_by_text("刑法" if wrong else "宪法", exact=True).click()
    elif kind == "multiple":
        question.get_by_text("选举权").click()
        question.get_by_text("宗教信仰自由").click()
    elif kind == "true_false":
        question.get_by_text("正确", exact=True).click()
    else:
        question.get_by_role("textbox").fill("宪法")
    return kind


def test_todays_set_on_a_phone(app, live_server, phone, make_user, make_questions):
    make_user("mobile", name="移动")
    make_questions(SAMPLE)
    with app.app_context():
        set_setting("practice.floor_base_ms", 0)
        set_setting("practice.floor_ms_per_char", 0)
        db.session.commit()
    page = phone.new_page()
    log_in(page, live_server, "mobile")
    expect(page.get_by_role("heading", name="每日一练")).to_be_visible()  # the home card
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="答题").click()
    expect(page).to_have_url(re.compile(r"/quizzes$"))
    assert_fits_phone(page)
    page.get_by_role("link", name=re.compile("^每日一练")).click()

    seen_multiple = False
    for number in range(1, 5):
        expect(page.locator(".question-head")).to_contain_text(f"第 {number} / 4 题")
        expect(page.locator(".daily-count")).to_have_text(f"已答 {number - 1} / 4")
        assert_fits_phone(page)
        if number == 1:
            screenshot(page, "daily-question-phone")
        if page.locator("fieldset.question").get_attribute("data-type") == "multiple":
            seen_multiple = True
            # Nothing ticked: the page says so by the options and stays.
            page.get_by_role("button", name="提交答案").click()
            first_box = page.locator("fieldset.question input[type=checkbox]").first
            assert first_box.evaluate("box => box.validationMessage") == "请至少选择一项。"
            expect(page.locator(".daily-count")).to_have_text(f"已答 {number - 1} / 4")
        kind = answer_shown_question(page, wrong=number == 1)
        page.get_by_role("button", name="提交答案").click()
        verdict = page.locator(".feedback-verdict")
        if number == 1 and kind == "single":
            expect(verdict).to_have_text("✗ 回答错误")
        else:
            expect(verdict).to_have_text(re.compile("回答正确"))
        expect(page.locator(".explanation")).to_be_visible()
        assert_fits_phone(page)
        if number == 1:
            screenshot(page, "daily-feedback-phone")
        if number < 4:
            page.get_by_role("link", name="下一题").click()

    assert seen_multiple
    expect(page.locator(".daily-done-note")).to_have_text("✓ 今日已完成")
    page.get_by_role("link", name="查看今日结果").click()
    expect(page.locator(".daily-done-title")).to_have_text("✓ 今日已完成")
    expect(page.locator(".daily-items li")).to_have_count(4)
    assert_fits_phone(page)
    screenshot(page, "daily-done-phone")

    # The same day, the set stays done; the home page says so.
    page.reload()
    expect(page.locator(".daily-done-title")).to_be_visible()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="首页").click()
    expect(page.locator(".home-daily")).to_contain_text("今日已完成")
    with app.app_context():
        daily_set = db.session.scalar(select(DailySet))
        assert daily_set.completed_at is not None
        assert all(item.shown_at and item.answered_at for item in daily_set.items)


def test_too_fast_answers_on_a_phone(app, live_server, phone, make_user, make_questions):
    """Answers faster than the reading floor (set high here, so any answer is too fast): a
    wrong one's feedback says the day's bonus is lost, a right one's also that it earned
    nothing, and the day's result says why there is no completion bonus."""
    make_user("hasty", name="急性子")
    make_questions(singles(2))
    with app.app_context():
        set_setting("practice.floor_base_ms", 10_000)
        db.session.commit()
    page = phone.new_page()
    log_in(page, live_server, "hasty")
    page.goto(f"{live_server}/practice/daily")
    for number, option in ((1, "甲说法"), (2, "乙说法")):
        expect(page.locator(".question-head")).to_contain_text(f"第 {number} / 2 题")
        page.locator("fieldset.question").get_by_text(option, exact=True).click()
        page.get_by_role("button", name="提交答案").click()
        if number == 1:
            expect(page.locator(".feedback-verdict")).to_have_text("✗ 回答错误")
            expect(page.locator(".feedback .notice")).to_have_text(
                "答题过快：今天的练习不再计完成奖励和每日一练天数。请读完题目再作答。")
            expect(page.locator(".feedback")).not_to_contain_text("本题不计积分")
            page.get_by_role("link", name="下一题").click()
    expect(page.locator(".feedback-verdict")).to_have_text(re.compile("回答正确"))
    expect(page.locator(".feedback .notice")).to_have_text(
        "答题过快，本题不计积分；今天的练习也不再计完成奖励和每日一练天数。请读完题目再作答。")
    assert_fits_phone(page)
    page.get_by_role("link", name="查看今日结果").click()
    expect(page.locator(".daily-done")).to_contain_text("获得 0 积分")
    expect(page.locator(".daily-done .notice")).to_have_text(
        "有答题过快的记录，本次未获得完成奖励，也不计入每日一练天数。")
    assert_fits_phone(page)
    screenshot(page, "daily-too-fast-phone")
