"""The wrong-answer book: mistakes from quizzes enter it in bank letters, two right answers in a
row take them out, a new mistake brings them back; the book's pages and redoing."""

from __future__ import annotations

import random
import re
import weakref
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.errors import Conflict, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import Law, LawArticle
from lawlearn.quiz import services, wrongbook
from lawlearn.quiz.bank import QuestionFields
from lawlearn.quiz.models import Question, Quiz, WrongAnswer
from lawlearn.quiz.wrongbook import GradedAnswer, record_result, record_results
from tests.conftest import csrf_from
from tests.practice.helpers import singles

T0 = datetime(2026, 3, 2, 1, 0)


def shown_key(item, text: str) -> str:
    return next(o["key"] for o in item.snapshot["options"] if o["text"] == text)


def shuffled_attempt(user, quiz, now):
    """An attempt whose options really were shuffled (some shown letter ≠ bank letter)."""
    for seed in range(50):
        attempt, _ = services.start_attempt(user, quiz, now, random.Random(seed))
        if any(o["key"] != o["source"] for item in attempt.items
               for o in item.snapshot["options"]):
            return attempt
        db.session.rollback()
    raise AssertionError("no seed shuffled the options")


def snapshot_of(question_id: int) -> dict:
    return wrongbook.bank_snapshot(db.session.get(Question, question_id))


def entry_of(user_id: int, question_id: int) -> WrongAnswer | None:
    return db.session.scalar(select(WrongAnswer).where(WrongAnswer.user_id == user_id,
                                                       WrongAnswer.question_id == question_id))


# --- the life cycle -------------------------------------------------------------------------


def test_quiz_mistakes_enter_the_book_in_bank_letters(app, ctx, make_user, make_quiz):
    ref = make_user()
    quiz_id = make_quiz(shuffle_options=True, attempts_allowed=None)
    user, quiz = db.session.get(User, ref.id), db.session.get(Quiz, quiz_id)
    now = utcnow()
    attempt = shuffled_attempt(user, quiz, now)
    by_type = {item.snapshot["type"]: item for item in attempt.items}
    single, multiple = by_type["single"], by_type["multiple"]
    # Wrong: 民法典 (bank A); half wrong: 选举权 + 纳税 (bank A, C); right: 正确; fill: unanswered.
    services.save_answer(attempt, single.question_id, shown_key(single, "民法典"), now)
    services.save_answer(attempt, multiple.question_id,
                         [shown_key(multiple, "选举权"), shown_key(multiple, "纳税")], now)
    services.save_answer(attempt, by_type["true_false"].question_id, True, now)
    services.submit_attempt(attempt, now)
    db.session.commit()
    entries = {e.question_id: e for e in db.session.scalars(select(WrongAnswer))}
    assert set(entries) == {single.question_id, multiple.question_id}
    assert entries[single.question_id].last_response == "A"
    assert entries[multiple.question_id].last_response == ["A", "C"]
    assert all(e.source == "quiz" and e.wrong_count == 1 and e.cleared_at is None
               for e in entries.values())
    # Unanswered (fill) and right (true/false) items are not mistakes.
    assert by_type["fill"].question_id not in entries
    assert by_type["true_false"].question_id not in entries

    # A second attempt: the single choice right, the multiple choice wrong again.
    attempt, _ = services.start_attempt(user, quiz, now, random.Random(3))
    by_type = {item.snapshot["type"]: item for item in attempt.items}
    services.save_answer(attempt, by_type["single"].question_id, by_type["single"].snapshot["answer"],
                         now)
    services.save_answer(attempt, by_type["multiple"].question_id,
                         [shown_key(by_type["multiple"], "宗教信仰自由")], now)
    services.submit_attempt(attempt, now + timedelta(minutes=1))
    db.session.commit()
    single_entry, multiple_entry = (entry_of(ref.id, single.question_id),
                                    entry_of(ref.id, multiple.question_id))
    assert (single_entry.right_streak, single_entry.wrong_count) == (1, 1)
    assert (multiple_entry.wrong_count, multiple_entry.last_response) == (2, ["B"])


