"""Stall quizzes (有奖问答): a public link for an outreach event that residents answer on
their own phones without an account. One entry per device; each entry adds one to the
event's ``quiz_completions``, which the ledger counts as reach."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, String, cast, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import Department, User
from lawlearn.errors import Conflict, NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import LawArticle
from lawlearn.outreach.models import OutreachEvent, OutreachEventLaw, StallQuiz, StallQuizEntry
from lawlearn.outreach.prize_phones import normalise_phone
from lawlearn.quiz.grading import canonical_response, grade
from lawlearn.quiz.models import Question
from lawlearn.quiz.services import question_snapshot
from lawlearn.unique_keys import duplicate_raises

COUNT_MIN, COUNT_MAX, COUNT_DEFAULT = 3, 10, 5
# Big tappable options only: a resident answers with one tap per question.
STALL_TYPES = ("single", "true_false")
TOKEN_MAX = 32  # StallQuiz.token is a String(32)
# Answers count from an hour before the event starts (a stall is set up beforehand); a scan
# earlier (an officer trying the printed code the day before) previews the questions only,
# or the test answers would be added to the event's audience in the upward report.
ANSWERS_FROM_BEFORE_START = timedelta(hours=1)
# ...and until twelve hours after it ends (a resident who took the leaflet home answers that
# evening). Later answers would go on raising a finished event's reach in the upward report,
# from anyone who kept the link.
ANSWERS_UNTIL_AFTER_END = timedelta(hours=12)


# --- loading ---------------------------------------------------------------------------------


def get_event(event_id: int) -> OutreachEvent:
    """The event with its department (for the organiser's name), or 404."""
    event = db.session.scalar(select(OutreachEvent).where(OutreachEvent.id == event_id)
                              .options(joinedload(OutreachEvent.department)
                                       .joinedload(Department.parent)))
    if event is None:
        raise NotFound(_("活动不存在。"))
    return event


def stall_quiz_of(event: OutreachEvent) -> StallQuiz | None:
    return db.session.scalar(select(StallQuiz).where(StallQuiz.event_id == event.id))


def quiz_by_token(token: str) -> StallQuiz | None:
    """The stall quiz of a public link (open or not), with its event and organiser."""
    if not token or len(token) > TOKEN_MAX:
        return None
    return db.session.scalar(
        select(StallQuiz).where(StallQuiz.token == token)
        .options(joinedload(StallQuiz.event).joinedload(OutreachEvent.department)
                 .joinedload(Department.parent)))


def organiser_name(event: OutreachEvent) -> str:
    """The unit that runs the stall: the top-level department (a section's unit)."""
    department = event.department
    return department.parent.name if department.parent is not None else department.name


# --- opening, closing ------------------------------------------------------------------------


def _candidate_ids(tag: str | None, law_ids: list[int] | None) -> list[int]:
    query = select(Question.id).where(Question.status == "active",
                                      Question.type.in_(STALL_TYPES)).order_by(Question.id)
    if tag:
        query = query.where(cast(Question.tags, String).contains(
            json.dumps(tag, ensure_ascii=False)))
    if law_ids is not None:
        query = query.where(Question.article_id.in_(
            select(LawArticle.id).where(LawArticle.law_id.in_(law_ids))))
    return list(db.session.scalars(query))


def draw_question_ids(event: OutreachEvent, count: int, tag: str | None,
                      rng: random.Random) -> list[int]:
    """``count`` active single-choice or true/false questions, those on the event's laws
    first, the rest drawn at random from the bank (restricted to ``tag`` when given)."""
    law_ids = list(db.session.scalars(select(OutreachEventLaw.law_id)
                                      .where(OutreachEventLaw.event_id == event.id)))
    linked = _candidate_ids(tag, law_ids) if law_ids else []
    chosen = rng.sample(linked, min(count, len(linked)))
    if len(chosen) < count:
        taken = set(chosen)
        others = [qid for qid in _candidate_ids(tag, None) if qid not in taken]
        chosen += rng.sample(others, min(count - len(chosen), len(others)))
    if len(chosen) < count:
        if tag:
            message = _("标签“%(tag)s”下可用的单选题和判断题只有 %(have)d 道，不足 %(need)d 道。",
                        tag=tag, have=len(chosen), need=count)
        else:
            message = _("题库中可用的单选题和判断题只有 %(have)d 道，不足 %(need)d 道。",
                        have=len(chosen), need=count)
        raise ValidationFailed(message, field="tag" if tag else "count")
    rng.shuffle(chosen)
    return chosen


def _snapshots(question_ids: list[int], rng: random.Random) -> list[dict[str, Any]]:
    questions = {q.id: q for q in db.session.scalars(
        select(Question).where(Question.id.in_(question_ids))
        .options(selectinload(Question.article).selectinload(LawArticle.law)))}
    return [question_snapshot(questions[qid], shuffle_options=False, rng=rng)
            for qid in question_ids]


def open_stall_quiz(actor: User | None, event: OutreachEvent, *, now: datetime,
                    count: int = COUNT_DEFAULT, tag: str | None = None,
                    collect_phone: bool = False,
                    rng: random.Random | None = None) -> StallQuiz:
    """Open the event's stall quiz with questions frozen as shown.

    Drawing again is allowed until someone has answered; the link (token) stays the same,
    so a QR code already printed keeps working.
    """
    rng = rng or random.Random()  # nosec B311 - question order, not a secret
    _refuse_if_locked(event)
    if not COUNT_MIN <= count <= COUNT_MAX:
        raise ValidationFailed(_("题目数量须在 %(low)d 到 %(high)d 道之间。",
                                 low=COUNT_MIN, high=COUNT_MAX), field="count")
    tag = (tag or "").strip() or None
    quiz = stall_quiz_of(event)
    if quiz is not None and has_entries(quiz):
        raise Conflict(_("已有群众参与本次问答，不能重新抽题。"), code="stall_answered")
    question_ids = draw_question_ids(event, count, tag, rng)
    fields = {"question_ids": question_ids, "snapshots": _snapshots(question_ids, rng),
              "collect_phone": collect_phone, "open": True, "closed_at": None}
    if quiz is None:
        quiz = StallQuiz(event_id=event.id, token=secrets.token_urlsafe(16)[:TOKEN_MAX],
                         created_at=now, **fields)
        # Opened twice at once (a double click, a second admin): the first one stands.
        with duplicate_raises(Conflict(_("有奖问答刚刚已经开启，请刷新页面查看。"),
                                       code="stall_opened")):
            db.session.add(quiz)
        action, summary = "outreach.stall.open", _("开启有奖问答：%(title)s", title=event.title)
    else:
        for name, value in fields.items():
            setattr(quiz, name, value)
        db.session.flush()
        action, summary = "outreach.stall.redraw", _("有奖问答重新抽题：%(title)s", title=event.title)
    record_audit(actor, action, quiz, summary,
                 {"event_id": event.id, "questions": question_ids, "tag": tag,
                  "collect_phone": collect_phone})
    return quiz


def _refuse_if_locked(event: OutreachEvent) -> None:
    """A verified event is locked: its figures, stall-quiz completions included, stay put."""
    if event.status == "verified":
        raise Conflict(_("活动已审核并锁定，不能再开启有奖问答。"), code="locked")


def close_for_verification(actor: User | None, event: OutreachEvent, now: datetime) -> None:
    """Close the event's stall quiz, if open, as the event is verified (and locked)."""
    quiz = stall_quiz_of(event)
    if quiz is not None and quiz.open:
        quiz.open, quiz.closed_at = False, now
        record_audit(actor, "outreach.stall.close", quiz,
                     _("活动审核通过，有奖问答随之关闭：%(title)s", title=event.title))


def close_stall_quiz(actor: User | None, quiz: StallQuiz, now: datetime) -> None:
    """Stop taking answers; the link then shows that the quiz has ended."""
    if not quiz.open:
        return
    quiz.open, quiz.closed_at = False, now
    record_audit(actor, "outreach.stall.close", quiz,
                 _("关闭有奖问答：%(title)s", title=quiz.event.title))


def reopen_stall_quiz(actor: User | None, quiz: StallQuiz, now: datetime) -> None:
    if quiz.open:
        return
    _refuse_if_locked(quiz.event)
    quiz.open, quiz.closed_at = True, None
    record_audit(actor, "outreach.stall.reopen", quiz,
                 _("重新开启有奖问答：%(title)s", title=quiz.event.title))


# --- answering -------------------------------------------------------------------------------


def accepts_answers(quiz: StallQuiz, now: datetime) -> bool:
    """Open, its event not verified (a verified event's figures are locked) and not long
    over."""
    return (quiz.open and quiz.event.status != "verified"
            and now < answers_close_at(quiz))


def answers_close_at(quiz: StallQuiz) -> datetime:
    """Until when answers count (naive UTC)."""
    return quiz.event.ends_at + ANSWERS_UNTIL_AFTER_END


def answers_open_at(quiz: StallQuiz) -> datetime:
    """From when answers count (naive UTC)."""
    return quiz.event.starts_at - ANSWERS_FROM_BEFORE_START


def preview_only(quiz: StallQuiz, now: datetime) -> bool:
    """Too early for answers to count: the page shows the questions and takes nothing."""
    return now < answers_open_at(quiz)


def device_key(secret_key: str, cookie_value: str) -> str:
    """A keyed hash of the device cookie: the cookie itself is never stored."""
    return hmac.new(secret_key.encode(), cookie_value.encode(), hashlib.sha256).hexdigest()


def entry_for_device(quiz: StallQuiz, key: str) -> StallQuizEntry | None:
    return db.session.scalar(select(StallQuizEntry).where(StallQuizEntry.quiz_id == quiz.id,
                                                          StallQuizEntry.device_key == key))


def has_entries(quiz: StallQuiz) -> bool:
    return db.session.scalar(select(StallQuizEntry.id).where(
        StallQuizEntry.quiz_id == quiz.id).limit(1)) is not None


def grade_answers(quiz: StallQuiz, answers: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """Every question's canonical answer (by question id) and the number right.

    Raises 422 naming every question left unanswered, or the first answered in a bad form.
    """
    blank = [(position, qid) for position, qid in enumerate(quiz.question_ids, start=1)
             if answers.get(str(qid)) in (None, "", [])]
    if blank:
        raise ValidationFailed(_("第 %(numbers)s 题还没有作答。",
                                 numbers="、".join(str(position) for position, _qid in blank)),
                               field=f"q-{blank[0][1]}", code="unanswered")
    canonical: dict[str, Any] = {}
    correct = 0
    for qid, snapshot in zip(quiz.question_ids, quiz.snapshots, strict=True):
        raw = answers.get(str(qid))
        keys = [option["key"] for option in snapshot["options"]]
        response = canonical_response(snapshot["type"], raw, keys, snapshot.get("blanks") or 0)
        right, _points = grade(snapshot, response, 1, False)
        canonical[str(qid)] = response
        correct += int(right)
    return canonical, correct


def submit_entry(quiz: StallQuiz, answers: dict[str, Any], key: str, phone: str | None,
                 now: datetime) -> tuple[StallQuizEntry, bool]:
    """Grade and keep one device's answers; ``(entry, True)`` when new.

    A device that has already answered gets its earlier entry back (``False``) and nothing
    changes. The phone number is kept only when the quiz asks for one (a prize draw).
    The event's counter is raised by the database itself, in this transaction.
    """
    if not accepts_answers(quiz, now):
        raise NotFound(_("本次有奖问答已结束，感谢关注。"), code="stall_closed")
    if preview_only(quiz, now):
        from lawlearn.i18n import display_datetime

        raise Conflict(_("本次有奖问答 %(when)s 起接受作答，现在只能预览题目，提交的答卷不计入。",
                         when=display_datetime(answers_open_at(quiz))), code="stall_not_started")
    earlier = entry_for_device(quiz, key)
    if earlier is not None:
        return earlier, False
    canonical, correct = grade_answers(quiz, answers)
    kept_phone = None
    if quiz.collect_phone and (phone or "").strip():
        kept_phone = normalise_phone(phone or "")
    entry = StallQuizEntry(quiz_id=quiz.id, device_key=key, answers=canonical, correct=correct,
                           total=len(quiz.question_ids), phone=kept_phone, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        # The same device submitted twice at once: the other request won.
        earlier = entry_for_device(quiz, key)
        if earlier is None:
            raise
        return earlier, False
    db.session.execute(update(OutreachEvent).where(OutreachEvent.id == quiz.event_id)
                       .values(quiz_completions=OutreachEvent.quiz_completions + 1))
    return entry, True


def entry_review(quiz: StallQuiz, entry: StallQuizEntry) -> list[dict[str, Any]]:
    """Each question as shown, with this entry's answer and whether it was right."""
    review = []
    for qid, snapshot in zip(quiz.question_ids, quiz.snapshots, strict=True):
        response = entry.answers.get(str(qid))
        right, _points = grade(snapshot, response, 1, False)
        review.append({"snapshot": snapshot, "response": response, "correct": right})
    return review


# --- results ---------------------------------------------------------------------------------


@dataclass
class QuestionRate:
    position: int
    stem: str
    answered: int
    correct: int

    @property
    def rate(self) -> float | None:
        """Share answered right, 0..1 (``|rate`` shows 87.5%)."""
        return self.correct / self.answered if self.answered else None


@dataclass
class StallResults:
    entries: int
    total: int  # questions in the quiz
    average_correct: float | None
    distribution: list[tuple[int, int]]  # (questions right, entries), 0..total
    questions: list[QuestionRate]
    phones: int  # entries that left a phone number

    @property
    def average_rate(self) -> float | None:
        """Average share of questions answered right, 0..1."""
        if self.average_correct is None or not self.total:
            return None
        return self.average_correct / self.total


def stall_results(quiz: StallQuiz) -> StallResults:
    """Entries, average, distribution of scores and each question's correct rate (one query)."""
    rows = db.session.execute(select(StallQuizEntry.answers, StallQuizEntry.correct,
                                     StallQuizEntry.phone.is_not(None))
                              .where(StallQuizEntry.quiz_id == quiz.id)).all()
    total = len(quiz.question_ids)
    histogram = [0] * (total + 1)
    rates = [QuestionRate(position, snapshot["stem"], 0, 0)
             for position, snapshot in enumerate(quiz.snapshots, start=1)]
    for answers, correct, _has_phone in rows:
        histogram[min(max(correct, 0), total)] += 1
        for rate, qid, snapshot in zip(rates, quiz.question_ids, quiz.snapshots, strict=True):
            response = (answers or {}).get(str(qid))
            if response is None:
                continue
            rate.answered += 1
            rate.correct += int(grade(snapshot, response, 1, False)[0])
    count = len(rows)
    return StallResults(
        entries=count, total=total,
        average_correct=sum(r[1] for r in rows) / count if count else None,
        distribution=list(enumerate(histogram)), questions=rates,
        phones=sum(1 for r in rows if r[2]))


def entries_query(quiz: StallQuiz) -> Select[tuple[StallQuizEntry]]:
    return (select(StallQuizEntry).where(StallQuizEntry.quiz_id == quiz.id)
            .order_by(StallQuizEntry.created_at.desc(), StallQuizEntry.id.desc()))
