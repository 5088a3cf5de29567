"""Quizzes and attempts: who may take what, frozen attempts, the server-owned deadline,
answer saving, idempotent submission and grading. No HTTP here."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from blinker import Namespace
from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from lawlearn.accounts.models import User
from lawlearn.errors import Conflict, NotFound
from lawlearn.extensions import db
from lawlearn.quiz import draw
from lawlearn.quiz.grading import canonical_response, grade
from lawlearn.quiz.listing import audience_condition_for, is_open
from lawlearn.quiz.models import (
    OPTION_KEYS,
    Attempt,
    AttemptItem,
    Question,
    Quiz,
)

DEFAULT_POINTS = {"single": 2.0, "multiple": 3.0, "true_false": 1.0, "fill": 2.0}

# Sent once per attempt when it is graded; other domains (sessions' exit quizzes) listen
# without the quiz engine knowing about them.
attempt_graded = Namespace().signal("attempt-graded")
# Sent next, once every attempt_graded receiver has run (blinker keeps no order among a
# signal's receivers): for what should see every consequence of the grading (plans.progress
# settles the taker's plan items after the exit quiz's attendance and the points are in).
attempt_settled = Namespace().signal("attempt-settled")


# --- who may take a quiz ----------------------------------------------------------------


def get_quiz_for(user: User, quiz_id: int) -> Quiz:
    quiz = db.session.scalar(select(Quiz).where(Quiz.id == quiz_id, Quiz.published.is_(True),
                                                audience_condition_for(user)))
    if quiz is None:
        raise NotFound(_("测验不存在或不对您开放。"))
    return quiz


# --- attempts -----------------------------------------------------------------------------


def _draw_questions(quiz: Quiz, rng: random.Random) -> list[Question]:
    if quiz.selection == "fixed":
        questions = [entry.question for entry in quiz.fixed_questions
                     if entry.question.status == "active"]
    else:
        rules = list(quiz.rules)
        pools = draw.rule_pools(rules)
        for rule, pool in zip(rules, pools, strict=True):
            if len(pool) < rule.count:
                raise Conflict(_("题库中符合抽题规则的试题不足（需要 %(need)d 道，只有 %(have)d 道）。",
                                 need=rule.count, have=len(pool)), code="not_enough_questions")
        picked = draw.match(pools, [rule.count for rule in rules], rng)
        if isinstance(picked, draw.Shortfall):
            raise Conflict(_("题库中的试题不够同时满足各条抽题规则（需要 %(need)d 道，只有 %(have)d "
                             "道）。", need=picked.need, have=picked.have),
                           code="not_enough_questions")
        chosen = [qid for ids in picked for qid in ids]
        by_id = {q.id: q for q in db.session.scalars(
            select(Question).where(Question.id.in_(chosen)).options(joinedload(Question.article)))}
        questions = [by_id[qid] for qid in chosen]
    if not questions:
        raise Conflict(_("该测验还没有试题。"), code="no_questions")
    return questions


def question_snapshot(question: Question, shuffle_options: bool,
                      rng: random.Random) -> dict[str, Any]:
    """What a taker sees and is graded against, frozen (see AttemptItem.snapshot)."""
    article = None
    if question.article is not None:
        article = {"law_id": question.article.law_id, "number": question.article.number,
                   "sub_number": question.article.sub_number, "label": question.article.label,
                   "law": question.article.law.display_title}
    options = []
    answer: Any = question.answer
    if question.type in ("single", "multiple"):
        order = list(range(len(question.options)))
        if shuffle_options:
            rng.shuffle(order)
        mapping = {}
        for shown, source in zip(OPTION_KEYS, order, strict=False):
            options.append({"key": shown, "text": question.options[source],
                            "source": OPTION_KEYS[source]})
            mapping[OPTION_KEYS[source]] = shown
        answer = mapping[question.answer] if question.type == "single" else \
            sorted(mapping[key] for key in question.answer)
    return {"type": question.type, "stem": question.stem, "options": options,
            "answer": answer, "explanation": question.explanation,
            "blanks": question.blanks, "article": article}


def in_progress_attempt(user: User, quiz: Quiz) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(
        Attempt.user_id == user.id, Attempt.quiz_id == quiz.id,
        Attempt.submitted_at.is_(None)))


def start_attempt(user: User, quiz: Quiz, now: datetime,
                  rng: random.Random | None = None) -> tuple[Attempt, bool]:
    """The attempt in progress, or a new one (``True``). Questions and order are frozen."""
    rng = rng or random.Random()  # nosec B311 - question order, not a secret
    # One statement, so one snapshot: reading "in progress?" and "how many?" apart let a
    # double tap whose twin committed in between start attempt 2 beside attempt 1.
    mine = db.session.execute(select(Attempt.id, Attempt.submitted_at).where(
        Attempt.user_id == user.id, Attempt.quiz_id == quiz.id)).all()
    used = len(mine)
    current_id = next((row.id for row in mine if row.submitted_at is None), None)
    if current_id is not None:
        current = db.session.get(Attempt, current_id)
        if not finalize_if_expired(current, now):
            return current, False
    if not is_open(quiz, now):
        raise Conflict(_("测验不在开放时间内。"), code="quiz_closed")
    if quiz.attempts_allowed is not None and used >= quiz.attempts_allowed:
        raise Conflict(_("答题次数已用完。"), code="no_attempts_left")
    questions = _draw_questions(quiz, rng)
    if quiz.shuffle_questions:
        rng.shuffle(questions)
    deadline = None
    if quiz.time_limit_minutes:
        deadline = now + timedelta(minutes=quiz.time_limit_minutes)
    if quiz.closes_at is not None:
        deadline = min(deadline, quiz.closes_at) if deadline else quiz.closes_at
    points = {**DEFAULT_POINTS, **(quiz.points or {})}
    attempt = Attempt(quiz_id=quiz.id, user_id=user.id, number=used + 1, started_at=now,
                      deadline=deadline)
    attempt.items = [
        AttemptItem(question_id=q.id, position=i, points=float(points[q.type]),
                    snapshot=question_snapshot(q, quiz.shuffle_options, rng))
        for i, q in enumerate(questions)]
    attempt.max_score = sum(item.points for item in attempt.items)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        # A double tap started the same attempt number twice: use the one that won.
        existing = in_progress_attempt(user, quiz)
        if existing is None:
            raise
        return existing, False
    return attempt, True


def own_attempt(user: User, attempt_id: int) -> Attempt:
    """The user's own attempt; anyone else's is 404, not 403 (nothing to learn)."""
    attempt = db.session.get(Attempt, attempt_id, options=[selectinload(Attempt.items),
                                                           joinedload(Attempt.quiz)])
    if attempt is None or attempt.user_id != user.id:
        raise NotFound(_("答题记录不存在。"))
    return attempt


def finalize_if_expired(attempt: Attempt, now: datetime) -> bool:
    """Submit an attempt left open past its deadline; True if it is (now) submitted."""
    if attempt.submitted_at is not None:
        return True
    if attempt.deadline is not None and now >= attempt.deadline:
        submit_attempt(attempt, attempt.deadline, auto=True)
        return True
    return False


def finalize_expired_attempts(now: datetime, user_id: int | None = None) -> int:
    query = select(Attempt).where(Attempt.submitted_at.is_(None), Attempt.deadline <= now)
    if user_id is not None:
        query = query.where(Attempt.user_id == user_id)
    expired = db.session.scalars(query.options(selectinload(Attempt.items))).all()
    for attempt in expired:
        submit_attempt(attempt, attempt.deadline, auto=True)
    return len(expired)


def settle_expired_attempts(now: datetime) -> int:
    """Hand in every attempt left open past its deadline, and commit: for the pages and
    exports that count attempts (reports, a plan's progress). An attempt was otherwise
    handed in only when its owner or someone opening the quiz's results came by, so a
    year-end report could miss an exam paper abandoned in a closed tab. A GET that
    commits, as the results page does; nothing else is pending on those reads."""
    settled = finalize_expired_attempts(now)
    if settled:
        db.session.commit()
    return settled


def save_answer(attempt: Attempt, question_id: int, raw: Any, now: datetime) -> AttemptItem:
    """Store one answer at once (one small UPDATE). Refused after submit or deadline."""
    if finalize_if_expired(attempt, now):
        raise Conflict(_("本次答题已结束，答案未保存。"), code="attempt_closed")
    item = next((i for i in attempt.items if i.question_id == question_id), None)
    if item is None:
        raise NotFound(_("本次答题中没有这道题。"))
    snapshot = item.snapshot
    response = canonical_response(snapshot["type"], raw,
                                  [o["key"] for o in snapshot["options"]],
                                  snapshot.get("blanks", 0))
    db.session.execute(update(AttemptItem).where(AttemptItem.id == item.id)
                       .values(response=response, answered_at=now))
    item.response, item.answered_at = response, now
    return item


# The hot path's statements, built once: under an exam's load, building and hashing a
# statement per request costs more CPU than running it.
_ANSWER_TARGET = (
    select(AttemptItem.id, AttemptItem.snapshot, Attempt.user_id, Attempt.deadline,
           Attempt.submitted_at)
    .join(Attempt, Attempt.id == AttemptItem.attempt_id)
    .where(AttemptItem.attempt_id == bindparam("attempt_id"),
           AttemptItem.question_id == bindparam("question_id")))
_STORE_ANSWER = (
    update(AttemptItem).where(AttemptItem.id == bindparam("item_id"))
    .values(response=bindparam("new_response", type_=AttemptItem.response.type),
            answered_at=bindparam("new_answered_at", type_=AttemptItem.answered_at.type))
    .execution_options(synchronize_session=False))


def save_own_answer(user: User, attempt_id: int, question_id: int, raw: Any,
                    now: datetime) -> Any:
    """The hot path of an exam: one read (the item with its attempt's state) and one
    UPDATE; the full attempt is loaded only when it has to be closed."""
    row = db.session.execute(_ANSWER_TARGET, {"attempt_id": attempt_id,
                                              "question_id": question_id}).one_or_none()
    if row is None or row.user_id != user.id:
        own_attempt(user, attempt_id)  # 404 for someone else's attempt
        raise NotFound(_("本次答题中没有这道题。"))
    if row.submitted_at is not None or (row.deadline is not None and now >= row.deadline):
        finalize_if_expired(own_attempt(user, attempt_id), now)
        raise Conflict(_("本次答题已结束，答案未保存。"), code="attempt_closed")
    snapshot = row.snapshot
    response = canonical_response(snapshot["type"], raw, [o["key"] for o in snapshot["options"]],
                                  snapshot.get("blanks", 0))
    db.session.execute(_STORE_ANSWER, {"item_id": row.id, "new_response": response,
                                       "new_answered_at": now})
    return response


def submit_attempt(attempt: Attempt, now: datetime, *, auto: bool = False) -> dict[str, Any]:
    """Grade and close the attempt; a second call returns the same result unchanged."""
    if attempt.submitted_at is not None:
        return attempt_result(attempt)
    if attempt.deadline is not None and now >= attempt.deadline:
        # Handed in late (a submit with no answer saved after the time ran out): closed at
        # the deadline by the server, as an answer saved late would have closed it.
        now, auto = attempt.deadline, True
    quiz = attempt.quiz
    score = 0.0
    graded = []
    for item in attempt.items:
        correct, awarded = grade(item.snapshot, item.response, item.points, quiz.partial_credit)
        graded.append((item, correct, awarded))
        score += awarded
    score = round(score, 2)
    passed = attempt.max_score > 0 and score * 100 >= attempt.max_score * quiz.pass_percent
    # Only the request that flips submitted_at grades; a concurrent one sees rowcount 0.
    claimed = db.session.execute(
        update(Attempt).where(Attempt.id == attempt.id, Attempt.submitted_at.is_(None))
        .values(submitted_at=now, auto_submitted=auto, score=score, passed=passed)).rowcount
    if not claimed:
        db.session.refresh(attempt)
        return attempt_result(attempt)
    for item, correct, awarded in graded:
        item.correct, item.awarded = correct, awarded
    attempt.submitted_at, attempt.auto_submitted = now, auto
    attempt.score, attempt.passed = score, passed
    attempt_graded.send(attempt)
    attempt_settled.send(attempt)
    return attempt_result(attempt)


def attempt_result(attempt: Attempt) -> dict[str, Any]:
    return {"score": attempt.score, "max_score": attempt.max_score, "passed": attempt.passed,
            "submitted_at": attempt.submitted_at.isoformat() + "Z"
            if attempt.submitted_at else None}


def answers_visible(attempt: Attempt, now: datetime) -> bool:
    """Whether the review may show right answers and explanations."""
    if attempt.submitted_at is None:
        return False
    rule = attempt.quiz.show_answers
    if rule == "after_submit":
        return True
    if rule == "after_close":
        return attempt.quiz.closes_at is not None and now >= attempt.quiz.closes_at
    return False


def public_question(item: AttemptItem) -> dict[str, Any]:
    """An attempt's question as a client sees it while answering (no answer key)."""
    snapshot = item.snapshot
    return {"id": item.question_id, "position": item.position + 1, "type": snapshot["type"],
            "stem": snapshot["stem"], "points": item.points,
            "options": [{"key": o["key"], "text": o["text"]} for o in snapshot["options"]],
            "blanks": snapshot.get("blanks", 0)}


def attempt_payload(attempt: Attempt, now: datetime) -> dict[str, Any]:
    payload = {
        "id": attempt.id, "quiz_id": attempt.quiz_id, "number": attempt.number,
        "started_at": attempt.started_at.isoformat() + "Z",
        "deadline": attempt.deadline.isoformat() + "Z" if attempt.deadline else None,
        "submitted": attempt.submitted_at is not None,
        "questions": [public_question(item) for item in attempt.items],
        "answers": {str(item.question_id): item.response for item in attempt.items
                    if item.response is not None},
    }
    if attempt.submitted_at is not None:
        payload["result"] = attempt_result(attempt)
        if answers_visible(attempt, now):
            payload["review"] = [{"id": item.question_id, "correct": item.correct,
                                  "awarded": item.awarded, "answer": item.snapshot["answer"],
                                  "explanation": item.snapshot["explanation"],
                                  "article": item.snapshot["article"]}
                                 for item in attempt.items]
    return payload

