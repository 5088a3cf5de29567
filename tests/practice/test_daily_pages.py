"""每日一练 pages: one question per screen, the feedback, the day's summary, the home card,
someone else's set, and a fixed number of queries."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select

from lawlearn.accounts.models import User
from lawlearn.extensions import db
from lawlearn.library.models import Law, LawArticle
from lawlearn.practice.models import DailySet, PointAward, PracticeCard, TimingFlag
from lawlearn.quiz.models import Question
from lawlearn.settings import set_setting
from tests.conftest import csrf_from
from tests.practice.helpers import singles
from tests.quiz.fixtures import SAMPLE


@pytest.fixture
def staff(make_user):
    return make_user("daily01", name="练习者")


@pytest.fixture
def slow_floor(app):
    """No reading floor, so that quick test clients earn points."""
    with app.app_context():
        set_setting("practice.floor_base_ms", 0)
        set_setting("practice.floor_ms_per_char", 0)
        db.session.commit()


def post_answer(client, data):
    token = csrf_from(client.get("/practice/daily"))
    return client.post("/practice/daily/answer", data={**data, "csrf_token": token})


def test_daily_pages_from_question_to_feedback_to_done(app, client, login, staff, make_questions,
                                                       slow_floor):
    make_questions(SAMPLE)
    login(staff)
    page = client.get("/practice/daily").get_data(as_text=True)
    assert "第 1 / 4 题" in page and "已答 0 / 4" in page and "提交答案" in page
    with app.app_context():
        daily_set = db.session.scalar(select(DailySet))
        items = [(item.question_id, item.snapshot) for item in daily_set.items]
        assert daily_set.items[0].shown_at is not None and daily_set.items[1].shown_at is None
    fields = {"single": {"answer": "B"}, "multiple": {"answer": ["A", "B"]},
              "true_false": {"answer": "true"}, "fill": {"answer-0": "宪法"}}
    for position, (question_id, snapshot) in enumerate(items):
        # Nothing chosen: asked again, nothing stored.
        if position == 0:
            empty = post_answer(client, {"question_id": question_id})
            assert empty.status_code == 302 and empty.location.endswith("/practice/daily")
            assert "请先作答" in client.get("/practice/daily").get_data(as_text=True)
        response = post_answer(client, {"question_id": question_id, **fields[snapshot["type"]]})
        assert response.status_code == 302
        assert response.location.endswith(f"/practice/daily/feedback/{question_id}")
        feedback = client.get(response.location).get_data(as_text=True)
        assert "回答正确" in feedback and snapshot["explanation"] in feedback
        assert "下次复习" in feedback
        if position < 3:
            assert "下一题" in feedback and "+1 积分" in feedback
        else:
            assert "查看今日结果" in feedback and "+6 积分" in feedback
    done = client.get("/practice/daily").get_data(as_text=True)
    assert "今日已完成" in done and "答对 4 / 4 题" in done and "获得 9 积分" in done
    assert "答题过快" not in done
    home = client.get("/").get_data(as_text=True)
    assert "今日已完成" in home


def test_wrong_answer_feedback_links_the_article(app, client, login, staff, slow_floor):
    with app.app_context():
        law = Law(title="中华人民共和国宪法", short_title="宪法")
        article = LawArticle(law=law, number=33, label="第三十三条", paragraphs=["……"],
                             text="……", position=1)
        db.session.add(Question(type="single", stem="谁在法律面前一律平等？", options=["公民", "外国人"],
                                answer="A", explanation="宪法第三十三条。", article=article,
                                fingerprint="x"))
        db.session.commit()
        law_id = law.id
    login(staff)
    client.get("/practice/daily")
    with app.app_context():
        question_id = db.session.scalar(select(Question.id))
    response = post_answer(client, {"question_id": question_id, "answer": "B"})
    feedback = client.get(response.location).get_data(as_text=True)
    assert "回答错误" in feedback and "正确答案：" in feedback
    assert f'href="/laws/{law_id}/articles/33"' in feedback and "《宪法》第三十三条" in feedback
    # The only question: the wrong answer earns nothing itself but completes the day.
    assert "+5 积分" in feedback and "今日已完成" in feedback


def test_too_fast_answers_say_what_they_cost_when_given(app, client, login, staff,
                                                       make_questions):
    """With a high reading floor a test client answers faster than anyone reads. Any hurried
    answer, right or wrong, costs the day's completion bonus and streak day: each says so
    at once (a wrong one said nothing, and the day was lost without a word until its
    result); a right one also says why it earned nothing."""
    make_questions(singles(2))
    with app.app_context():
        # The highest floor the admin may set: a loaded machine answers slower than the
        # default's 800 ms, and then one answer was not too fast after all.
        set_setting("practice.floor_base_ms", 10_000)
        db.session.commit()
    login(staff)
    client.get("/practice/daily")
    with app.app_context():
        first, second = (item.question_id for item in db.session.scalar(select(DailySet)).items)
    wrong = client.get(post_answer(client, {"question_id": first, "answer": "A"}).location)
    wrong_text = wrong.get_data(as_text=True)
    assert "回答错误" in wrong_text and "本题不计积分" not in wrong_text
    assert "答题过快：今天的练习不再计完成奖励和每日一练天数" in wrong_text
    right = client.get(post_answer(client, {"question_id": second, "answer": "B"}).location)
    right_text = right.get_data(as_text=True)
    assert "回答正确" in right_text and "答题过快，本题不计积分" in right_text
    done = client.get("/practice/daily").get_data(as_text=True)
    assert "今日已完成" in done and "获得 0 积分" in done
    assert "有答题过快的记录，本次未获得完成奖励" in done
    with app.app_context():
        # Both answers are still flagged for the admin's report.
        assert db.session.scalars(select(TimingFlag.question_id)
                                  .order_by(TimingFlag.id)).all() == [first, second]
        assert db.session.scalar(select(func.count()).select_from(PointAward)) == 0


def test_posting_a_question_not_in_my_set(app, client, login, staff, make_user, make_questions):
    ids = make_questions(singles(7))
    login(staff)
    client.get("/practice/daily")
    with app.app_context():
        mine = {item.question_id for item in db.session.scalar(select(DailySet)).items}
    outside = next(q for q in ids if q not in mine)
    response = post_answer(client, {"question_id": outside, "answer": "B"})
    assert response.status_code == 302
    assert "这道题不在今天的练习中" in client.get("/practice/daily").get_data(as_text=True)
    # Feedback pages of questions not answered (or not mine) lead back to the set.
    assert client.get(f"/practice/daily/feedback/{outside}").status_code == 302
    # Without the CSRF token nothing is stored.
    refused = client.post("/practice/daily/answer", data={"question_id": min(mine),
                                                          "answer": "B"})
    assert refused.status_code in (302, 400)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PracticeCard)) == 0


def test_another_persons_answers_stay_theirs(app, client, login, staff, make_user,
                                             make_questions):
    make_questions(singles(5))
    login(make_user("first"))
    client.get("/practice/daily")
    with app.app_context():
        theirs = db.session.scalar(select(DailySet))
        question_id = theirs.items[0].question_id
    post_answer(client, {"question_id": question_id, "answer": "B"})
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/me"))})
    login(staff)
    assert client.get(f"/practice/daily/feedback/{question_id}").status_code == 302
    page = client.get("/practice/daily").get_data(as_text=True)
    assert "已答 0 / 5" in page


def test_the_daily_page_uses_a_fixed_number_of_queries(app, client, login, make_user,
                                                       make_questions, make_quiz, count_queries):
    make_questions(singles(30))
    exam_ids = make_questions(singles(5, tag="考试", start=200))
    make_quiz(exam_ids, is_exam=True, opens_at=datetime.now() + timedelta(days=20),
              closes_at=datetime.now() + timedelta(days=21))
    counts = []
    for username, size in (("small", 3), ("large", 12)):
        with app.app_context():
            set_setting("practice.daily_size", size)
            db.session.commit()
        login(make_user(username))
        client.get("/practice/daily")  # chooses the set
        with app.app_context():
            daily_set = db.session.scalar(select(DailySet).join(User).where(
                User.username == username))
            question_id = daily_set.items[0].question_id
            assert len(daily_set.items) == size
        post_answer(client, {"question_id": question_id, "answer": "B"})
        counts.append((count_queries(lambda: client.get("/practice/daily")),
                       count_queries(lambda q=question_id:
                                     client.get(f"/practice/daily/feedback/{q}")),
                       count_queries(lambda: client.get("/"))))
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/me"))})
    assert counts[0] == counts[1]


def test_home_card_shows_todays_progress(app, client, login, staff, make_questions, count_queries):
    make_questions(singles(6))
    login(staff)
    home = client.get("/").get_data(as_text=True)
    assert "开始今日练习" in home and 'href="/practice/daily"' in home
    before = count_queries(lambda: client.get("/"))
    client.get("/practice/daily")
    with app.app_context():
        question_id = db.session.scalar(select(DailySet)).items[0].question_id
    post_answer(client, {"question_id": question_id, "answer": "B"})
    home = client.get("/").get_data(as_text=True)
    assert "已答 1/5" in home and "继续练习" in home
    assert count_queries(lambda: client.get("/")) == before


def test_the_quiz_tab_opens_with_the_practice_tiles(app, client, login, staff):
    login(staff)
    page = client.get("/quizzes").get_data(as_text=True)
    tiles = re.findall(r'class="hub-tile" href="([^"]+)"><strong>([^<]+)</strong>', page)
    with app.test_request_context():
        expected = [(url_for("practice.daily"), "每日一练"),
                    (url_for("practice.challenge"), "挑战答题"),
                    (url_for("quiz.wrong_answers"), "错题本"), (url_for("practice.points"), "积分")]
    assert tiles == expected


def test_nothing_to_practise_page(client, login, staff):
    login(staff)
    page = client.get("/practice/daily").get_data(as_text=True)
    assert "今天没有需要练习的题目" in page


def test_daily_pages_need_login(client):
    assert client.get("/practice/daily").status_code == 302
    assert client.post("/practice/daily/answer").status_code in (302, 400)


def test_a_right_answer_past_the_days_cap_says_why_it_earned_nothing(app, client, login, staff,
                                                                     make_questions, slow_floor):
    """After the day's cap on right answers the feedback said "回答正确" and nothing more:
    the 积分 page alone told why."""
    from lawlearn.practice import points

    make_questions(singles(3))
    with app.app_context():
        points.set_rule("daily_answer", 1, 1, True)  # one point a right answer, one a day
        db.session.commit()
    login(staff)
    client.get("/practice/daily")
    with app.app_context():
        ids = [item.question_id for item in db.session.scalar(select(DailySet)).items]
        answers = {q.id: q.answer for q in db.session.scalars(select(Question))}
    first = client.get(post_answer(client, {"question_id": ids[0],
                                            "answer": answers[ids[0]]}).location)
    assert "+1 积分" in first.get_data(as_text=True)
    assert "已达上限" not in first.get_data(as_text=True)
    second = client.get(post_answer(client, {"question_id": ids[1],
                                             "answer": answers[ids[1]]}).location)
    text = second.get_data(as_text=True)
    assert "回答正确" in text and "今天练习答对的积分已达上限，本题不再加分。" in text
