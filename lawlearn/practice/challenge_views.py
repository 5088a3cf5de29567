"""Challenge mode pages: the overview with bests and the start button, a run's question with
its countdown, and the end screen."""

from __future__ import annotations

import math
from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lawlearn.database import utcnow
from lawlearn.errors import Conflict, DomainError, ValidationFailed
from lawlearn.extensions import db
from lawlearn.practice import challenge, practice_bp
from lawlearn.practice.challenge_forms import AnswerForm, StartForm
from lawlearn.practice.models import ChallengeRun
from lawlearn.quiz.models import QUESTION_TYPES
from lawlearn.quiz.wrongbook_forms import submitted_answer
from lawlearn.settings import get_setting


@practice_bp.route("/challenge", endpoint="challenge")
@login_required
def challenge_page():
    """挑战答题: my best, my department's best, the start button and my recent runs."""
    challenge.end_late_run(current_user.id, utcnow())
    db.session.commit()
    overview = challenge.overview(current_user)
    return render_template("practice/challenge.html", overview=overview, form=StartForm(),
                           seconds=get_setting("practice.challenge_seconds"),
                           end_reasons=challenge.END_REASONS)


@practice_bp.route("/challenge/start", methods=["POST"])
@login_required
def challenge_start():
    """Start a run, or go back to the one running (never a new question)."""
    if not StartForm().validate_on_submit():
        abort(400)
    try:
        run, _created = challenge.start(current_user, utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("practice.challenge"))
    db.session.commit()
    return redirect(url_for("practice.challenge_run", run_id=run.id))


def _render_run(run: ChallengeRun, now: datetime, notice: str | None = None, status: int = 200):
    ending = challenge.ending_answer(run)
    points = challenge.points_of(run) if run.status == "ended" else 0
    due = challenge.deadline(run)
    seconds_left = max(0, math.ceil((due - now).total_seconds())) if due else 0
    return render_template("practice/challenge_run.html", run=run, now=now, deadline=due,
                           seconds_left=seconds_left, ending=ending, points=points,
                           form=AnswerForm(formdata=None, question_id=run.current_question_id),
                           start_form=StartForm(formdata=None), notice=notice,
                           end_reasons=challenge.END_REASONS, type_labels=QUESTION_TYPES), status


@practice_bp.route("/challenge/<int:run_id>")
@login_required
def challenge_run(run_id: int):
    """The question on screen with its countdown, or the end screen of a finished run."""
    now = utcnow()
    run = challenge.own_run(current_user, run_id)
    challenge.expire_if_late(run, now)
    db.session.commit()
    return _render_run(run, now)


@practice_bp.route("/challenge/<int:run_id>/answer", methods=["POST"])
@login_required
def challenge_answer(run_id: int):
    """Answer the question on screen: the next question, or the end of the run."""
    now = utcnow()
    run = challenge.own_run(current_user, run_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        outcome = challenge.answer(current_user, run_id, form.question_id.data,
                                   submitted_answer(request.form), now,
                                   time_up=form.time_up.data == "1")
    except (Conflict, ValidationFailed) as error:
        # An old page posted again, or nothing was chosen: show where the run stands.
        db.session.rollback()
        challenge.expire_if_late(run, now)
        db.session.commit()
        return _render_run(run, now, notice=error.message, status=error.status)
    db.session.commit()
    if outcome.correct and not outcome.ended:
        flash(_("回答正确，请看下一题。") if not outcome.too_fast else
              _("回答正确，请看下一题。本题作答过快，不计积分。"), "success")
    return redirect(url_for("practice.challenge_run", run_id=run_id))
