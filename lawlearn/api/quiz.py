"""Quiz endpoints of the API: open quizzes, attempts, answers, submission."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lawlearn.api import api_bp
from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.quiz import listing, services
from lawlearn.security import request_user


def _card(card: listing.QuizCard) -> dict:
    quiz = card.quiz
    return {
        "id": quiz.id, "title": quiz.title, "description": quiz.description,
        "is_exam": quiz.is_exam,
        "opens_at": quiz.opens_at.isoformat() + "Z" if quiz.opens_at else None,
        "closes_at": quiz.closes_at.isoformat() + "Z" if quiz.closes_at else None,
        "time_limit_minutes": quiz.time_limit_minutes,
        "attempts_allowed": quiz.attempts_allowed, "attempts_used": card.attempts_used,
        "attempts_left": card.attempts_left, "open": card.open_now,
        "in_progress_attempt_id": card.in_progress.id if card.in_progress else None,
        "score": card.best_score, "pass_percent": quiz.pass_percent,
    }


@api_bp.route("/quizzes")
@login_required
def quizzes():
    """Open quizzes for me, with attempts left."""
    cards = listing.quizzes_for(request_user(), utcnow(), include_upcoming=False)
    if cards.submitted_expired:
        db.session.commit()
    return jsonify([_card(card) for card in cards])


@api_bp.route("/quizzes/<int:quiz_id>/attempts", methods=["POST"])
@login_required
def start_attempt(quiz_id: int):
    """Start an attempt (201), or return the one in progress (200)."""
    quiz = services.get_quiz_for(current_user, quiz_id)
    now = utcnow()
    attempt, created = services.start_attempt(current_user, quiz, now)
    db.session.commit()
    return jsonify(services.attempt_payload(attempt, now)), 201 if created else 200


@api_bp.route("/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    """An attempt of mine: questions, saved answers, and the result once submitted."""
    now = utcnow()
    mine = services.own_attempt(current_user, attempt_id)
    services.finalize_if_expired(mine, now)
    db.session.commit()
    return jsonify(services.attempt_payload(mine, now))


@api_bp.route("/attempts/<int:attempt_id>/answers/<int:question_id>", methods=["PUT"])
@login_required
def save_answer(attempt_id: int, question_id: int):
    """Save one answer the moment it is given."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "answer" not in body:
        raise ValidationFailed(_("请求体须为 {\"answer\": …}。"), code="invalid_json")
    now = utcnow()
    try:
        answer = services.save_own_answer(current_user, attempt_id, question_id,
                                          body["answer"], now)
    finally:
        db.session.commit()  # an expired attempt was submitted: keep that
    return jsonify(question_id=question_id, answer=answer, saved_at=now.isoformat() + "Z")


@api_bp.route("/attempts/<int:attempt_id>/submit", methods=["POST"])
@login_required
def submit(attempt_id: int):
    """Submit and grade; the same body every time it is called."""
    mine = services.own_attempt(current_user, attempt_id)
    result = services.submit_attempt(mine, utcnow())
    db.session.commit()
    return jsonify(result)
