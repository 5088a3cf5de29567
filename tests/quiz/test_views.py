"""The staff quiz pages, without scripts (every form still submits)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.i18n import display_datetime
from lawlearn.quiz.models import Attempt
from tests.conftest import csrf_from, post_with_csrf


def test_take_a_quiz_without_scripts(app, client, login, make_user, make_quiz):
    login(make_user("nojs"))
    quiz_id = make_quiz(title="宪法知识测验")
    listing = client.get("/quizzes").get_data(as_text=True)
    assert "宪法知识测验" in listing and "剩余 1 次" in listing
    page = client.get(f"/quizzes/{quiz_id}")
    started = client.post(f"/quizzes/{quiz_id}/start", data={"csrf_token": csrf_from(page)})
    take_url = started.headers["Location"]
    html = client.get(take_url).get_data(as_text=True)
    assert "第 1 / 4 题" in html and 'role="timer"' in html  # closes in a week
    attempt_id = int(take_url.rsplit("/", 1)[1])
    # Left part-way: every way back says by when it must be handed in (the clock runs on).
    with app.app_context():
        with app.test_request_context():
            when = display_datetime(db.session.get(Attempt, attempt_id).deadline)
    for url in ("/quizzes", f"/quizzes/{quiz_id}"):
        assert f"本次答题须在 {when} 前交卷，到时自动交卷。" in client.get(url).get_data(
            as_text=True), url
    # On the home page 继续答题 is a link to the attempt, not grey words under the title.
    assert f'<a class="small" href="{take_url}">继续答题（{when} 前交卷）</a>' in \
        client.get("/").get_data(as_text=True)
    fields = dict(re.findall(r'data-question-id="(\d+)" data-type="(\w+)"', html))
    answers = {"csrf_token": csrf_from(client.get(take_url))}
    for qid, kind in fields.items():
        if kind == "single":
            answers[f"q-{qid}"] = "B"
        elif kind == "multiple":
            answers[f"q-{qid}"] = ["A", "B"]
        elif kind == "true_false":
            answers[f"q-{qid}"] = "true"
        else:
            answers[f"q-{qid}-0"] = "宪法"
    saved = client.post(f"/attempts/{attempt_id}/save", data=answers, follow_redirects=True)
    assert "答案已保存" in saved.get_data(as_text=True)
    again = client.get(take_url).get_data(as_text=True)
    assert 'value="宪法"' in again  # a reload shows what was saved
    done = client.post(f"/attempts/{attempt_id}/save", data={**answers, "submit": "1"},
                       follow_redirects=True).get_data(as_text=True)
    assert "8</strong> / 8" in done and "正确答案" in done and "宪法是国家的根本法" in done
    # The summary names each option chosen by its letter and its text, as the book does.
    assert re.search(r'我的答案：</span><span class="answer-choice">B\. [^<]+</span>', done)


def test_review_hidden_until_the_quiz_closes(app, client, login, make_user, make_quiz):
    login(make_user("waiting"))
    quiz_id = make_quiz(show_answers="after_close")
    page = client.get(f"/quizzes/{quiz_id}")
    take = client.post(f"/quizzes/{quiz_id}/start", data={"csrf_token": csrf_from(page)})
    attempt_id = int(take.headers["Location"].rsplit("/", 1)[1])
    review = post_with_csrf(client, take.headers["Location"], f"/attempts/{attempt_id}/submit",
                            follow_redirects=True).get_data(as_text=True)
    assert "本测验结束后公布答案" in review and "正确答案" not in review


def test_someone_elses_attempt_pages_are_404(app, client, login, make_user, make_quiz):
    quiz_id = make_quiz()
    first = app.test_client()
    token = csrf_from(first.get("/login"))
    make_user("owner")
    first.post("/login", data={"username": "owner", "password": "correct-horse-9",
                               "csrf_token": token})
    page = first.get(f"/quizzes/{quiz_id}")
    take = first.post(f"/quizzes/{quiz_id}/start", data={"csrf_token": csrf_from(page)})
    attempt_id = int(take.headers["Location"].rsplit("/", 1)[1])
    login(make_user("snoop"))
    for url in (f"/attempts/{attempt_id}", f"/attempts/{attempt_id}/review"):
        assert client.get(url).status_code == 404
    assert post_with_csrf(client, "/me", f"/attempts/{attempt_id}/submit").status_code == 404


def test_home_lists_a_practice_quiz_until_it_is_passed(app, client, login, make_user, make_quiz):
    """待完成的测验 on the home page: a practice quiz (no limit on attempts) stays on the
    quiz list once passed, but is no longer owed."""
    from lawlearn.extensions import db
    from lawlearn.quiz.models import Attempt

    login(make_user("practiser"))
    quiz_id = make_quiz(title="民法典练习", attempts_allowed=None)

    def take(passed: bool) -> None:
        page = client.get(f"/quizzes/{quiz_id}")
        started = client.post(f"/quizzes/{quiz_id}/start", data={"csrf_token": csrf_from(page)})
        attempt_id = int(started.headers["Location"].rsplit("/", 1)[1])
        post_with_csrf(client, started.headers["Location"], f"/attempts/{attempt_id}/submit")
        with app.app_context():  # the grade itself is the grader's business, tested elsewhere
            db.session.get(Attempt, attempt_id).passed = passed
            db.session.commit()

    assert "民法典练习" in client.get("/").get_data(as_text=True)
    take(passed=False)
    assert "民法典练习" in client.get("/").get_data(as_text=True)  # failed: still owed
    take(passed=True)
    assert "民法典练习" not in client.get("/").get_data(as_text=True)
    listing = client.get("/quizzes").get_data(as_text=True)
    assert "民法典练习" in listing  # still open for more practice


def hand_in_with(client, quiz_id: int, answers: dict[str, str]) -> list[str]:
    """Start ``quiz_id``, hand in ``answers`` ({question type: answer}) from the page
    without scripts, and return each question's verdict on the review."""
    page = client.get(f"/quizzes/{quiz_id}")
    take_url = client.post(f"/quizzes/{quiz_id}/start",
                           data={"csrf_token": csrf_from(page)}).headers["Location"]
    html = client.get(take_url).get_data(as_text=True)
    attempt_id = int(take_url.rsplit("/", 1)[1])
    fields = {}
    for kind, answer in answers.items():
        question_id = re.search(rf'data-question-id="(\d+)" data-type="{kind}"', html)
        fields[f"q-{question_id.group(1)}"] = answer
    done = client.post(f"/attempts/{attempt_id}/save", data={
        "csrf_token": csrf_from(client.get(take_url)), **fields, "submit": "1"},
        follow_redirects=True).get_data(as_text=True)
    return re.findall(r'<h2 class="question-head">[^<]*· ([^<·]+)</h2>', done)


