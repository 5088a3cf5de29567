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
from collections import deque
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
    order within each rule), or the Shortfall that makes it impossible. Each place takes
    a free question when its rule has one (the common case, linear); otherwise a
    breadth-first search for a chain of places that can move over, each rule looked
    through once per search: no recursion, whatever the paper's size."""
    places = [rule for rule, count in enumerate(counts) for _ in range(count)]
    shuffled = [rng.sample(pool, len(pool)) for pool in pools]
    holder: dict[int, int] = {}  # question id -> place
    held: dict[int, int] = {}  # place -> question id
    next_free = [0] * len(pools)  # questions are only ever taken: a cursor per rule

    def free_question(rule: int) -> int | None:
        order, at = shuffled[rule], next_free[rule]
        while at < len(order) and order[at] in holder:
            at += 1
        next_free[rule] = at
        return order[at] if at < len(order) else None

    for place in range(len(places)):
        question = free_question(places[place])
        if question is None:
            found = _move_over(place, places, shuffled, holder, held)
            if isinstance(found, Shortfall):
                found.need = sum(counts[rule] for rule in found.rules)
                return found
            continue
        holder[question], held[place] = place, question
    picked: list[list[int]] = [[] for _ in counts]
    for place, question in sorted(held.items()):
        picked[places[place]].append(question)
    return picked


def _move_over(start: int, places: list[int], shuffled: list[list[int]],
               holder: dict[int, int], held: dict[int, int]) -> Shortfall | None:
    """Seat ``start`` by moving a chain of seated places to other questions of their rules
    (an augmenting path); or, when none exists, the rules reached and their questions."""
    via: dict[int, int] = {}  # question -> the place that reached it
    queue, looked = deque([start]), set()
    while queue:
        place = queue.popleft()
        rule = places[place]
        if rule in looked:  # another place of a rule looked through reaches nothing new
            continue
        looked.add(rule)
        for question in shuffled[rule]:
            if question in via:
                continue
            via[question] = place
            if question in holder:
                queue.append(holder[question])
                continue
            while True:  # free: each place on the chain takes the question that reached it
                taker = via[question]
                given_up = held.get(taker)
                holder[question], held[taker] = taker, question
                if given_up is None:
                    return None
                question = given_up
    return Shortfall(sorted(looked), 0, len(via))
