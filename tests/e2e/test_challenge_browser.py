"""A challenge run on a phone: right, then wrong, the end screen; the mistake in 错题本, redone.
And a countdown that reaches zero ends the run by itself."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from lawlearn.extensions import db
from lawlearn.quiz.bank import QuestionFields
from lawlearn.settings import set_setting
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_browser import assert_fits_phone, log_in

QUESTIONS = [
    QuestionFields("single", "我国的根本大法是？", ["民法典", "宪法", "刑法"], "B",
                   "宪法是国家的根本法，具有最高的法律效力。", ["宪法"], "easy"),
    QuestionFields("single", "公民在法律面前一律平等，这一原则规定在哪部法律中？",
                   ["宪法", "劳动法", "合同法"], "A", "宪法第三十三条第二款。", ["宪法"], "easy"),
]
RIGHT = {"我国的根本大法是？": "宪法", "公民在法律面前一律平等": "宪法"}
WRONG = {"我国的根本大法是？": "刑法", "公民在法律面前一律平等": "劳动法"}


def pick(page, choices: dict[str, str]) -> str:
    # Let the page finish loading first: leaving it mid-load drops its stylesheet requests.
    page.wait_for_load_state()
    stem = page.locator(".challenge-form .stem").inner_text()
    key = next(k for k in choices if stem.startswith(k))
    page.locator("label.option", has_text=re.compile(f"^\\s*[A-C]\\s*{choices[key]}\\s*$")).click()
    return stem


def test_a_challenge_run_and_its_mistake_on_a_phone(live_server, phone, make_user,
                                                    make_questions, make_department):
    make_user("mobile", name="移动", department_id=make_department("法制科"))
    make_questions(QUESTIONS)
    page = phone.new_page()
    log_in(page, live_server, "mobile")
    page.goto(f"{live_server}/practice/challenge")
    expect(page.get_by_role("heading", name="挑战答题")).to_be_visible()
    expect(page.get_by_text("还没有挑战记录")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "challenge-start-phone")
    page.get_by_role("button", name="开始挑战").click()

    countdown = page.locator("#challenge-countdown")
    expect(countdown).to_have_text(re.compile(r"^剩余 (2\d|30) 秒$"))
    box = page.locator("label.option").first.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 280  # large tappable choices
    assert_fits_phone(page)
    screenshot(page, "challenge-question-phone")
    # Reloading keeps the same question.
    first = page.locator(".challenge-form .stem").inner_text()
    page.reload()
    expect(page.locator(".challenge-form .stem")).to_have_text(first)
    pick(page, RIGHT)
    page.get_by_role("button", name="提交答案").click()
    expect(page.get_by_text("回答正确")).to_be_visible()
    expect(page.locator(".challenge-step")).to_have_text("第 2 题 · 已答对 1 题")
    missed = pick(page, WRONG)
    page.get_by_role("button", name="提交答案").click()

    expect(page.get_by_role("heading", name="挑战结束：答对 1 题")).to_be_visible()
    expect(page.get_by_text("结束原因：答错了")).to_be_visible()
    expect(page.locator(".review-item .stem")).to_have_text(missed)
    expect(page.locator(".review-item .explanation")).to_be_visible()
    expect(page.get_by_role("button", name="再来一次")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "challenge-end-phone")

    page.wait_for_load_state()
    page.get_by_role("link", name="去错题本").click()
    expect(page.get_by_role("heading", name="错题本")).to_be_visible()
    entry = page.locator("article.wrong-entry")
    expect(entry).to_have_count(1)
    expect(entry.locator(".stem")).to_have_text(missed)
    expect(entry.get_by_text("再答对 2 次移出错题本")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "wrong-answers-phone")
    page.wait_for_load_state()
    entry.get_by_role("link", name="重做").click()
    expect(page.get_by_role("heading", name="重做错题")).to_be_visible()
    expect(page.get_by_text("正确答案")).to_have_count(0)
    page.wait_for_load_state()
    page.locator("label.option", has_text=re.compile(
        f"^\\s*[A-C]\\s*{next(v for k, v in RIGHT.items() if missed.startswith(k))}\\s*$")).click()
    page.get_by_role("button", name="提交答案").click()
    expect(page.get_by_role("heading", name=re.compile("回答正确"))).to_be_visible()
    expect(page.get_by_text("再答对 1 次移出错题本")).to_be_visible()
    assert_fits_phone(page)
    screenshot(page, "wrong-redo-phone")

    # Back on the challenge page: my best and my department's best.
    page.goto(f"{live_server}/practice/challenge")
    expect(page.locator(".best-score").first).to_have_text("1 题")
    expect(page.locator(".best-who")).to_have_text("移动")


def test_the_countdown_ends_the_run_at_zero(app, live_server, phone, make_user, make_questions):
    make_user("mobile", name="移动")
    make_questions(QUESTIONS)
    with app.app_context():
        set_setting("practice.challenge_seconds", 2)
        db.session.commit()
    page = phone.new_page()
    log_in(page, live_server, "mobile")
    page.goto(f"{live_server}/practice/challenge")
    page.get_by_role("button", name="开始挑战").click()
    expect(page.locator("#challenge-countdown")).to_have_text(re.compile(r"^剩余 [0-2] 秒$"))
    # Nothing is tapped: at zero the page sends itself and the server ends the run.
    expect(page.get_by_role("heading", name="挑战结束：答对 0 题")).to_be_visible(timeout=8000)
    expect(page.get_by_text("结束原因：超时未作答")).to_be_visible()
    expect(page.get_by_text("我的答案：未作答")).to_be_visible()
