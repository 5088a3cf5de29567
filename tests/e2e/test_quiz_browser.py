"""Taking a whole quiz on a phone, losing the network half-way."""

from __future__ import annotations

import re

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import select

from lawlearn.extensions import db
from lawlearn.quiz.models import Attempt
from tests.e2e.conftest import screenshot
from tests.e2e.test_accounts_browser import assert_fits_phone, log_in


def answer_current(page):
    question = page.locator("fieldset.question:visible")
    kind = question.get_attribute("data-type")
    if kind == "single":
        question.get_by_text("宪法", exact=True).click()
    elif kind == "multiple":
        question.get_by_text("选举权").click()
        question.get_by_text("宗教信仰自由").click()
    elif kind == "true_false":
        question.get_by_text("正确", exact=True).click()
    else:
        question.get_by_role("textbox").fill("宪法")
        question.get_by_role("textbox").blur()
    return kind


def start_first_attempt(phone, live_server, username):
    """Sign in on a new page, open the one quiz from 答题 and start try 1, quiz.js loaded."""
    page = phone.new_page()
    log_in(page, live_server, username)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="答题").click()
    page.get_by_role("link", name="开始答题").click()
    page.get_by_role("button", name="开始第 1 次答题").click()
    page.wait_for_load_state("load")
    return page


def test_take_a_quiz_offline_half_way(app, live_server, phone, make_user, make_quiz):
    make_user("mobile", name="移动")
    quiz_id = make_quiz(title="宪法小测", time_limit_minutes=30, shuffle_questions=True)
    page = phone.new_page()
    log_in(page, live_server, "mobile")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="答题").click()
    page.get_by_role("link", name="开始答题").click()
    page.wait_for_load_state()  # app.js in place: it asks before the start (CI tapped first)
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="开始第 1 次答题").click()
    expect(page.locator("#countdown")).to_have_text(re.compile(r"^(29|30):\d\d$"))
    # A timed try, one of one: asked first (a stray tap would use it).
    assert asked == ["确定现在开始吗？这是第 1 次（共 1 次）答题机会，开始后计时 30 分钟，到时自动交卷。"]
    status = page.locator("#save-status")

    answer_current(page)
    expect(status).to_have_text("已保存")
    page.get_by_role("button", name="下一题").click()
    answer_current(page)
    expect(status).to_have_text("已保存")
    assert_fits_phone(page)

    phone.set_offline(True)
    page.get_by_role("button", name="下一题").click()
    answer_current(page)
    expect(status).to_have_text(re.compile("未连接"))
    page.get_by_role("button", name="下一题").click()
    answer_current(page)
    expect(status).to_have_text(re.compile("未连接"))
    screenshot(page, "quiz-offline-phone")
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert sum(1 for item in attempt.items if item.response is not None) == 2

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_have_text("已保存", timeout=15000)
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert all(item.response is not None for item in attempt.items)

    # A reload resumes the same attempt with every answer in place.
    page.reload()
    expect(page.locator(".sheet-cell.answered")).to_have_count(4)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="交卷").click()
    expect(page.locator(".result .score")).to_have_text("8 / 8 分")
    assert_fits_phone(page)
    screenshot(page, "quiz-result-phone")
    page.goto(f"{live_server}/quizzes/{quiz_id}")
    expect(page.get_by_text("答题次数已用完")).to_be_visible()


