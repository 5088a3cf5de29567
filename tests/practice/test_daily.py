"""Daily practice services: today's set, answering, timing, points, races and exam-date
mode (the pages are in test_daily_pages.py)."""

from __future__ import annotations

import random
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import User
from lawlearn.errors import Conflict, ValidationFailed
from lawlearn.extensions import db
from lawlearn.practice import daily
from lawlearn.practice.models import DailySet, PointAward, PracticeCard, TimingFlag
from lawlearn.practice.timing import reading_floor_ms
from lawlearn.quiz.bank import QuestionFields
from lawlearn.quiz.models import Question, WrongAnswer
from lawlearn.settings import set_setting
from tests.practice.helpers import race, right_answer, singles, wrong_answer
from tests.quiz.fixtures import SAMPLE

NOW = datetime(2026, 3, 2, 1, 0)  # naive UTC: 09:00 on 2 March in Shanghai
READ = timedelta(seconds=60)  # slow enough to read any test question


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
    other = make_user("someone")  # first: it writes on a connection of its own
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
    with pytest.raises(Conflict):
        daily.answer(other.id, inside, "B", NOW)
    assert daily.todays_set(other.id, NOW) is None


def test_empty_answers_change_nothing(ctx, staff, make_questions):
    make_questions(SAMPLE)
    user = user_obj(staff)
    daily_set = daily.get_or_create_set(user, NOW)
    by_type = {item.snapshot["type"]: item for item in daily_set.items}
    for kind, nothing in (("multiple", []), ("fill", [""]), ("fill", ["  "])):
        with pytest.raises(ValidationFailed) as refused:
            daily.answer(user.id, by_type[kind].question_id, nothing, NOW + READ)
        assert refused.value.code == "invalid_answer"
    assert all(item.answered_at is None for item in daily_set.items)
    assert db.session.scalar(select(func.count()).select_from(PracticeCard)) == 0
    assert db.session.scalar(select(func.count()).select_from(WrongAnswer)) == 0


def test_the_last_two_answers_racing_still_complete_the_set(app, staff, make_questions,
                                                           monkeypatch):
    """Two tabs (or a client sending in parallel) answer the last two questions at once:
    each request must see the other's answer, so that the set completes (once)."""
    make_questions(singles(2))
    with app.app_context():
        daily_set = daily.get_or_create_set(user_obj(staff), NOW, random.Random(1))
        daily.mark_shown(daily_set, NOW)
        db.session.commit()
        question_ids = [item.question_id for item in daily_set.items]
    # Hold each request right after it stored its answer until the other one has stored its
    # own too (or a second has passed: the other one waits on a lock).
    both_stored = threading.Barrier(2)
    check_timing = daily.check_timing

    def held(*args, **kwargs):
        try:
            both_stored.wait(timeout=1)
        except threading.BrokenBarrierError:
            pass
        return check_timing(*args, **kwargs)

    monkeypatch.setattr(daily, "check_timing", held)
    results = race(app, 2, lambda index: daily.answer(
        staff.id, question_ids[index], "A", NOW + READ).completed)  # both wrong: no award
    assert sorted(results) == [False, True]
    with app.app_context():
        daily_set = daily.todays_set(staff.id, NOW)
        assert daily_set.completed_at == NOW + READ
        assert all(item.answered_at == NOW + READ for item in daily_set.items)


def test_a_double_submit_is_answered_and_paid_once(app, staff, make_questions):
    make_questions(singles(3))
    with app.app_context():
        daily_set = daily.get_or_create_set(user_obj(staff), NOW, random.Random(1))
        daily.mark_shown(daily_set, NOW)
        db.session.commit()
        question_id = daily_set.items[0].question_id
    results = race(app, 4, lambda _i: daily.answer(staff.id, question_id, "B", NOW + READ)
                   .points_awarded)
    assert sorted(results) == [0, 0, 0, 1]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PointAward)) == 1
        card = daily.card_for(staff.id, question_id)
        assert card.reviews == 1