def test_right_twice_in_a_row_leaves_the_book_and_a_new_mistake_brings_it_back(
        ctx, make_user, make_questions):
    user = make_user()
    [qid] = make_questions(singles(1))
    snapshot = snapshot_of(qid)
    assert record_result(user.id, qid, snapshot, "B", True, "daily", T0) is None  # not in it
    entry = record_result(user.id, qid, snapshot, "A", False, "daily", T0)
    assert (entry.source, entry.wrong_count, entry.right_streak) == ("daily", 1, 0)
    record_result(user.id, qid, snapshot, "B", True, "challenge", T0 + timedelta(minutes=1))
    record_result(user.id, qid, snapshot, "C", False, "redo", T0 + timedelta(minutes=2))
    # A wrong redo resets the streak but keeps where the mistake came from.
    assert (entry.right_streak, entry.wrong_count, entry.source) == (0, 2, "daily")
    assert entry.last_response == "C"
    record_result(user.id, qid, snapshot, "B", True, "redo", T0 + timedelta(minutes=3))
    assert entry.cleared_at is None and entry.right_streak == 1
    # The same day again: the answer just shown, remembered. One a day counts.
    record_result(user.id, qid, snapshot, "B", True, "quiz", T0 + timedelta(minutes=4))
    assert entry.cleared_at is None and entry.right_streak == 1
    record_result(user.id, qid, snapshot, "B", True, "quiz", T0 + timedelta(days=1))
    assert entry.cleared_at == T0 + timedelta(days=1)
    # Right answers after it left change nothing; a new mistake brings it back.
    record_result(user.id, qid, snapshot, "B", True, "quiz", T0 + timedelta(days=1, minutes=5))
    assert entry.right_streak == 2
    record_result(user.id, qid, snapshot, "A", False, "challenge", T0 + timedelta(days=2))
    assert entry.cleared_at is None and entry.right_streak == 0
    assert (entry.wrong_count, entry.source) == (3, "challenge")
    assert db.session.scalar(select(func.count()).select_from(WrongAnswer)) == 1


def test_record_results_counts_answers_in_order(ctx, make_user, make_questions):
    user = make_user()
    a, b, c = make_questions(singles(3))
    record_result(user.id, a, snapshot_of(a), "A", False, "daily", T0)
    answers = [GradedAnswer(b, snapshot_of(b), "B", True),  # right before any mistake: nothing
               GradedAnswer(b, snapshot_of(b), "C", False),
               GradedAnswer(b, snapshot_of(b), "B", True),
               GradedAnswer(a, snapshot_of(a), "B", True),
               GradedAnswer(c, snapshot_of(c), "B", True)]
    record_results(user.id, answers, "quiz", T0 + timedelta(hours=1))
    entry_a, entry_b = entry_of(user.id, a), entry_of(user.id, b)
    assert (entry_a.right_streak, entry_a.source) == (1, "daily")
    assert (entry_b.wrong_count, entry_b.right_streak, entry_b.last_response) == (1, 1, "C")
    assert entry_of(user.id, c) is None


def test_record_results_takes_the_same_queries_for_many_answers(app, make_user,
                                                                make_questions, count_queries):
    user = make_user()
    ids = make_questions(singles(60))

    def queries(question_ids: list[int], correct: bool) -> int:
        with app.app_context():
            snapshots = {qid: snapshot_of(qid) for qid in question_ids}
            count = count_queries(lambda: record_results(
                user.id, [GradedAnswer(qid, snapshots[qid], "A", correct)
                          for qid in question_ids], "quiz", T0))
            db.session.commit()
            return count

    assert queries(ids[:2], False) == queries(ids[2:40], False)  # new entries
    assert queries(ids[:2], False) == queries(ids[2:40], False)  # wrong again: updates
    assert queries(ids[:2], True) == queries(ids[2:40], True)  # right: streaks


