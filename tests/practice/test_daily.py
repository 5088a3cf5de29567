"""Daily practice: today's set, answering, timing, points, exam-date mode, and the pages."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta

import pytest
from flask import url_for
from sqlalchemy import event, func, select

from lawlearn.accounts.models import User
from lawlearn.errors import Conflict, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import Law, LawArticle
from lawlearn.practice import daily
from lawlearn.practice.models import DailySet, PointAward, PracticeCard, TimingFlag
from lawlearn.quiz.bank import QuestionFields
from lawlearn.quiz.models import Question, WrongAnswer
from lawlearn.settings import set_setting
from tests.conftest import csrf_from
from tests.quiz.fixtures import SAMPLE

NOW = datetime(2026, 3, 2, 1, 0)  # naive UTC: 09:00 on 2 March in Shanghai
READ = timedelta(seconds=60)  # slow enough to read any test question


def singles(count: int, tag: str = "宪法", start: int = 1) -> list[QuestionFields]:
    return [QuestionFields("single", f"第{n}题：下列哪项正确？", ["甲说法", "乙说法", "丙说法"], "B",
                           f"第{n}题的解析。", [tag], "easy") for n in range(start, start + count)]


def right_answer(snapshot):
    kind, answer = snapshot["type"], snapshot["answer"]
    if kind == "fill":
        return [alternatives[0] for alternatives in answer]
    return answer


def wrong_answer(snapshot):
    kind, answer = snapshot["type"], snapshot["answer"]
    if kind == "single":
        return next(o["key"] for o in snapshot["options"] if o["key"] != answer)
    if kind == "multiple":
        return [next(o["key"] for o in snapshot["options"] if o["key"] not in answer)]
    if kind == "true_false":
        return not answer
    return ["不对"] * len(answer)


def user_obj(ref) -> User:
    return db.session.get(User, ref.id)


def practise_day(user, now, wrong=frozenset(), rng_seed=1):
    """Get the day's set and answer every question slowly; ``wrong``: question ids to miss."""
    daily_set = daily.get_or_create_set(user, now, random.Random(rng_seed))
    if daily_set is None:
        return None, []
    moment = now
    results = []
    for item in list(daily_set.items):
        if item.answered_at is not None:
            continue
        daily.mark_shown(daily_set, moment, item)
        moment += READ
        raw = wrong_answer(item.snapshot) if item.question_id in wrong else \
            right_answer(item.snapshot)
        results.append(daily.answer(user.id, item.question_id, raw, moment))
    db.session.commit()
    return daily_set, results


@pytest.fixture
def staff(make_user):
    return make_user("daily01", name="练习者")


# --- the day's set ---------------------------------------------------------------------------


def test_the_set_is_chosen_once_a_day_and_kept(ctx, staff, make_questions):
    make_questions(singles(8))
    user = user_obj(staff)
    first = daily.get_or_create_set(user, NOW)
    db.session.commit()
    assert len(first.items) == 5
    assert [item.reason for item in first.items] == ["new"] * 5
    assert all("answer" in item.snapshot for item in first.items)  # frozen for grading
    picked = [item.question_id for item in first.items]
    # Later the same local day (23:00 in Shanghai), also through another session: same set.
    db.session.expunge_all()
    again = daily.get_or_create_set(user_obj(staff), NOW + timedelta(hours=14))
    assert again.id == first.id and [item.question_id for item in again.items] == picked
    assert db.session.scalar(select(func.count()).select_from(DailySet)) == 1
    # After local midnight it is a new day and a new set.
    tomorrow = daily.get_or_create_set(user_obj(staff), NOW + timedelta(hours=16))
    assert tomorrow.id != first.id and tomorrow.day == first.day + timedelta(days=1)


def test_a_set_can_be_finished_later_the_same_day(ctx, staff, make_questions):
    make_questions(singles(6))
    user = user_obj(staff)
    daily_set = daily.get_or_create_set(user, NOW)
    for item in daily_set.items[:2]:
        daily.mark_shown(daily_set, NOW, item)
        daily.answer(user.id, item.question_id, "B", NOW + READ)
    db.session.commit()
    db.session.expunge_all()
    resumed = daily.get_or_create_set(user_obj(staff), NOW + timedelta(hours=6))
    assert daily.next_item(resumed).position == 2
    assert daily.progress(staff.id, NOW + timedelta(hours=6)) == daily.DayProgress(2, 5, False)
    later = NOW + timedelta(hours=7)
    for item in resumed.items[2:]:
        daily.mark_shown(resumed, later, item)
        later += READ
        feedback = daily.answer(staff.id, item.question_id, "B", later)
    assert feedback.completed and resumed.completed_at == later
    assert daily.progress(staff.id, later) == daily.DayProgress(5, 5, True)