# --- local days ------------------------------------------------------------------------------


def test_a_set_belongs_to_the_local_day_at_both_ends(ctx, staff, make_questions):
    make_questions(singles(12))
    # 23:30 on Sunday 1 March in Beijing (15:30 UTC): Sunday's set, Sunday's points.
    late = datetime(2026, 3, 1, 15, 30)
    sunday, _results = practise_day(user_obj(staff), late)
    assert sunday.day.isoformat() == "2026-03-01"
    # 00:30 on Monday in Beijing is still Sunday in UTC (16:30): a new set for Monday.
    early = datetime(2026, 3, 1, 16, 30)
    assert daily.todays_set(staff.id, early) is None
    monday, _results = practise_day(user_obj(staff), early)
    assert monday.id != sunday.id and monday.day.isoformat() == "2026-03-02"
    bonus_days = db.session.scalars(select(PointAward.day).where(
        PointAward.rule == "daily_practice").order_by(PointAward.id)).all()
    assert [day.isoformat() for day in bonus_days] == ["2026-03-01", "2026-03-02"]
    # Sunday's question cannot be answered on Monday: it is not in Monday's set.
    with pytest.raises(Conflict):
        daily.answer(staff.id, sunday.items[0].question_id, "B", early + READ)


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
    # Nor is it a day of practice (the plans' 坚持每日一练, the reports' 每日一练天数).
    db.session.expire(daily_set)
    assert daily_set.hurried and daily.bonus_withheld(daily_set)


def test_the_default_floor_catches_scripts_not_quick_readers(ctx, make_user, make_questions):
    """800 ms + 8 ms a character: a person who answered an 88-character true/false question
    in 3.3 s was flagged under the old floor (1500 ms + 25 ms a character = 3.7 s)."""
    stem = ("行政机关实施行政处罚，应当以事实为依据，与违法行为的事实、性质、情节以及社会危害程度"
            "相当；对违法行为给予行政处罚的规定必须公布，未经公布的，不得作为行政处罚的依据。"
            "这说法对吗？")
    assert len(stem) == 88
    assert reading_floor_ms({"stem": stem, "options": []}) == 800 + 8 * 88
    make_questions([QuestionFields("true_false", stem, [], True, "行政处罚法第五条。", ["行政"],
                                   "easy")])
    reader, script = user_obj(make_user("reader")), user_obj(make_user("script"))
    for person, seconds in ((reader, 3.3), (script, 1.2)):
        daily_set = daily.get_or_create_set(person, NOW)
        item = daily_set.items[0]
        daily.mark_shown(daily_set, NOW, item)
        daily.answer(person.id, item.question_id, "true", NOW + timedelta(seconds=seconds))
    assert db.session.scalars(select(TimingFlag.user_id)).all() == [script.id]
    assert {award.user_id for award in db.session.scalars(select(PointAward))} == {reader.id}
    # The floor stays the admin's to set.
    set_setting("practice.floor_base_ms", 3000)
    assert reading_floor_ms({"stem": stem, "options": []}) == 3000 + 8 * 88


def test_elapsed_time_counts_from_the_previous_answer(ctx, staff, make_questions):
    make_questions(singles(3))
    user = user_obj(staff)
    daily_set = daily.get_or_create_set(user, NOW)
    daily.mark_shown(daily_set, NOW)  # the API serves every question at once
    first, second, third = daily_set.items
    daily.answer(user.id, first.question_id, "B", NOW + READ)
    daily.answer(user.id, second.question_id, "B", NOW + READ + timedelta(milliseconds=500))
    assert not first.too_fast and second.too_fast and second.elapsed_ms == 500
    daily.answer(user.id, third.question_id, "B", NOW + 3 * READ)
    assert third.elapsed_ms == 2 * READ.seconds * 1000 - 500


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
