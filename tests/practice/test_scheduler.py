"""The daily practice scheduler as pure logic, with a clock the tests control."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from lawlearn.practice import scheduler
from lawlearn.practice.scheduler import DueCard, ExamPlan, choose_daily, exam_quota, review

NOW = datetime(2026, 3, 2, 1, 0)  # naive UTC, 09:00 in Shanghai


def ids(picks):
    return [pick.question_id for pick in picks]


def test_a_wrong_answer_comes_back_tomorrow_and_a_right_one_is_spaced_out():
    wrong = review(None, 1, False, NOW)
    right = review(None, 2, True, NOW)
    assert wrong.lapsed and not right.lapsed
    assert wrong.due == NOW + timedelta(days=1)
    assert right.due >= NOW + timedelta(days=2)
    # Right again when due: the interval grows.
    again = review(right.state, 2, True, right.due)
    assert again.due - right.due > right.due - NOW
    # A lapse of a well-known card still brings it back the next day, not later.
    lapse = review(again.state, 2, False, again.due)
    assert lapse.due == again.due + timedelta(days=1)
    # The state is what fsrs.Card.to_dict() gives: JSON-safe, due in aware UTC.
    assert lapse.state["due"].endswith("+00:00") and lapse.state["card_id"] == 2


def test_intervals_are_whole_days_and_repeatable():
    first = review(None, 7, True, NOW)
    second = review(None, 7, True, NOW)
    assert first == second
    assert (first.due - NOW) % timedelta(days=1) == timedelta(0)


def test_due_reviews_come_before_new_ones_in_due_order():
    due = [DueCard(10, NOW - timedelta(hours=1)), DueCard(11, NOW - timedelta(days=3)),
           DueCard(12, NOW - timedelta(days=1))]
    picks = choose_daily(due=due, unseen=[20, 21, 22, 23], wrong=set(), size=5,
                         rng=random.Random(1))
    assert ids(picks)[:3] == [11, 12, 10]
    assert [pick.reason for pick in picks] == ["review"] * 3 + ["new"] * 2
    assert set(ids(picks)[3:]) <= {20, 21, 22, 23}


def test_size_limits_the_set_and_reviews_win_over_new():
    due = [DueCard(q, NOW - timedelta(days=q)) for q in range(1, 8)]
    picks = choose_daily(due=due, unseen=[50, 51], wrong=set(), size=5, rng=random.Random(1))
    assert ids(picks) == [7, 6, 5, 4, 3]
    assert all(pick.reason == "review" for pick in picks)


def test_wrong_and_lapsed_questions_are_weighted_first():
    due = [DueCard(1, NOW - timedelta(days=5)),
           DueCard(2, NOW - timedelta(days=1), lapses=2),
           DueCard(3, NOW - timedelta(hours=2)),
           DueCard(4, NOW - timedelta(days=2), lapses=1)]
    picks = choose_daily(due=due, unseen=[], wrong={3}, size=4, rng=random.Random(1))
    # In the wrong-answer book first, then lapsed before (in due order), then the rest.
    assert ids(picks) == [3, 4, 2, 1]


def test_new_questions_got_wrong_elsewhere_come_first_then_random():
    unseen = list(range(100, 140))
    orders = {tuple(ids(choose_daily(due=[], unseen=unseen, wrong={133, 105}, size=5,
                                     rng=random.Random(seed)))) for seed in range(5)}
    assert all(set(order[:2]) == {105, 133} for order in orders)
    assert len(orders) > 1  # the rest is a random draw


def test_nothing_to_practise_gives_an_empty_set():
    assert choose_daily(due=[], unseen=[], wrong=set(), size=5, rng=random.Random(1)) == []


def test_exam_quota():
    assert exam_quota(5, 0, 10) == 5
    assert exam_quota(5, 60, 10) == 6
    assert exam_quota(5, 61, 10) == 7
    assert exam_quota(5, 500, 3) == scheduler.EXAM_DAILY_CAP
    assert exam_quota(5, 7, 0) == 7  # the exam is tomorrow: everything left today


def test_exam_mode_puts_the_pool_first_and_keeps_room_for_unseen():
    pool = frozenset(range(1, 31))
    due = [DueCard(q, NOW - timedelta(days=1)) for q in (1, 2, 3, 4, 5, 6, 7, 8)]
    due.append(DueCard(99, NOW - timedelta(days=9)))  # not in the pool
    unseen = list(range(9, 31)) + [200, 201]
    picks = choose_daily(due=due, unseen=unseen, wrong=set(), size=5, rng=random.Random(2),
                         exam=ExamPlan(pool, days_left=2))
    # 22 unseen in the pool, 2 days left: quota 11, of which 11 must be unseen.
    assert len(picks) == 11
    assert all(pick.reason == "exam" and pick.question_id in pool for pick in picks)
    assert all(q >= 9 for q in ids(picks))
    # With more days, reviews of the pool come first, then its unseen questions.
    picks = choose_daily(due=due, unseen=unseen, wrong=set(), size=5, rng=random.Random(2),
                         exam=ExamPlan(pool, days_left=11))
    assert ids(picks)[:3] == [1, 2, 3] and len(picks) == 5
    assert 9 <= ids(picks)[3] <= 30 and 9 <= ids(picks)[4] <= 30


def test_exam_mode_fills_up_with_ordinary_practice_once_the_pool_is_done():
    picks = choose_daily(due=[DueCard(99, NOW)], unseen=[200, 201, 202], wrong=set(), size=3,
                         rng=random.Random(1), exam=ExamPlan(frozenset({1, 2}), days_left=4))
    assert picks[0] == scheduler.Pick(99, "review")
    assert [pick.reason for pick in picks] == ["review", "new", "new"]


def test_exam_mode_still_brings_back_what_was_got_wrong():
    """A week before the exam the whole day went to unseen exam questions: the four got
    wrong the day before ("答错的题明天会再出现") never came back."""
    pool = frozenset(range(1, 61))
    due = [DueCard(q, NOW - timedelta(hours=2), lapses=1) for q in (90, 91, 92, 93)]
    due.append(DueCard(94, NOW - timedelta(hours=2)))  # due, not got wrong: may wait
    picks = choose_daily(due=due, unseen=list(range(1, 61)), wrong={90, 91, 92, 93}, size=5,
                         rng=random.Random(4), exam=ExamPlan(pool, days_left=6))
    assert ids(picks)[:4] == [90, 91, 92, 93]
    assert [pick.reason for pick in picks[:4]] == ["review"] * 4
    assert len(picks) == 4 + 10 and all(q in pool for q in ids(picks)[4:])  # quota 10
    # Never more than the cap, and never without the day's unseen share of the pool
    # (60 unseen, 6 days: 10): the wrong ones give way to it.
    many = {q: DueCard(q, NOW - timedelta(hours=2)) for q in range(100, 125)}
    picks = choose_daily(due=list(many.values()), unseen=list(range(1, 61)), wrong=set(many),
                         size=5, rng=random.Random(4), exam=ExamPlan(pool, days_left=6))
    assert len(picks) == scheduler.EXAM_DAILY_CAP
    assert sum(1 for q in ids(picks) if q in pool) == 10
    assert sum(1 for q in ids(picks) if q in many) == 10


def simulate(pool_size, other, days, size, wrong_every=4, seed=3):
    """Practise every day until the exam, answering every question: return the days on which
    each pool question was first practised, and the largest set asked."""
    cards: dict[int, datetime] = {}
    state: dict[int, dict] = {}
    first_seen: dict[int, int] = {}
    pool = frozenset(range(1, pool_size + 1))
    bank = list(range(1, pool_size + other + 1))
    rng = random.Random(seed)
    largest = 0
    answered = 0
    for day in range(days):
        now = NOW + timedelta(days=day)
        day_end = now + timedelta(hours=15)
        due = [DueCard(q, when) for q, when in cards.items() if when < day_end]
        unseen = [q for q in bank if q not in cards]
        picks = choose_daily(due=due, unseen=unseen, wrong=set(), size=size, rng=rng,
                             exam=ExamPlan(pool, days_left=days - day))
        largest = max(largest, len(picks))
        for pick in picks:
            answered += 1
            correct = answered % wrong_every != 0
            result = review(state.get(pick.question_id), pick.question_id, correct, now)
            state[pick.question_id], cards[pick.question_id] = result.state, result.due
            first_seen.setdefault(pick.question_id, day)
    return {q: first_seen.get(q) for q in pool}, largest


def test_exam_mode_covers_the_whole_pool_before_the_exam_day_by_day():
    seen, largest = simulate(pool_size=120, other=40, days=10, size=5)
    assert all(day is not None for day in seen.values())
    assert largest <= scheduler.EXAM_DAILY_CAP
    # Spread over the days, not crammed into the last one.
    per_day = [sum(1 for day in seen.values() if day == d) for d in range(10)]
    assert max(per_day) <= 20 and per_day[0] >= 12


def test_exam_mode_does_what_it_can_when_the_pool_is_too_big():
    seen, largest = simulate(pool_size=100, other=0, days=3, size=5)
    assert largest == scheduler.EXAM_DAILY_CAP
    assert sum(1 for day in seen.values() if day is not None) == 60
