"""Pages for heads of departments: their department's progress on published plans (a
leader sees every department, read-only), and the review of reflections (学习心得)."""

from __future__ import annotations

from datetime import datetime
from functools import wraps

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lawlearn.accounts.departments import department_choices, get_department
from lawlearn.accounts.models import Role
from lawlearn.converters import record_id
from lawlearn.database import utcnow
from lawlearn.errors import DomainError
from lawlearn.extensions import db
from lawlearn.pagination import page_arg, paginate
from lawlearn.plans import authoring, oversight, plans_bp, reflection_reviews
from lawlearn.plans.admin_forms import RemindForm, ReviewForm
from lawlearn.plans.matrix import matrix
from lawlearn.plans.models import Plan
from lawlearn.plans.view_helpers import (
    matrix_context,
    matrix_download,
    plan_for_matrix,
    posted_remind_form,
    send_reminders,
)
from lawlearn.quiz.services import settle_expired_attempts


def roles_required(*roles: str):
    """Logged in and holding one of ``roles``; others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorator


# --- department progress -----------------------------------------------------------------------


def _chosen_plan(plans: list[Plan], plan_id: int | None) -> Plan | None:
    if plan_id is None:
        return plans[0] if plans else None
    for plan in plans:
        if plan.id == plan_id:
            return plan
    abort(404)


def _scope():
    """The plan, the department shown (None: everyone) and its name, from the query."""
    plans = oversight.department_plans()
    plan = _chosen_plan(plans, request.args.get("plan", type=record_id))
    department_id = oversight.overseen(current_user, request.args.get("department", type=record_id))
    department = get_department(department_id) if department_id else None
    return plans, plan, department


def _may_remind() -> bool:
    return current_user.has_role(Role.ADMIN, Role.DEPT_LEAD)


@plans_bp.route("/department")
@roles_required(Role.DEPT_LEAD, Role.LEADER, Role.ADMIN)
def department_progress():
    """My department's progress on a published plan (a leader or an admin: any department)."""
    settle_expired_attempts(utcnow())  # a quiz item's paper left past its deadline counts
    plans, plan, department = _scope()
    context = {}
    if plan is not None:
        plan = plan_for_matrix(plan.id)
        grid = matrix(plan, utcnow(), department_id=department.id if department else None)
        context = matrix_context(grid, page_arg())
    wide = current_user.has_role(Role.ADMIN, Role.LEADER)
    remind_form = RemindForm(formdata=None, department_id=department.id if department else None)
    return render_template(
        "plans/department.html", plans=plans, plan=plan, department=department,
        choices=department_choices() if wide else [], wide=wide,
        remind_form=remind_form if _may_remind() and plan is not None
        and plan.status == "published" else None, **context)


@plans_bp.route("/department.xlsx")
@roles_required(Role.DEPT_LEAD, Role.LEADER, Role.ADMIN)
def department_export():
    """The department's progress matrix as XLSX."""
    settle_expired_attempts(utcnow())  # as the page
    _plans, plan, department = _scope()
    if plan is None:
        abort(404)
    return matrix_download(plan_for_matrix(plan.id), department)


@plans_bp.route("/department/remind", methods=["POST"])
@roles_required(Role.DEPT_LEAD, Role.ADMIN)
def department_remind():
    """Remind the people of my department who are behind on a plan."""
    plan = authoring.get_plan(request.args.get("plan", type=record_id) or 0)
    form = posted_remind_form()
    department_id = None
    if form.validate_on_submit():
        department_id = oversight.overseen(current_user, form.department_id.data)
        send_reminders(plan, department_id, form.not_done.data)
    return redirect(url_for("plans.department_progress", plan=plan.id,
                            **({"department": department_id} if department_id else {})))


# --- reviewing reflections ---------------------------------------------------------------------


def _reviews_page(errors: dict[int, str] | None = None, typed: dict[int, str] | None = None,
                  status: int = 200):
    """The reviews page; after a refused decision (``errors``), the page the reviewer was
    on, the errors listed at its top and the comments as typed."""
    pagination = paginate(reflection_reviews.reviews_query(current_user),
                          page=page_arg(values=request.values))
    return render_template("plans/reviews.html", pagination=pagination, form=ReviewForm(),
                           errors=errors or {}, typed=typed or {}), status


@plans_bp.route("/reviews")
@roles_required(Role.DEPT_LEAD, Role.ADMIN)
def reviews():
    """Reflections waiting for my review: read, then accept or return with a comment;
    ``?show=reviewed``: those reviewed, a page at a time."""
    if request.args.get("show") == "reviewed":
        return render_template("plans/reviewed.html", pagination=paginate(
            reflection_reviews.reviewed_query(current_user)))
    return _reviews_page()


@plans_bp.route("/reviews/<int:reflection_id>", methods=["POST"])
@roles_required(Role.DEPT_LEAD, Role.ADMIN)
def review(reflection_id: int):
    """Accept a reflection (points for its author) or return it with a comment."""
    reflection = reflection_reviews.get_reviewable(current_user, reflection_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        message = next((m for errors in form.errors.values() for m in errors), _("请重试。"))
        return _reviews_page({reflection.id: message}, {reflection.id: form.comment.data or ""},
                             422)
    name, title = reflection.user.name, reflection.item.title
    decide = reflection_reviews.accept_reflection if form.decision.data == "accept" \
        else reflection_reviews.return_reflection
    try:
        seen = datetime.fromisoformat(form.seen.data) if form.seen.data else None
    except ValueError:  # not a version this site wrote
        return _reviews_page({reflection.id: _("请刷新页面后重试。")},
                             {reflection.id: form.comment.data or ""}, 422)
    try:
        decide(current_user, reflection, form.comment.data or "", utcnow(), seen=seen)
    except DomainError as error:
        db.session.rollback()
        if error.status in (403, 404):
            raise
        if error.code == "reflection_changed":  # read the new text; the comment is kept
            return _reviews_page({reflection_id: error.message},
                                 {reflection_id: form.comment.data or ""}, 409)
        if error.status == 409:
            flash(error.message, "error")
            return redirect(url_for("plans.reviews"))
        return _reviews_page({reflection_id: error.message},
                             {reflection_id: form.comment.data or ""}, 422)
    db.session.commit()
    flash(_("已通过 %(name)s 的学习心得“%(title)s”。", name=name, title=title)
          if form.decision.data == "accept"
          else _("已退回 %(name)s 的学习心得“%(title)s”。", name=name, title=title), "success")
    return redirect(url_for("plans.reviews"))
