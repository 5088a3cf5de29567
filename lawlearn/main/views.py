"""Staff pages: home, the study, quiz and check-in tabs, and 我的."""

from __future__ import annotations

from datetime import datetime

from flask import current_app, redirect, render_template, request, session
from flask_login import current_user, login_required

from lawlearn.accounts.forms import ConfirmForm
from lawlearn.accounts.models import Role
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.main import main_bp
from lawlearn.outreach.event_lists import waiting_counts
from lawlearn.plans.reflection_reviews import reviews_count
from lawlearn.plans.views import home_next_up
from lawlearn.practice.daily import progress as daily_progress
from lawlearn.quiz.listing import quizzes_for
from lawlearn.security import safe_next
from lawlearn.sessions import leave
from lawlearn.sessions.expected import checkin_shut_reason, todays_sessions
from lawlearn.sessions.models import ATTENDANCE_STATUSES


@main_bp.route("/")
@login_required
def home():
    """What should I do next: today's session, next plan item, today's practice."""
    now = utcnow()
    cards = [card for card in quizzes_for(current_user, now, include_upcoming=False)
             if card.to_do][:3]
    plan_cards = home_next_up(current_user, now)
    page = render_template("main/home.html", today=now, quiz_cards=cards,
                           todays_sessions=[(study, record, open_now,
                                             _session_note(study, record, open_now, now))
                                            for study, record, open_now in
                                            todays_sessions(current_user, now)],
                           daily=daily_progress(current_user.id, now),
                           waiting=_waiting_for_me(now), **plan_cards)
    # Expired attempts submitted and plan items newly done stamped; committing after
    # rendering keeps the page from reloading what it shows.
    db.session.commit()
    return page


def _session_note(study, record, open_now: bool, now: datetime) -> str | None:
    """Beside today's session without a check-in button: the mark an admin gave (请假,
    缺席), else when check-in opens or closed (a missed session showed nothing at all)."""
    if record is not None and record.checked_in_at is None:
        return str(ATTENDANCE_STATUSES.get(record.status, ""))
    if open_now or study.cancelled_at is not None or record is not None:
        return None
    return checkin_shut_reason(study, now)


def _waiting_for_me(now: datetime) -> dict[str, int] | None:
    """What a dept_lead (or an admin) has to decide: leave requests and reflections to
    review, outreach events to submit or verify, counted; None for everyone else (no
    queries)."""
    if not current_user.has_role(Role.DEPT_LEAD, Role.ADMIN):
        return None
    return {"leave": leave.pending_count(current_user),
            "reflections": reviews_count(current_user),
            **waiting_counts(current_user, now)}


@main_bp.route("/me")
@login_required
def profile():
    """我的: own account, record and settings."""
    return render_template("main/profile.html", logout_form=ConfirmForm())


@main_bp.route("/language", methods=["POST"])
def set_language():
    """Switch the interface language (saved on the account when logged in)."""
    locale = request.form.get("locale")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
        if current_user.is_authenticated:
            current_user.locale = locale
            db.session.commit()
    return redirect(safe_next(request.form.get("next")))