def test_daily_size_is_a_setting(ctx, staff, make_questions):
    make_questions(singles(8))
    set_setting("practice.daily_size", 3)
    assert len(daily.get_or_create_set(user_obj(staff), NOW).items) == 3


def test_only_active_questions_are_asked(ctx, staff, make_questions):
    ids = make_questions(singles(4))
    db.session.get(Question, ids[0]).status = "retired"
    db.session.commit()
    daily_set = daily.get_or_create_set(user_obj(staff), NOW)
    assert sorted(item.question_id for item in daily_set.items) == ids[1:]


def test_nothing_to_practise_keeps_no_set(ctx, staff):
    assert daily.get_or_create_set(user_obj(staff), NOW) is None
    assert db.session.scalar(select(func.count()).select_from(DailySet)) == 0
    assert daily.set_payload(None, NOW) == {"date": "2026-03-02", "questions": [],
                                            "answered": [], "completed": False, "exam": None}


# --- answering -------------------------------------------------------------------------------


def test_feedback_points_and_the_completion_bonus(ctx, staff, make_questions):
    make_questions(SAMPLE)
    user = user_obj(staff)
    daily_set, results = practise_day(user, NOW)
    assert len(results) == 4 and all(result.correct for result in results)
    # 1 point per right answer, and 5 for completing the set on the last one.
    assert [result.points_awarded for result in results] == [1, 1, 1, 6]
    assert [result.completed for result in results] == [False, False, False, True]
    payload = results[0].payload()
    assert payload["explanation"] and payload["correct"] is True
    assert payload["next_due"].endswith("Z") and payload["points_awarded"] == 1
    awards = db.session.execute(select(PointAward.rule, PointAward.source, PointAward.amount)
                                .order_by(PointAward.id)).all()
    assert awards[-1] == ("daily_practice", "daily:2026-03-02", 5)
    assert awards[0][1] == f"daily:{daily_set.id}:{daily_set.items[0].question_id}"
    assert daily_set.completed_at is not None
    # Every card was reviewed once and is spaced out beyond tomorrow.
    cards = db.session.scalars(select(PracticeCard)).all()
    assert len(cards) == 4 and all(card.reviews == 1 and card.lapses == 0 for card in cards)
    assert all(card.due >= NOW + timedelta(days=2) for card in cards)
    assert all(card.state["due"].startswith(card.due.isoformat()) for card in cards)


def test_a_wrong_answer_enters_the_book_and_comes_back_tomorrow(ctx, staff, make_questions):
    ids = make_questions(singles(10))
    user = user_obj(staff)
    first_set = daily.get_or_create_set(user, NOW, random.Random(4))
    missed = first_set.items[2].question_id
    _set, results = practise_day(user, NOW, wrong={missed})
    wrong = next(result for result in results if result.item.question_id == missed)
    assert wrong.correct is False and wrong.points_awarded == 0
    assert wrong.payload()["answer"] == "B"
    entry = db.session.scalar(select(WrongAnswer).where(WrongAnswer.user_id == staff.id))
    assert entry.question_id == missed and entry.source == "daily"
    card = daily.card_for(staff.id, missed)
    assert card.lapses == 1 and card.due == wrong.item.answered_at + timedelta(days=1)
    # No completion bonus is lost for a wrong answer: only a too-fast one blocks it.
    assert results[-1].points_awarded == 1 + 5
    # Tomorrow: the missed question first (a review), then new ones; the right ones wait.
    tomorrow = daily.get_or_create_set(user_obj(staff), NOW + timedelta(days=1))
    assert tomorrow.items[0].question_id == missed and tomorrow.items[0].reason == "review"
    others = {item.question_id for item in tomorrow.items[1:]}
    assert len(others) == 4 and others < set(ids) - {item.question_id for item in first_set.items}
    assert {item.reason for item in tomorrow.items[1:]} == {"new"}


