"""Pages for heads of departments: their department's progress on published plans (a
leader sees every department, read-only), and the review of reflections (学习心得)."""

from __future__ import annotations

import io
from functools import wraps

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from lawlearn.accounts.departments import department_choices, get_department
from lawlearn.accounts.models import Role
from lawlearn.database import utcnow
from lawlearn.errors import DomainError
from lawlearn.extensions import db
from lawlearn.plans import plans_bp, services
from lawlearn.plans.admin_forms import RemindForm, ReviewForm
from lawlearn.plans.admin_views import matrix_context
from lawlearn.plans.export import XLSX_MIMETYPE, export_matrix, export_name
from lawlearn.plans.models import Plan
from lawlearn.plans.progress import matrix


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
    plans = services.department_plans()
    plan = _chosen_plan(plans, request.args.get("plan", type=int))
    department_id = services.overseen(current_user, request.args.get("department", type=int))
    department = get_department(department_id) if department_id else None
    return plans, plan, department


def _may_remind() -> bool:
    return current_user.has_role(Role.ADMIN, Role.DEPT_LEAD)


@plans_bp.route("/department")
@roles_required(Role.DEPT_LEAD, Role.LEADER, Role.ADMIN)
def department_progress():
    """My department's progress on a published plan (a leader or an admin: any department)."""
    plans, plan, department = _scope()
    context = {}
    if plan is not None:
        plan = db.session.scalar(db.select(Plan).where(Plan.id == plan.id).options(
            selectinload(Plan.items), selectinload(Plan.audience)))
        grid = matrix(plan, utcnow(), department_id=department.id if department else None)
        context = matrix_context(grid, request.args.get("page", 1, type=int))
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
    _plans, plan, department = _scope()
    if plan is None:
        abort(404)
    plan = db.session.scalar(db.select(Plan).where(Plan.id == plan.id).options(
        selectinload(Plan.items), selectinload(Plan.audience)))
    scope = department.full_name if department else _("全部部门")
    grid = matrix(plan, utcnow(), department_id=department.id if department else None)
    return send_file(io.BytesIO(export_matrix(grid, scope, utcnow())), mimetype=XLSX_MIMETYPE,
                     as_attachment=True, download_name=export_name(plan, scope), max_age=0)


@plans_bp.route("/department/remind", methods=["POST"])
@roles_required(Role.DEPT_LEAD, Role.ADMIN)
def department_remind():
    """Remind the people of my department who are behind on a plan."""
    plan = services.get_plan(request.args.get("plan", type=int) or 0)
    form = RemindForm()
    form.department_id.choices = [("", "")] + department_choices()
    department_id = None
    if form.validate_on_submit():
        department_id = services.overseen(current_user, form.department_id.data)
        try:
            count = services.remind(current_user, plan, utcnow(), department_id=department_id,
                                    not_done=form.not_done.data)
        except DomainError as error:
            db.session.rollback()
            if error.status == 403:
                raise
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("已提醒 %(n)d 人。", n=count) if count else _("没有需要提醒的人。"),
                  "success")
    return redirect(url_for("plans.department_progress", plan=plan.id,
                            **({"department": department_id} if department_id else {})))


# --- reviewing reflections ---------------------------------------------------------------------


def _reviews_page(errors: dict[int, str] | None = None, typed: dict[int, str] | None = None,
                  status: int = 200):
    pagination = db.paginate(services.reviews_query(current_user),
                             page=request.args.get("page", 1, type=int),
                             per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("plans/reviews.html", pagination=pagination, form=ReviewForm(),
                           errors=errors or {}, typed=typed or {}), status


@plans_bp.route("/reviews")
@roles_required(Role.DEPT_LEAD, Role.ADMIN)
def reviews():
    """Reflections waiting for my review: read, then accept or return with a comment."""
    return _reviews_page()


@plans_bp.route("/reviews/<int:reflection_id>", methods=["POST"])
@roles_required(Role.DEPT_LEAD, Role.ADMIN)
def review(reflection_id: int):
    """Accept a reflection (points for its author) or return it with a comment."""
    reflection = services.get_reviewable(current_user, reflection_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        message = next((m for errors in form.errors.values() for m in errors), _("请重试。"))
        return _reviews_page({reflection.id: message}, {reflection.id: form.comment.data or ""},
                             422)
    name, title = reflection.user.name, reflection.item.title
    try:
        if form.decision.data == "accept":
            services.accept_reflection(current_user, reflection, form.comment.data or "", utcnow())
        else:
            services.return_reflection(current_user, reflection, form.comment.data or "", utcnow())
    except DomainError as error:
        db.session.rollback()
        if error.status in (403, 404):
            raise
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