def test_quizzes_that_hide_their_answers_stay_out_of_the_book(ctx, make_user, make_quiz):
    ref = make_user()
    quiz_id = make_quiz(show_answers="never")
    user, quiz = db.session.get(User, ref.id), db.session.get(Quiz, quiz_id)
    now = utcnow()
    attempt, _ = services.start_attempt(user, quiz, now)
    for item in attempt.items:
        if item.snapshot["type"] == "single":
            services.save_answer(attempt, item.question_id,
                                 next(o["key"] for o in item.snapshot["options"]
                                      if o["key"] != item.snapshot["answer"]), now)
    services.submit_attempt(attempt, now)
    assert db.session.scalar(select(func.count()).select_from(WrongAnswer)) == 0


def test_mistakes_of_a_quiz_showing_answers_after_closing_enter_once_it_closes(
        ctx, make_user, make_quiz):
    ref = make_user()
    now = utcnow()
    quiz_id = make_quiz(show_answers="after_close", closes_at=now + timedelta(hours=1))
    user, quiz = db.session.get(User, ref.id), db.session.get(Quiz, quiz_id)
    attempt, _ = services.start_attempt(user, quiz, now)
    wrong = [item for item in attempt.items if item.snapshot["type"] == "single"]
    for item in wrong:
        services.save_answer(attempt, item.question_id,
                             next(o["key"] for o in item.snapshot["options"]
                                  if o["key"] != item.snapshot["answer"]), now)
    services.submit_attempt(attempt, now)
    db.session.commit()
    # Still open: the answers are hidden, so the book must not reveal them yet.
    assert wrongbook.add_mistakes_revealed_since(ref.id, now + timedelta(minutes=5)) == 0
    assert db.session.scalar(select(func.count()).select_from(WrongAnswer)) == 0
    # Closed: the mistakes come in, once.
    after = now + timedelta(hours=2)
    assert wrongbook.add_mistakes_revealed_since(ref.id, after) == len(wrong) > 0
    assert wrongbook.add_mistakes_revealed_since(ref.id, after) == 0
    entry = db.session.scalar(select(WrongAnswer))
    assert (entry.source, entry.wrong_count, entry.last_wrong_at) == ("quiz", 1, now)
    # Redone right twice, it stays out: the old attempt does not bring it back.
    entry.right_streak, entry.cleared_at = 2, after
    db.session.commit()
    assert wrongbook.add_mistakes_revealed_since(ref.id, after + timedelta(days=1)) == 0


def test_the_listener_is_connected_when_the_app_starts(app):
    receivers = [ref() if isinstance(ref, weakref.ref) else ref
                 for ref in services.attempt_graded.receivers.values()]
    assert wrongbook._on_attempt_graded in receivers


def test_a_redo_form_posted_again_counts_once(ctx, make_user, make_questions):
    me = make_user()
    [qid] = make_questions(singles(1))
    entry = record_result(me.id, qid, snapshot_of(qid), "A", False, "quiz", T0)
    shown = wrongbook.entry_version(entry)
    first = wrongbook.redo(me.id, entry.id, "B", T0 + timedelta(minutes=1), version=shown)
    assert first.correct and not first.left_book
    # The same form again (a double tap, a reload): refused, nothing noted.
    with pytest.raises(Conflict) as refused:
        wrongbook.redo(me.id, entry.id, "B", T0 + timedelta(minutes=2), version=shown)
    assert refused.value.code == "already_answered"
    assert (entry.right_streak, entry.cleared_at) == (1, None)
    # Nothing chosen: refused, nothing noted either.
    for nothing in (None, "", []):
        with pytest.raises(ValidationFailed):
            wrongbook.redo(me.id, entry.id, nothing, T0 + timedelta(minutes=3))
    assert entry.right_streak == 1
    # The form as shown now counts.
    same_day = wrongbook.redo(me.id, entry.id, "B", T0 + timedelta(minutes=4),
                              version=wrongbook.entry_version(entry))
    assert same_day.correct and not same_day.counted and not same_day.left_book
    second = wrongbook.redo(me.id, entry.id, "B", T0 + timedelta(days=1),
                            version=wrongbook.entry_version(entry))
    assert second.counted and second.left_book and entry.cleared_at == T0 + timedelta(days=1)


# --- the pages ------------------------------------------------------------------------------