def test_answering_twice_pays_once_and_keeps_the_first_answer(ctx, staff, make_questions):
    make_questions(singles(3))
    user = user_obj(staff)
    daily_set = daily.get_or_create_set(user, NOW)
    item = daily_set.items[0]
    question_id = item.question_id
    daily.mark_shown(daily_set, NOW, item)
    first = daily.answer(user.id, question_id, "A", NOW + READ)
    second = daily.answer(user.id, question_id, "B", NOW + 2 * READ)
    db.session.commit()
    assert (first.correct, first.repeated) == (False, False)
    # The repeat is graded for the feedback, but nothing else happens.
    assert (second.correct, second.repeated, second.points_awarded) == (True, True, 0)
    assert second.next_due == first.next_due
    db.session.expunge_all()
    stored = daily.todays_set(staff.id, NOW).items[0]
    assert stored.response == "A" and stored.correct is False
    card = daily.card_for(staff.id, question_id)
    assert card.reviews == 1 and card.lapses == 1
    assert db.session.scalar(select(func.count()).select_from(PointAward)) == 0
    assert db.session.scalar(select(WrongAnswer.wrong_count)) == 1


def test_errors(ctx, staff, make_user, make_questions):
    ids = make_questions(singles(7))
    user = user_obj(staff)
    with pytest.raises(Conflict) as no_set:
        daily.answer(user.id, ids[0], "B", NOW)
    assert no_set.value.code == "not_in_todays_set"
    daily_set = daily.get_or_create_set(user, NOW)
    outside = next(q for q in ids if q not in {item.question_id for item in daily_set.items})
    with pytest.raises(Conflict):
        daily.answer(user.id, outside, "B", NOW)
    inside = daily_set.items[0].question_id
    with pytest.raises(ValidationFailed) as malformed:
        daily.answer(user.id, inside, "Z", NOW)
    assert malformed.value.code == "invalid_answer"
    with pytest.raises(ValidationFailed):
        daily.answer(user.id, inside, None, NOW)
    # Someone else cannot answer my question, nor see my set.
    other = make_user("someone")
    with pytest.raises(Conflict):
        daily.answer(other.id, inside, "B", NOW)
    assert daily.todays_set(other.id, NOW) is None


# --- timing ----------------------------------------------------------------------------------


def test_a_too_fast_answer_earns_nothing_and_is_flagged(ctx, staff, make_questions):
    make_questions(singles(2))
    user = user_obj(staff)
    daily_set = daily.get_or_create_set(user, NOW)
    first, second = daily_set.items
    daily.mark_shown(daily_set, NOW, first)
    hurried = daily.answer(user.id, first.question_id, "B", NOW + timedelta(milliseconds=800))
    assert hurried.correct and hurried.points_awarded == 0
    assert first.too_fast and first.elapsed_ms == 800
    flag = db.session.scalar(select(TimingFlag))
    assert (flag.user_id, flag.question_id, flag.context, flag.elapsed_ms) == \
        (staff.id, first.question_id, "daily", 800)
    assert flag.floor_ms > 800
    # Completing the set pays the right answer but not the completion bonus.
    daily.mark_shown(daily_set, NOW + timedelta(seconds=5), second)
    last = daily.answer(user.id, second.question_id, "B", NOW + timedelta(seconds=65))
    assert last.completed and last.points_awarded == 1 and not second.too_fast
    assert second.elapsed_ms == 60_000
    assert daily_set.completed_at is not None
    assert db.session.scalars(select(PointAward.rule)).all() == ["daily_answer"]


def test_elapsed_time_counts_from_the_previous_answer(ctx, staff, make_questions):
    make_questions(singles(3))
    user = user_obj(staff)
    daily_set = daily.get_or_create_set(user, NOW)
    daily.mark_shown(daily_set, NOW)  # the API serves every question at once
    first, second, third = daily_set.items
    daily.answer(user.id, first.question_id, "B", NOW + READ)
    daily.answer(user.id, second.question_id, "B", NOW + READ + timedelta(seconds=1))
    assert not first.too_fast and second.too_fast and second.elapsed_ms == 1000
    daily.answer(user.id, third.question_id, "B", NOW + 3 * READ)
    assert third.elapsed_ms == 2 * READ.seconds * 1000 - 1000


# --- exam-date mode --------------------------------------------------------------------------


