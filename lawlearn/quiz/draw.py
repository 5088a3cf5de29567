"""Drawing a random quiz's paper: each rule's count of distinct questions, no question twice.

Rules may want the same questions ("单选 2 走查" and "单选 3" both take tagged single-choice
questions): drawn one rule after another, the first could take what only the second can use,
and a bank that can serve both would refuse a taker. The draw is a matching instead (each
rule's places on one side, questions on the other, augmenting paths, candidates in random
order), so it succeeds whenever any paper exists; when none does, it names the rules that
compete and how many questions they have between them (Hall's condition).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import select

from lawlearn.extensions import db
from lawlearn.quiz.models import Question


@dataclass
class Shortfall:
    """Rules (0-based positions) that together need more questions than they can share."""
    rules: list[int]
    need: int
    have: int


def rule_pools(rules: list) -> list[list[int]]:
    """The ids of the active questions each rule (RuleFields or QuizRule) may pick, in id
    order: one query per rule."""
    from lawlearn.quiz.authoring import rule_conditions  # authoring imports this module

    return [list(db.session.scalars(select(Question.id).where(*rule_conditions(rule))
                                    .order_by(Question.id)))
            for rule in rules]


def match(pools: list[list[int]], counts: list[int],
          rng: random.Random) -> list[list[int]] | Shortfall:
    """``counts[i]`` distinct ids from ``pools[i]`` for every rule, no id twice (in random
    order within each rule), or the Shortfall that makes it impossible."""
    places = [rule for rule, count in enumerate(counts) for _ in range(count)]
    shuffled = [rng.sample(pool, len(pool)) for pool in pools]
    holder: dict[int, int] = {}  # question id -> place

    def seat(place: int, seen: set[int]) -> bool:
        for question in shuffled[places[place]]:
            if question in seen:
                continue
            seen.add(question)
            if question not in holder or seat(holder[question], seen):
                holder[question] = place
                return True
        return False

    for place in range(len(places)):
        seen: set[int] = set()
        if not seat(place, seen):
            # Every question reachable is held by a place of a rule reached: those rules
            # need more than the questions they can take between them.
            rules = sorted({places[place]} | {places[holder[q]] for q in seen})
            return Shortfall(rules, sum(counts[rule] for rule in rules), len(seen))
    picked: list[list[int]] = [[] for _ in counts]
    for question, place in holder.items():
        picked[places[place]].append(question)
    return picked