def test_the_book_shows_my_mistakes_with_the_right_answers(app, client, login, make_user,
                                                           make_questions):
    me, other = make_user(), make_user()
    ids = make_questions()  # SAMPLE: single, multiple, true/false, fill
    extra = make_questions(singles(2))
    with app.app_context():
        single = snapshot_of(ids[0])
        record_result(me.id, ids[0], single, "A", False, "quiz", T0)
        record_result(me.id, ids[1], snapshot_of(ids[1]), ["A", "C"], False, "daily",
                      T0 + timedelta(hours=1))
        record_result(me.id, ids[3], snapshot_of(ids[3]), ["民法"], False, "challenge",
                      T0 + timedelta(hours=2))
        record_result(me.id, ids[3], snapshot_of(ids[3]), [["宪法"]], True, "quiz",
                      T0 + timedelta(hours=3))
        for qid in extra:  # one that left the book
            record_result(me.id, qid, snapshot_of(qid), "A", False, "quiz", T0)
        for day in range(2):
            record_result(me.id, extra[0], snapshot_of(extra[0]), "B", True, "redo",
                          T0 + timedelta(days=day))
        record_result(other.id, ids[2], snapshot_of(ids[2]), False, False, "quiz", T0)
        db.session.commit()
    login(me)
    page = client.get("/wrong-answers")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # The book shows the bank's order: its letters may not be those of the quiz or run.
    assert "选项按题库原顺序排列，字母可能与答题时不同" in html
    # Newest first; someone else's mistakes are not mine.
    order = [html.index(stem) for stem in ("国家工作人员就职时", "下列属于公民基本权利的有",
                                           "我国的根本大法是")]
    assert order == sorted(order)
    assert "公民在法律面前一律平等" not in html and "第1题：" not in html
    assert "第2题：" in html
    # My latest answer in letters with their text (bank order), the right answer, why.
    assert re.search(r"上次答错的答案：</span><span class=\"answer-choice\">A\. 民法典</span>", html)
    assert re.search(r"正确答案：</span><strong><span class=\"answer-choice\">B\. 宪法</span>",
                     html)
    assert "A. 选举权</span><span class=\"answer-choice\">C. 纳税" in html
    assert "宪法是国家的根本法。" in html and "再答对 2 次移出错题本" in html
    assert "再答对 1 次移出错题本" in html  # the fill-in answered right once since
    assert html.count(">重做</a>") == 4
    # Counts by source, and the filter.
    assert re.search(r"全部 <span class=\"count\">4</span>", html)
    assert re.search(r"已移出 <span class=\"count\">1</span>", html)
    daily = client.get("/wrong-answers?source=daily").get_data(as_text=True)
    assert "下列属于公民基本权利的有" in daily and "我国的根本大法是" not in daily
    cleared = client.get("/wrong-answers?status=cleared").get_data(as_text=True)
    assert "第1题：" in cleared and "我国的根本大法是" not in cleared and "移出错题本" in cleared
    nothing = client.get("/wrong-answers?source=daily&page=9").get_data(as_text=True)
    assert "重做" not in nothing.replace("重做错题", "")


def test_the_book_takes_the_same_queries_however_many_mistakes(app, client, login, make_user,
                                                               make_questions, count_queries):
    me = make_user()
    ids = make_questions(singles(45))
    login(me)

    def add(question_ids: list[int]) -> None:
        with app.app_context():
            for n, qid in enumerate(question_ids):
                record_result(me.id, qid, snapshot_of(qid), "A", False,
                              ("quiz", "daily", "challenge")[n % 3], T0 + timedelta(minutes=n))
            db.session.commit()

    def queries(url: str) -> int:
        return count_queries(lambda: client.get(url).status_code)

    add(ids[:2])
    few = queries("/wrong-answers"), queries("/wrong-answers?source=quiz")
    with app.app_context():  # the newer mistakes link to articles of two laws
        laws = [Law(title=f"中华人民共和国第{n}法", short_title=f"第{n}法") for n in range(2)]
        for n, qid in enumerate(ids[30:]):
            db.session.get(Question, qid).article = LawArticle(
                law=laws[n % 2], number=n + 1, label=f"第{n + 1}条", paragraphs=["……"], text="……",
                position=n)
        db.session.commit()
    add(ids[2:])
    many = queries("/wrong-answers"), queries("/wrong-answers?source=quiz")
    assert few == many
    html = client.get("/wrong-answers").get_data(as_text=True)
    assert html.count(">重做</a>") == 20
    assert re.search(r'href="/laws/\d+/articles/15">查看法条：《第0法》第15条</a>', html)