def test_exam_mode_covers_the_exam_pool_before_the_exam(ctx, staff, make_questions, make_quiz):
    pool = make_questions(singles(36, tag="宪法"))
    others = make_questions(singles(10, tag="民法典", start=100))
    exam_at = NOW + timedelta(days=5, hours=2)  # 7 March, 11:00 in Shanghai
    quiz_id = make_quiz(pool, title="年度学法考试", is_exam=True, opens_at=exam_at,
                        closes_at=exam_at + timedelta(hours=2))
    user = user_obj(staff)
    sizes = []
    for day in range(5):
        now = NOW + timedelta(days=day)
        daily_set, results = practise_day(user, now, wrong=set(pool[::7]), rng_seed=day)
        assert daily_set.exam_quiz_id == quiz_id
        countdown = daily.exam_countdown(daily_set, now)
        assert countdown.days_left == 5 - day and countdown.title == "年度学法考试"
        sizes.append(len(daily_set.items))
        assert all(item.reason == "exam" for item in daily_set.items
                   if item.question_id in pool)
    practised = set(db.session.scalars(select(PracticeCard.question_id)))
    assert set(pool) <= practised
    assert sizes[0] == 8 and max(sizes) <= 20  # ceil(36 / 5 days)
    assert not practised & set(others) or len(practised) > len(pool)
    # The exam day: still counting down until it opens, then no exam any more.
    exam_day = daily.get_or_create_set(user_obj(staff), NOW + timedelta(days=5))
    assert daily.exam_countdown(exam_day, NOW + timedelta(days=5)).days_left == 0
    assert daily.exam_countdown(exam_day, exam_at + timedelta(minutes=1)) is None


def test_exam_pool_of_a_random_draw_follows_its_rules(ctx, staff, make_questions, make_quiz):
    tagged = make_questions(singles(6, tag="宪法"))
    make_questions(singles(4, tag="民法典", start=50))
    make_questions(SAMPLE)
    quiz_id = make_quiz([], is_exam=True, opens_at=NOW + timedelta(days=3),
                        closes_at=NOW + timedelta(days=4), rules=[("single", 5, "宪法", "easy")])
    user = user_obj(staff)
    exam = daily.upcoming_exam(user, NOW)
    assert exam.id == quiz_id
    # The rule's tag, type and difficulty: the SAMPLE single is "宪法" + easy as well.
    sample_single = db.session.scalar(select(Question.id).where(Question.stem == SAMPLE[0].stem))
    assert daily.exam_pool(exam) == set(tagged) | {sample_single}


def test_an_exam_for_another_department_does_not_count(ctx, make_user, make_department,
                                                       make_questions, make_quiz):
    mine, theirs = make_department("办公室"), make_department("司法所")
    staff = make_user("d1", department_id=mine)
    ids = make_questions(singles(3))
    make_quiz(ids, is_exam=True, opens_at=NOW + timedelta(days=3),
              closes_at=NOW + timedelta(days=4), audience_all=False, department_ids=[theirs])
    user = user_obj(staff)
    assert daily.upcoming_exam(user, NOW) is None
    assert daily.get_or_create_set(user, NOW).exam_quiz_id is None


# --- pages -----------------------------------------------------------------------------------


def count_queries(app, run) -> int:
    statements = []

    def record(*_args):
        statements.append(1)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            run()
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    return len(statements)


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
              "true_false": {"answer": "true"}, "fill": {"blank": "宪法"}}
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
                                                       make_questions, make_quiz):
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
        counts.append((count_queries(app, lambda: client.get("/practice/daily")),
                       count_queries(app, lambda q=question_id:
                                     client.get(f"/practice/daily/feedback/{q}")),
                       count_queries(app, lambda: client.get("/"))))
        client.post("/logout", data={"csrf_token": csrf_from(client.get("/me"))})
    assert counts[0] == counts[1]


def test_home_card_shows_todays_progress(app, client, login, staff, make_questions):
    make_questions(singles(6))
    login(staff)
    home = client.get("/").get_data(as_text=True)
    assert "开始今日练习" in home and 'href="/practice/daily"' in home
    before = count_queries(app, lambda: client.get("/"))
    client.get("/practice/daily")
    with app.app_context():
        question_id = db.session.scalar(select(DailySet)).items[0].question_id
    post_answer(client, {"question_id": question_id, "answer": "B"})
    home = client.get("/").get_data(as_text=True)
    assert "已答 1/5" in home and "继续练习" in home
    assert count_queries(app, lambda: client.get("/")) == before


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
