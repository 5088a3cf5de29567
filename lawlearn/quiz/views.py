"""Staff quiz pages: the list, a quiz's page, taking an attempt, the review."""

from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lawlearn.database import utcnow
from lawlearn.errors import DomainError
from lawlearn.extensions import db
from lawlearn.quiz import listing, quiz_bp, services
from lawlearn.quiz.models import Attempt
from lawlearn.security import request_user

# A time-up hand-in arrives this close to the deadline (the page's timer ends 5 s early, then
# the page itself is sent, with its answers).
TIME_UP_MARGIN = timedelta(seconds=60)


@quiz_bp.route("/quizzes")
@login_required
def index():
    """答题 tab: open and upcoming quizzes, with attempts left and results."""
    now = utcnow()
    return _cards_page("quiz/index.html", listing.quizzes_for(request_user(), now), now)


@quiz_bp.route("/quizzes/closed")
@login_required
def closed():
    """Quizzes closed in the past year that I handed in: my results, the answers once out."""
    now = utcnow()
    return _cards_page("quiz/closed.html", listing.closed_quizzes_for(request_user(), now), now)


def _cards_page(template: str, cards: listing.QuizCards, now) -> str:
    page = render_template(template, cards=cards, now=now)
    if cards.submitted_expired:
        # After rendering: a commit expires the signed-in user (one reload).
        db.session.commit()
    return page


@quiz_bp.route("/quizzes/<int:quiz_id>")
@login_required
def quiz(quiz_id: int):
    """A quiz's rules and my attempts, with the button to start or resume."""
    now = utcnow()
    found = listing.quiz_page(request_user(), quiz_id, now)
    page = render_template("quiz/quiz.html", quiz=found.card.quiz, card=found.card,
                           attempts=found.attempts, now=now)
    if found.submitted_expired:
        db.session.commit()  # after rendering: see index
    return page


@quiz_bp.route("/quizzes/<int:quiz_id>/start", methods=["POST"])
@login_required
def start(quiz_id: int):
    """Start an attempt (or resume the one in progress)."""
    quiz = services.get_quiz_for(current_user, quiz_id)
    try:
        attempt, _created = services.start_attempt(current_user, quiz, utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("quiz.quiz", quiz_id=quiz.id))
    db.session.commit()
    return redirect(url_for("quiz.take", attempt_id=attempt.id))


@quiz_bp.route("/attempts/<int:attempt_id>")
@login_required
def take(attempt_id: int):
    """Answer the questions: one per screen with scripts, all on one page without."""
    now = utcnow()
    attempt = services.own_attempt(current_user, attempt_id)
    if services.finalize_if_expired(attempt, now):
        db.session.commit()
        return redirect(url_for("quiz.review", attempt_id=attempt.id))
    return render_template("quiz/take.html", attempt=attempt, quiz=attempt.quiz, now=now)


def _form_answers(attempt) -> dict[int, object]:
    """Answers posted by the page without scripts: fields q-<question id>."""
    answers: dict[int, object] = {}
    for item in attempt.items:
        key = f"q-{item.question_id}"
        kind = item.snapshot["type"]
        if kind == "multiple":
            values = request.form.getlist(key)
            if values:
                answers[item.question_id] = values
        elif kind == "fill":
            values = [request.form.get(f"{key}-{i}", "") for i in range(item.snapshot["blanks"])]
            if any(v.strip() for v in values):
                answers[item.question_id] = values
        elif request.form.get(key):
            value = request.form[key]
            answers[item.question_id] = {"true": True, "false": False}.get(value, value)
    return answers


@quiz_bp.route("/attempts/<int:attempt_id>/save", methods=["POST"])
@login_required
def save(attempt_id: int):
    """Save every answer on the page (used without scripts) and, if asked, submit."""
    now = utcnow()
    attempt = services.own_attempt(current_user, attempt_id)
    try:
        for question_id, answer in _form_answers(attempt).items():
            services.save_answer(attempt, question_id, answer, now)
    except DomainError as error:
        db.session.commit()
        flash(error.message, "error")
        return redirect(url_for("quiz.review", attempt_id=attempt.id)
                        if attempt.submitted_at else url_for("quiz.take", attempt_id=attempt.id))
    if request.form.get("submit") == "1":
        # The page hands itself in a few seconds before the deadline when its timer ends
        # (quiz.js): that is 到时自动交卷, as the server's own is, not a hand-in by choice.
        time_up = (request.form.get("time_up") == "1" and attempt.deadline is not None
                   and attempt.deadline - now <= TIME_UP_MARGIN)
        services.submit_attempt(attempt, now, auto=time_up)
        db.session.commit()
        return redirect(url_for("quiz.review", attempt_id=attempt.id))
    db.session.commit()
    flash(_("答案已保存。"), "success")
    return redirect(url_for("quiz.take", attempt_id=attempt.id))


@quiz_bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@login_required
def submit(attempt_id: int):
    """Submit the attempt (again does nothing more)."""
    attempt = services.own_attempt(current_user, attempt_id)
    services.submit_attempt(attempt, utcnow())
    db.session.commit()
    return redirect(url_for("quiz.review", attempt_id=attempt.id))


@quiz_bp.route("/attempts/<int:attempt_id>/review")
@login_required
def review(attempt_id: int):
    """My result, and my answers with the right ones when the quiz shows them."""
    now = utcnow()
    attempt = services.own_attempt(current_user, attempt_id)
    services.finalize_if_expired(attempt, now)
    db.session.commit()
    if attempt.in_progress:
        return redirect(url_for("quiz.take", attempt_id=attempt.id))
    # After a second try, what counts: a retake scoring 40 did not lower a 60 that stays
    # the grade under 取最高分, and the page said only "40 分 未及格".
    attempts = list(db.session.scalars(select(Attempt).filter_by(
        quiz_id=attempt.quiz_id, user_id=attempt.user_id)))
    counted = listing.final_score(attempt.quiz, attempts) \
        if sum(1 for a in attempts if a.submitted_at is not None) > 1 else None
    return render_template("quiz/review.html", attempt=attempt, quiz=attempt.quiz,
                           show_answers=services.answers_visible(attempt, now),
                           counted=counted)


@quiz_bp.app_template_filter("answer_text")
def answer_text(value, snapshot) -> str:
    """An answer (mine or the right one) in words for the review page."""
    if value is None:
        return _("未作答")
    kind = snapshot["type"]
    if kind == "true_false":
        return _("正确") if value else _("错误")
    if kind == "multiple":
        return "".join(value)
    if kind == "fill":
        parts = [" / ".join(v) if isinstance(v, list) else v for v in value]
        return "；".join(parts)
    return str(value)


@quiz_bp.app_template_filter("points")
def points_filter(value: float | None) -> str:
    """2.0 → "2", 2.5 → "2.5"."""
    if value is None:
        return ""
    return f"{value:g}"