def test_redo_until_it_leaves_the_book(app, client, login, make_user, make_questions):
    me = make_user()
    [qid] = make_questions([QuestionFields("single", "我国的根本大法是？", ["民法典", "宪法", "刑法"],
                                           "B", "宪法是国家的根本法。", ["宪法"], "easy")])
    with app.app_context():
        entry_id = record_result(me.id, qid, snapshot_of(qid), "A", False, "quiz", T0).id
        db.session.commit()
    login(me)
    url = f"/wrong-answers/{entry_id}/redo"
    page = client.get(url)
    html = page.get_data(as_text=True)
    # Options in bank order, and no answer given away.
    assert html.index("民法典") < html.index("宪法</span>") < html.index("刑法")
    assert "正确答案" not in html and "宪法是国家的根本法。" not in html
    token = csrf_from(page)
    version = re.search(r'name="version" type="hidden" value="([^"]+)"', html).group(1)
    assert client.post(url, data={"answer": "B"}).status_code == 400  # no CSRF token

    first = client.post(url, data={"csrf_token": token, "version": version, "answer": "B"})
    html = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "回答正确" in html and "再答对 1 次移出错题本" in html and "宪法是国家的根本法。" in html
    # The same form posted again (a reload, a double tap) counts once.
    repeat = client.post(url, data={"csrf_token": token, "version": version, "answer": "B"})
    assert repeat.status_code == 302
    with app.app_context():
        assert db.session.get(WrongAnswer, entry_id).right_streak == 1

    nothing = client.post(url, data={"csrf_token": token})
    assert nothing.status_code == 422 and "请先作答" in nothing.get_data(as_text=True)
    # 再做一次 at once: the answer was just shown. Right, but it counts on another day.
    again = client.post(url, data={"csrf_token": token, "answer": "B"})
    html = again.get_data(as_text=True)
    assert "回答正确" in html and "今天已答对过这道题，每天只计一次：改天再答对 1 次移出错题本。" in html
    with app.app_context():
        entry = db.session.get(WrongAnswer, entry_id)
        assert (entry.right_streak, entry.cleared_at) == (1, None)
        entry.last_right_at -= timedelta(days=1)  # that first right answer was yesterday
        db.session.commit()
    second = client.post(url, data={"csrf_token": token, "answer": "B"})
    html = second.get_data(as_text=True)
    assert "已连续答对 2 次，这道题已移出错题本。" in html
    with app.app_context():
        entry = db.session.get(WrongAnswer, entry_id)
        assert entry.cleared_at is not None and entry.source == "quiz"
    assert "我国的根本大法是" not in client.get("/wrong-answers").get_data(as_text=True)

    # Wrong on redo: back in the book, in bank letters.
    wrong = client.post(url, data={"csrf_token": token, "answer": "C"})
    assert "回答错误" in wrong.get_data(as_text=True)
    with app.app_context():
        entry = db.session.get(WrongAnswer, entry_id)
        assert (entry.cleared_at, entry.last_response, entry.wrong_count) == (None, "C", 2)


def test_someone_elses_entry_is_not_found(app, client, login, make_user, make_questions):
    owner, me = make_user(), make_user()
    [qid] = make_questions(singles(1))
    with app.app_context():
        entry_id = record_result(owner.id, qid, snapshot_of(qid), "A", False, "quiz", T0).id
        db.session.commit()
    login(me)
    url = f"/wrong-answers/{entry_id}/redo"
    assert client.get(url).status_code == 404
    token = csrf_from(client.get("/wrong-answers"))
    assert client.post(url, data={"csrf_token": token, "answer": "B"}).status_code == 404
    with app.app_context():
        assert db.session.get(WrongAnswer, entry_id).right_streak == 0