def test_enter_in_a_blank_saves_and_moves_on_without_handing_in(app, live_server, phone,
                                                                  make_user, make_questions,
                                                                  make_quiz):
    """The phone keyboard's Go key in a fill-in blank used to ask "确定交卷吗？": a taker
    who tapped 确定 by habit handed in a nearly blank attempt."""
    ids = make_questions()
    make_user("typist", name="打字员")
    make_quiz(question_ids=[ids[3], ids[0]], title="填空在前")  # the fill-in question first
    page = phone.new_page()
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server, "typist")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="答题").click()
    page.get_by_role("link", name="开始答题").click()
    page.get_by_role("button", name="开始第 1 次答题").click()
    page.wait_for_load_state("load")  # quiz.js in place (without it: the test below)
    blank = page.locator("fieldset.question:visible").get_by_role("textbox")
    blank.fill("宪法")
    blank.press("Enter")
    expect(page.locator("#save-status")).to_have_text("已保存")
    expect(page.locator("fieldset.question:visible")).to_have_attribute("data-type", "single")
    assert asked == []
    # The answer sheet says which are answered in words, not by the fill alone.
    cells = page.locator(".sheet-cell")
    expect(cells.nth(0)).to_have_attribute("aria-label", "第 1 题，已作答")
    expect(cells.nth(1)).to_have_attribute("aria-label", "第 2 题，未作答")
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt.submitted_at is None
        assert [item.response for item in attempt.items if item.response is not None] \
            == [["宪法"]]


def test_enter_before_the_script_has_loaded_saves_rather_than_hands_in(app, live_server, phone,
                                                                       make_user, make_questions,
                                                                       make_quiz):
    """On a slow phone quiz.js may not have loaded when the taker presses Go in a blank: the
    browser then submits the form with its first submit button, which was 交卷 (CI caught
    the race). The first one now saves."""
    ids = make_questions()
    make_user("quick", name="快手")
    make_quiz(question_ids=[ids[3], ids[0]], title="填空在前")
    page = phone.new_page()
    log_in(page, live_server, "quick")
    page.route("**/static/js/quiz.js*", lambda route: route.abort())  # never arrives
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="答题").click()
    page.get_by_role("link", name="开始答题").click()
    page.get_by_role("button", name="开始第 1 次答题").click()
    blank = page.locator("fieldset.question").first.get_by_role("textbox")
    blank.fill("宪法")
    with page.expect_navigation():
        blank.press("Enter")
    expect(page.get_by_role("button", name="交卷")).to_be_visible()  # still answering
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt.submitted_at is None
        assert [item.response for item in attempt.items if item.response is not None] \
            == [["宪法"]]


def test_a_blank_left_is_said_and_the_quiz_resumes_where_it_was_left(app, live_server, phone,
                                                                       make_user, make_questions,
                                                                       make_quiz):
    """A two-blank question with one filled was ticked 已作答 and left out of the hand-in
    warning; and coming back to a quiz always opened at question 1."""
    from lawlearn.quiz.bank import QuestionFields

    [two_blanks] = make_questions([QuestionFields(
        "fill", "宪法是国家的（　　）法，具有最高法律（　　）。", [], [["根本"], ["效力"]],
        "", ["宪法"], "medium")])
    ids = make_questions()
    make_user("halfway", name="半途")
    make_quiz(question_ids=[two_blanks, ids[0], ids[2]], title="两空题")
    page = start_first_attempt(phone, live_server, "halfway")
    first_blank = page.locator("fieldset.question:visible").get_by_role("textbox").first
    first_blank.fill("根本")
    first_blank.blur()
    expect(page.locator("#save-status")).to_have_text("已保存")
    cells = page.locator(".sheet-cell")
    expect(cells.nth(0)).to_have_attribute("aria-label", "第 1 题，还有空未填")
    expect(cells.nth(0)).to_have_class(re.compile(r"\bpartial\b"))
    page.get_by_role("button", name="下一题").click()
    page.get_by_role("button", name="下一题").click()
    answer_current(page)
    expect(page.locator("#save-status")).to_have_text("已保存")

    page.goto(f"{live_server}/")  # away, and back through 继续答题
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="答题").click()
    page.get_by_role("link", name="继续答题").click()
    page.wait_for_load_state("load")  # quiz.js has shown one question
    expect(page.locator("fieldset.question:visible .question-head")).to_contain_text("第 3 / 3 题")
    expect(cells.nth(0)).to_have_attribute("aria-label", "第 1 题，还有空未填")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="交卷").click()
    expect(page.locator("#save-status")).to_have_text("已保存")
    assert asked and asked[0].startswith("第 2 题还未作答。\n第 1 题还有空未填。\n")
    assert_fits_phone(page)