def test_the_review_says_unanswered_not_wrong(app, client, login, make_user, make_quiz):
    login(make_user("blank"))
    heads = hand_in_with(client, make_quiz(), {"single": "A"})
    assert sorted(heads) == ["回答错误", "未作答", "未作答", "未作答"]  # "A" is wrong


def test_the_review_says_partly_right_where_partial_credit_scored(app, client, login,
                                                                   make_user, make_quiz):
    """"得分 2 / 3 · 回答错误" for a multiple choice with one right option of two."""
    login(make_user("partly"))
    heads = hand_in_with(client, make_quiz(partial_credit=True), {"multiple": "A",
                                                                 "single": "A"})
    assert sorted(heads) == ["回答错误", "未作答", "未作答", "部分正确"]  # A of A and B: half


def test_the_review_keeps_right_and_wrong_until_the_quiz_shows_answers(app, client, login,
                                                                       make_user, make_quiz):
    """An exam showing answers after it closes showed 回答正确 / 回答错误 per question (and
    green and red edges) at once: a true/false's answer, given away to colleagues still
    sitting it. Until then the review has the total and one's own answers only."""
    login(make_user("early"))
    quiz_id = make_quiz(show_answers="after_close")
    heads = hand_in_with(client, quiz_id, {"single": "A", "true_false": "true"})
    assert len(heads) == 4 and all(head.endswith(" 分") for head in heads)  # points only
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        attempt_id, total = attempt.id, attempt.score
    html = client.get(f"/attempts/{attempt_id}/review").get_data(as_text=True)
    assert "本测验结束后公布答案" in html and f"<strong>{total:g}</strong>" in html
    for verdict in ("回答正确", "回答错误", "部分正确", "review-item right", "review-item wrong",
                    "正确答案："):
        assert verdict not in html
    assert html.count("我的答案：") == 4
    with app.app_context():
        db.session.get(Attempt, attempt_id).quiz.closes_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    closed = client.get(f"/attempts/{attempt_id}/review").get_data(as_text=True)
    heads = re.findall(r'<h2 class="question-head">[^<]*· ([^<·]+)</h2>', closed)
    assert len(heads) == 4 and "未作答" in heads and "正确答案：" in closed


