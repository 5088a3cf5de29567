"""A random quiz's paper is a matching of rules to questions: a bank that can serve every
rule at once always gives a paper, and rules that compete for the same questions are named
when it cannot."""

from __future__ import annotations

import random

import pytest

from lawlearn.accounts.models import User
from lawlearn.database import utcnow
from lawlearn.errors import Conflict
from lawlearn.extensions import db
from lawlearn.quiz import draw, services
from lawlearn.quiz.bank import QuestionFields as F
from lawlearn.quiz.models import Quiz


def test_a_paper_is_found_whenever_one_exists():
    # The broad rule (any of 1–4) drawn first at random would often take 1 or 2, which the
    # narrow rule needs both of: every seed still finds the one kind of paper there is.
    pools, counts = [[1, 2, 3, 4], [1, 2]], [2, 2]
    for seed in range(50):
        picked = draw.match(pools, counts, random.Random(seed))
        assert sorted(picked[1]) == [1, 2] and sorted(picked[0]) == [3, 4]


def test_draws_differ_and_never_repeat_a_question():
    pools, counts = [list(range(1, 21)), list(range(10, 31))], [5, 5]
    papers = set()
    for seed in range(20):
        picked = draw.match(pools, counts, random.Random(seed))
        everything = picked[0] + picked[1]
        assert len(set(everything)) == 10
        assert set(picked[0]) <= set(pools[0]) and set(picked[1]) <= set(pools[1])
        papers.add(frozenset(everything))
    assert len(papers) > 10


def test_competing_rules_are_named_with_what_they_share():
    # Rules 2 and 3 both need the same two questions; rule 1 has its own.
    found = draw.match([[7, 8, 9], [1, 2], [2, 1]], [1, 2, 1], random.Random(0))
    assert found == draw.Shortfall(rules=[1, 2], need=3, have=2)


@pytest.fixture
def taker(make_user):
    return make_user("taker")


@pytest.fixture
def tagged_bank(make_questions):
    make_questions()  # one of each type, tagged 宪法
    return make_questions([F("single", f"走查单选{i}", ["甲", "乙"], "A", "", ["走查"], "easy")
                           for i in range(2)]
                          + [F("single", f"普通单选{i}", ["甲", "乙"], "A", "", [], "easy")
                             for i in range(2)])


def test_a_tagged_rule_and_a_broad_rule_always_start(app, ctx, taker, make_quiz,
                                                     tagged_bank):
    # Five single-choice questions: 2 tagged 走查. "单选 3" then "单选 2 走查" drawn in turn
    # failed whenever the first rule took a tagged question.
    quiz_id = make_quiz(question_ids=[], rules=[("single", 3, None, None),
                                                ("single", 2, "走查", None)],
                        attempts_allowed=None)
    user = db.session.get(User, taker.id)
    quiz = db.session.get(Quiz, quiz_id)
    for seed in range(12):
        attempt, _ = services.start_attempt(user, quiz, utcnow(), random.Random(seed))
        stems = [item.snapshot["stem"] for item in attempt.items]
        assert len(stems) == 5 == len(set(stems))
        assert sum(stem.startswith("走查") for stem in stems) == 2
        services.submit_attempt(attempt, utcnow())


def test_a_quiz_whose_rules_cannot_be_served_together_is_refused(app, ctx, taker, make_quiz,
                                                                 tagged_bank):
    from lawlearn.quiz.authoring import RuleFields as R
    from lawlearn.quiz.authoring import rule_shortfalls

    rules = [R("single", 2, "走查", None), R("true_false", 1, None, None),
             R("single", 2, "走查", None)]
    assert rule_shortfalls(rules) == [
        "第 1、3 条规则要的试题相互重叠：合计需要 4 道，符合其中任一条的只有 2 道。"]
    assert rule_shortfalls(rules[:2]) == []
    # A quiz saved before this check (or a question retired since) is refused at the start
    # in words, not with a paper short of questions.
    quiz = db.session.get(Quiz, make_quiz(question_ids=[], rules=[
        ("single", 1, "走查", None), ("single", 1, "走查", None)]))
    quiz.rules[1].count = 2
    with pytest.raises(Conflict, match="题库中的试题不够同时满足各条抽题规则（需要 3 道，只有 2 道）"):
        services.start_attempt(db.session.get(User, taker.id), quiz, utcnow())


def test_a_large_paper_is_drawn_without_deep_recursion():
    """A place sought its question through every place before it (recursively): 1,200
    questions raised RecursionError, two overlapping rules of 600 too."""
    big = draw.match([list(range(5000))], [1200], random.Random(1))
    assert len(set(big[0])) == 1200
    nested = draw.match([list(range(1200)), list(range(600))], [600, 600], random.Random(3))
    assert sorted(nested[1]) == list(range(600)) and len(set(nested[0] + nested[1])) == 1200
    assert draw.match([list(range(1000)), list(range(500))], [600, 500],
                      random.Random(3)) == draw.Shortfall(rules=[0, 1], need=1100, have=1000)