def test_an_answer_the_server_refuses_is_not_later_shown_as_saved(app, live_server, phone,
                                                                   make_user, make_questions,
                                                                   make_quiz):
    """A refused answer (422) said 有答案未能保存, then the next background save, finding
    nothing left to send, said 已保存 while the server still held the earlier answer."""
    ids = make_questions()
    make_user("refused", name="被拒")
    make_quiz(question_ids=[ids[3], ids[0]], title="超长答案")  # the fill-in question first
    page = start_first_attempt(phone, live_server, "refused")
    status = page.locator("#save-status")
    blank = page.locator("fieldset.question:visible").get_by_role("textbox")
    blank.fill("宪法")
    blank.blur()
    expect(status).to_have_text("已保存")

    blank.evaluate("field => field.removeAttribute('maxlength')")  # past what the page allows
    blank.fill("法" * 1000)
    blank.blur()
    expect(status).to_have_text("有答案未能保存，请检查后重试")
    page.evaluate("window.dispatchEvent(new Event('online'))")  # a background save runs
    page.wait_for_timeout(300)
    expect(status).to_have_text("有答案未能保存，请检查后重试")
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert [item.response for item in attempt.items if item.response is not None] \
            == [["宪法"]]

    blank.fill("宪法和法律")  # changed: sent, and saved
    blank.blur()
    expect(status).to_have_text("已保存")
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_have_text("已保存")


def start_timed_attempt(phone, live_server, username):
    page = phone.new_page()
    log_in(page, live_server, username)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="答题").click()
    page.get_by_role("link", name="开始答题").click()
    page.wait_for_load_state()
    page.once("dialog", lambda dialog: dialog.accept())  # a timed try is asked first
    page.get_by_role("button", name="开始第 1 次答题").click()
    page.wait_for_load_state("load")
    expect(page.locator(".answer-sheet")).to_be_visible()  # quiz.js has run
    return page


def test_time_up_hands_in_the_answer_typed_a_moment_ago_before_the_deadline(
        app, live_server, phone, make_user, make_quiz):
    """The hand-in went at the last second by the page's clock, which lags the server's by
    the page's loading: it arrived after the deadline and its answers were refused. Now the
    countdown ends a few seconds early and the page itself (every answer on it) goes."""
    from datetime import timedelta

    from lawlearn.database import utcnow

    make_user("lastsecond", name="最后一秒")
    make_quiz(title="限时小测", time_limit_minutes=30)
    page = start_timed_attempt(phone, live_server, "lastsecond")
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        # The server's own deadline: time enough to type on a busy machine first
        attempt.deadline = utcnow() + timedelta(seconds=20)
        db.session.commit()
    page.reload()
    expect(page.locator(".answer-sheet")).to_be_visible()
    page.locator('.sheet-cell[data-goto="4"]').click()  # the fill-in question
    page.locator("fieldset.question:visible").get_by_role("textbox").fill("宪法")  # no pause
    expect(page).to_have_url(re.compile(r"/attempts/\d+/review$"), timeout=30000)
    # Handed in by the timer: said so, as the server's own time-out is (it read as a hand-in
    # by choice, and the admin could not tell the papers apart).
    expect(page.locator(".result")).to_contain_text("到时自动交卷")
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt.submitted_at is not None and attempt.submitted_at < attempt.deadline
        assert attempt.auto_submitted
        answered = [item.response for item in attempt.items if item.response is not None]
        assert answered == [["宪法"]]