def test_a_retakes_result_says_what_counts(app, client, login, make_user, make_quiz):
    """A second try scoring lower showed "0 / 8 分 未及格" alone: under 取最高分 the first
    try's score is still the grade, and the page now says so."""
    login(make_user("twice"))
    quiz_id = make_quiz(attempts_allowed=2)  # graded by the highest score, the default

    def attempt_once() -> tuple[int, str]:
        page = client.get(f"/quizzes/{quiz_id}")
        take = client.post(f"/quizzes/{quiz_id}/start", data={"csrf_token": csrf_from(page)})
        attempt_id = int(take.headers["Location"].rsplit("/", 1)[1])
        return attempt_id, post_with_csrf(client, take.headers["Location"],
                                          f"/attempts/{attempt_id}/submit",
                                          follow_redirects=True).get_data(as_text=True)

    first_id, first = attempt_once()
    assert "计入成绩" not in first  # one try: its score is the grade, nothing to add
    with app.app_context():
        db.session.get(Attempt, first_id).score = 6  # as if the first try went well
        db.session.commit()
    _second_id, second = attempt_once()
    assert "0</strong> / 8" in second
    assert "计入成绩：6 分（取最高分）" in second
    assert "计入成绩：6 分（取最高分）" in client.get(f"/attempts/{first_id}/review") \
        .get_data(as_text=True)


def test_closed_quizzes_one_handed_in_stay_reachable(app, client, login, make_user, make_quiz):
    """Once a quiz closed it left 答题, and with it the way to one's results and to the
    answers an exam publishes at its close (only a typed address reached them)."""
    login(make_user("after"))
    closed_id = make_quiz(title="宪法日考试", show_answers="after_close")
    hand_in_with(client, closed_id, {"single": "A"})
    never_handed_in = make_quiz(title="没交卷的测验")
    long_ago = make_quiz(title="前年的测验")
    hand_in_with(client, long_ago, {"single": "A"})
    still_open = make_quiz(title="还开着的测验")
    hand_in_with(client, still_open, {"single": "A"})
    with app.app_context():
        from lawlearn.quiz.models import Quiz

        for quiz_id, ago in ((closed_id, timedelta(hours=1)), (never_handed_in, timedelta(days=1)),
                             (long_ago, timedelta(days=800))):
            db.session.get(Quiz, quiz_id).closes_at = utcnow() - ago
        db.session.commit()
    listing = client.get("/quizzes").get_data(as_text=True)
    assert "宪法日考试" not in listing and 'href="/quizzes/closed"' in listing
    closed = client.get("/quizzes/closed").get_data(as_text=True)
    assert f'href="/quizzes/{closed_id}"' in closed and "宪法日考试" in closed
    assert "已于" in closed and "成绩 0/" in closed
    for absent in ("没交卷的测验", "前年的测验", "还开着的测验"):
        assert absent not in closed
    page = client.get(f"/quizzes/{closed_id}").get_data(as_text=True)
    review = re.search(r'href="(/attempts/\d+/review)"', page).group(1)
    assert "正确答案：" in client.get(review).get_data(as_text=True)  # out at the close
    # 我的学法档案 names the quiz with a link to it.
    record = client.get("/reports/me").get_data(as_text=True)
    assert f'href="/quizzes/{closed_id}">宪法日考试</a>' in record


def test_no_closed_quiz_says_so(client, login, make_user):
    login(make_user("new"))
    assert "近一年内没有已结束的" in client.get("/quizzes/closed").get_data(as_text=True)


