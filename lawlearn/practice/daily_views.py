"""每日一练 pages: one question per screen, a feedback screen after each answer, and the day's
summary once the set is done."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lawlearn.database import utcnow
from lawlearn.errors import DomainError
from lawlearn.extensions import db
from lawlearn.practice import daily as services
from lawlearn.practice import practice_bp
from lawlearn.practice.forms import DailyAnswerForm
from lawlearn.practice.points import get_rule
from lawlearn.quiz.models import QUESTION_TYPES
from lawlearn.quiz.wrongbook_forms import submitted_answer


@practice_bp.route("/daily")
@login_required
def daily():
    """Today's set: the next question to answer, or the day's summary once all are done."""
    now = utcnow()
    daily_set = services.get_or_create_set(current_user, now)
    item = services.next_item(daily_set) if daily_set is not None else None
    if item is not None:
        services.mark_shown(daily_set, now, item)
    exam = services.exam_countdown(daily_set, now)
    db.session.commit()
    form = DailyAnswerForm(question_id=item.question_id) if item is not None else None
    return render_template("practice/daily.html", daily_set=daily_set, item=item, form=form,
                           exam=exam, type_labels=QUESTION_TYPES, now=now,
                           bonus_withheld=daily_set is not None
                           and services.bonus_withheld(daily_set))


@practice_bp.route("/daily/answer", methods=["POST"])
@login_required
def daily_answer():
    """Grade one answer of today's set, then show its feedback."""
    form = DailyAnswerForm()
    if not form.validate_on_submit():
        flash(_("提交无效，请刷新页面后重试。"), "error")
        return redirect(url_for("practice.daily"))
    try:
        services.answer(current_user.id, form.question_id.data, submitted_answer(request.form),
                        utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("practice.daily"))
    db.session.commit()
    return redirect(url_for("practice.daily_feedback", question_id=form.question_id.data))


@practice_bp.route("/daily/feedback/<int:question_id>")
@login_required
def daily_feedback(question_id: int):
    """The answer just given: right or wrong, the explanation and the article, then 下一题."""
    now = utcnow()
    try:
        daily_set, item = services.answered_item(current_user.id, question_id, now)
    except DomainError:
        return redirect(url_for("practice.daily"))
    feedback = services.feedback_for(daily_set, item)
    exam = services.exam_countdown(daily_set, now)
    # Right, in time, and paid nothing: the day's cap on right answers was reached.
    rule = get_rule("daily_answer")
    capped = feedback.correct and not item.too_fast and not feedback.points_awarded \
        and rule.enabled and rule.amount > 0
    return render_template("practice/daily_feedback.html", daily_set=daily_set, item=item,
                           feedback=feedback, exam=exam, type_labels=QUESTION_TYPES,
                           capped=capped, has_next=services.next_item(daily_set) is not None)
