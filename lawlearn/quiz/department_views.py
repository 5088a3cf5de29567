"""本部门参加情况: a head of department reads who of their department (and its sections) a
quiz is for, who has handed it in and who has not: the follow-up an office expects of them
before an exam closes. The quiz's results page (every department) stays the admins' and
the leader's; the participation report counts quizzes per person, not this one."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from lawlearn.accounts.models import Department, Role
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.pagination import page_arg, page_of
from lawlearn.plans.oversight import department_scope
from lawlearn.quiz import audience, quiz_bp
from lawlearn.quiz.authoring import get_quiz
from lawlearn.quiz.services import settle_expired_attempts

PER_PAGE = 100  # a department's people on one page, mostly


@quiz_bp.route("/quizzes/<int:quiz_id>/department")
@login_required
def department_takers(quiz_id: int):
    """The quiz's audience within my department and its sections, who is behind first."""
    if current_user.has_role(Role.ADMIN, Role.LEADER):
        return redirect(url_for("quiz_admin.quiz_results", quiz_id=quiz_id))
    scope = department_scope(current_user)
    if not scope:
        abort(403)
    quiz = get_quiz(quiz_id)
    if not quiz.published:
        abort(404)
    settle_expired_attempts(utcnow())  # a paper left past its deadline is handed in
    takers = audience.department_takers(quiz, scope)
    departments = {d.id: d for d in db.session.scalars(
        select(Department).where(Department.id.in_(scope)))}
    handed_in = sum(1 for taker in takers if taker.papers)
    return render_template(
        "quiz/department.html", quiz=quiz, now=utcnow(),
        page=page_of(takers, page_arg(), max(PER_PAGE, current_app.config["PER_PAGE"])),
        expected=len(takers), handed_in=handed_in, departments=departments,
        department=departments[current_user.department_id], with_sections=len(scope) > 1)