def test_starting_late_says_the_minutes_left_not_the_whole_limit(app, client, login, make_user,
                                                                 make_quiz):
    """Six minutes before the close, the page and its question promised 开始后计时 20 分钟;
    the timer then showed 6."""
    login(make_user("late"))
    quiz_id = make_quiz(time_limit_minutes=20, attempts_allowed=1,
                        closes_at=utcnow() + timedelta(minutes=6, seconds=30))
    html = client.get(f"/quizzes/{quiz_id}").get_data(as_text=True)
    assert "现在开始只有约 6 分钟（限时 20 分钟）" in html
    assert "开始后计时 6 分钟" in html and "开始后计时 20 分钟" not in html
    last_seconds = make_quiz(title="最后几十秒", time_limit_minutes=20, attempts_allowed=1,
                             closes_at=utcnow() + timedelta(seconds=40))
    html = client.get(f"/quizzes/{last_seconds}").get_data(as_text=True)
    assert "现在开始不足 1 分钟" in html and "测验不足 1 分钟后结束" in html
    assert "约 0 分钟" not in html and "计时 0 分钟" not in html
    roomy = make_quiz(title="宽裕", time_limit_minutes=20, attempts_allowed=1)
    html = client.get(f"/quizzes/{roomy}").get_data(as_text=True)
    assert "开始后计时 20 分钟" in html and "现在开始只有" not in html


def test_a_time_up_flag_counts_only_at_the_deadline(app, client, login, make_user, make_quiz):
    """The page's own time-up hand-in is 到时自动交卷; the flag sent long before the deadline
    is a hand-in by choice still."""
    login(make_user("flagged"))
    quiz_id = make_quiz(time_limit_minutes=30, attempts_allowed=None)
    for seconds_left, auto in ((20, True), (600, False)):
        page = client.get(f"/quizzes/{quiz_id}")
        take = client.post(f"/quizzes/{quiz_id}/start", data={"csrf_token": csrf_from(page)})
        attempt_id = int(take.headers["Location"].rsplit("/", 1)[1])
        with app.app_context():
            db.session.get(Attempt, attempt_id).deadline = utcnow() + timedelta(
                seconds=seconds_left)
            db.session.commit()
        client.post(f"/attempts/{attempt_id}/save", data={
            "csrf_token": csrf_from(client.get(take.headers["Location"])), "submit": "1",
            "time_up": "1"})
        with app.app_context():
            attempt = db.session.get(Attempt, attempt_id)
            assert attempt.submitted_at is not None and attempt.auto_submitted is auto


def test_the_closed_list_is_ones_own_hand_ins_whoever_the_quiz_is_for_now(
        app, client, login, make_user, make_quiz, make_department):
    """Another's paper lists nothing for me; a paper left open is no hand-in; and a quiz
    for my old department stays mine to read after I moved (the audience is not asked)."""
    from lawlearn.accounts.models import User
    from lawlearn.quiz import services
    from lawlearn.quiz.models import Quiz, QuizAudience

    old_unit, new_unit = make_department("旧部门"), make_department("新部门")
    mover = make_user("mover", department_id=old_unit)
    other = make_user("other", department_id=old_unit)
    theirs = make_quiz(title="别人交的测验", audience_all=False, department_ids=[old_unit])
    left_open = make_quiz(title="没交完的测验")
    for_old_unit = make_quiz(title="旧部门的考试", audience_all=False, department_ids=[old_unit])
    now = utcnow()
    with app.app_context():
        services.submit_attempt(services.start_attempt(
            db.session.get(User, other.id), db.session.get(Quiz, theirs), now)[0], now)
        services.start_attempt(db.session.get(User, mover.id), db.session.get(Quiz, left_open),
                               now)
        db.session.commit()
    login(mover)
    hand_in_with(client, for_old_unit, {"single": "A"})
    with app.app_context():
        assert db.session.scalar(db.select(QuizAudience.department_id).filter_by(
            quiz_id=for_old_unit)) == old_unit
        db.session.get(User, mover.id).department_id = new_unit
        for quiz_id in (theirs, left_open, for_old_unit):
            db.session.get(Quiz, quiz_id).closes_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    closed = client.get("/quizzes/closed").get_data(as_text=True)
    assert "旧部门的考试" in closed
    assert "别人交的测验" not in closed and "没交完的测验" not in closed
    assert client.get(f"/quizzes/{for_old_unit}").status_code == 200
    assert client.get(f"/quizzes/{theirs}").status_code == 404  # not for me, not mine