def test_time_up_offline_waits_for_the_connection_and_says_what_counts(
        app, live_server, phone, make_user, make_quiz):
    """Answers given offline were dropped from the phone when time ran out, and the page
    went to the browser's "no internet" error page. Now it waits and says so; back online
    before the server's deadline (the phone's clock is moved on, the server's deadline is
    still half an hour away), the answers go in with the paper."""
    make_user("timed", name="限时")
    make_quiz(title="限时小测", time_limit_minutes=30)
    phone.clock.install()
    page = start_timed_attempt(phone, live_server, "timed")
    status = page.locator("#save-status")
    answer_current(page)
    expect(status).to_have_text("已保存")
    phone.set_offline(True)
    for _ in range(2):
        page.get_by_role("button", name="下一题").click()
        answer_current(page)
    expect(status).to_have_text(re.compile("未连接"))
    page.clock.fast_forward("30:05")
    time_up = "时间到，网络未连接：恢复网络后自动交卷；截止前没能保存的答案不能计分"
    expect(status).to_have_text(time_up)
    assert "/attempts/" in page.url and page.locator("#attempt-form").count() == 1
    # The background retries (every 5 s) put "未连接…自动保存" back over it; and nothing
    # answered after 0:00 could count, so nothing can be.
    page.clock.fast_forward("00:12")
    expect(status).to_have_text(time_up)
    page.get_by_role("button", name="下一题").click()
    question = page.locator("fieldset.question:visible")
    choices = question.locator("input[type=radio], input[type=checkbox]")
    before = [choices.nth(i).is_checked() for i in range(choices.count())]
    if choices.count():
        question.locator("label").first.click()
        assert [choices.nth(i).is_checked() for i in range(choices.count())] == before
    else:
        assert question.get_by_role("textbox").get_attribute("readonly") is not None
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt.submitted_at is None
        assert sum(1 for item in attempt.items if item.response is not None) == 1

    phone.set_offline(False)
    try:  # Chromium may fire "online" itself, and the page is already handing in
        page.evaluate("window.dispatchEvent(new Event('online'))")
    except PlaywrightError as error:
        assert "context was destroyed" in str(error)
    expect(page).to_have_url(re.compile(r"/attempts/\d+/review$"))
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt.submitted_at is not None
        assert sum(1 for item in attempt.items if item.response is not None) == 3


def test_answers_given_offline_in_two_tabs_of_one_attempt_are_all_sent(
        app, live_server, phone, make_user, make_quiz):
    """Each tab wrote its whole list of unsent answers over the other's on the device: with
    the attempt open in two tabs offline, the answers of the tab the phone closed were lost
    (its list overwritten by the other tab's)."""
    make_user("twotabs", name="两个标签页")
    make_quiz(title="宪法小测")
    first = start_first_attempt(phone, live_server, "twotabs")
    second = phone.new_page()
    second.goto(first.url)
    expect(second.locator(".answer-sheet")).to_be_visible()
    phone.set_offline(True)
    first.locator('.sheet-cell[data-goto="1"]').click()
    answered_first = answer_current(first)
    second.locator('.sheet-cell[data-goto="2"]').click()
    answered_second = answer_current(second)
    expect(second.locator("#save-status")).to_have_text(re.compile("未连接"))
    # The first tab's answer sheet shows the second tab's answer too.
    expect(first.locator(".sheet-cell.answered")).to_have_count(2)
    first.close()  # as a phone does with a tab in the background

    phone.set_offline(False)
    second.evaluate("window.dispatchEvent(new Event('online'))")
    expect(second.locator("#save-status")).to_have_text("已保存", timeout=15000)
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        given = {item.snapshot["type"] for item in attempt.items if item.response is not None}
    assert given == {answered_first, answered_second}


def test_the_leader_finds_an_exam_in_the_quiz_list_on_a_phone(app, live_server, phone,
                                                               make_user, make_quiz):
    """The leader reads 管理 → 测验 on a phone: filtered to the exams, and told that the
    table, wider than the screen, scrolls sideways to its state and results columns."""
    make_user("chief", name="主任", roles=("leader",))
    make_quiz(title="2026年度学法考试", is_exam=True)
    make_quiz(title="民法典周练习")
    page = phone.new_page()
    log_in(page, live_server, "chief")
    page.goto(f"{live_server}/admin/quiz/quizzes")
    page.get_by_label("类型").select_option(label="考试")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("2026年度学法考试")
    expect(page.locator(".scroll-hint")).to_have_text("表格较宽：左右滑动可查看更多列 →")
    assert_fits_phone(page)
    screenshot(page, "quiz-admin-list-leader-phone")
