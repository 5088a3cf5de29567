"""Admin pages of a plan's life after authoring: its audience, publish / close / copy /
delete, the progress matrix with reminders, and its XLSX export."""

from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lawlearn.accounts.departments import department_choices, get_department
from lawlearn.accounts.forms import ConfirmForm
from lawlearn.converters import record_id
from lawlearn.database import utcnow
from lawlearn.errors import Conflict, DomainError, show_beside_fields
from lawlearn.extensions import db
from lawlearn.localtime import same_day_next_year
from lawlearn.pagination import page_arg
from lawlearn.plans import item_settings, plans_admin_bp, publishing
from lawlearn.plans.admin_forms import (
    AudienceForm,
    RemindForm,
)
from lawlearn.plans.admin_views import back_to_plan, plan_or_404
from lawlearn.plans.matrix import matrix
from lawlearn.plans.view_helpers import (
    matrix_context,
    matrix_download,
    plan_for_matrix,
    posted_remind_form,
    run_change,
    send_reminders,
)
from lawlearn.quiz.authoring import user_ids_for, usernames_of
from lawlearn.quiz.services import settle_expired_attempts
from lawlearn.submissions import forget_targets

# --- audience ------------------------------------------------------------------------------


@plans_admin_bp.route("/<int:plan_id>/audience", methods=["GET", "POST"])
def audience(plan_id: int):
    """Who the plan is for: everyone, or departments, people and roles."""
    plan = plan_or_404(plan_id)
    form = AudienceForm()
    form.department_ids.choices = department_choices()
    if request.method == "GET":
        form.everyone.data = plan.audience_all
        form.department_ids.data = [a.department_id for a in plan.audience if a.department_id]
        form.roles.data = [a.role for a in plan.audience if a.role]
        form.usernames.data = " ".join(usernames_of([a.user_id for a in plan.audience
                                                     if a.user_id]))
    status = 200
    if form.validate_on_submit():
        try:
            user_ids = user_ids_for(re.split(r"[\s,，、;；]+", form.usernames.data or ""))
            notified = publishing.set_audience(
                current_user, plan, utcnow(), everyone=form.everyone.data,
                department_ids=form.department_ids.data or [], user_ids=user_ids,
                roles=form.roles.data or [])
        except DomainError as error:
            db.session.rollback()
            show_beside_fields(form, error, "department_ids")
            status = 422
        else:
            db.session.commit()
            flash(_("计划对象已保存。") if not notified else
                  _("计划对象已保存，已通知新加入的 %(n)d 人。", n=notified), "success")
            return back_to_plan(plan)
    elif request.method == "POST":
        status = 422
    return render_template("plans_admin/audience.html", plan=plan, form=form), status


# --- publish, close, delete, copy --------------------------------------------------------


@plans_admin_bp.route("/<int:plan_id>/publish", methods=["POST"])
def plan_publish(plan_id: int):
    """Publish a draft; its audience gets a notice (the button asks first)."""
    plan = plan_or_404(plan_id)
    if ConfirmForm().validate_on_submit():
        run_change(lambda: publishing.publish_plan(current_user, plan, utcnow()),
                   lambda count: _("已发布，已通知 %(n)d 人。", n=count))
    return back_to_plan(plan)


@plans_admin_bp.route("/<int:plan_id>/close", methods=["GET", "POST"])
def plan_close(plan_id: int):
    """Ask, then end a published plan (its records stay)."""
    plan = plan_or_404(plan_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        run_change(lambda: publishing.close_plan(current_user, plan, utcnow()),
                   lambda _none: _("计划已结束。"))
        return back_to_plan(plan)
    return render_template("plans_admin/confirm.html", plan=plan, form=form, action="close")


@plans_admin_bp.route("/<int:plan_id>/delete", methods=["GET", "POST"])
def plan_delete(plan_id: int):
    """Ask, then delete a draft with its items."""
    plan = plan_or_404(plan_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = plan.title
        page = url_for("plans_admin.plan_detail", plan_id=plan.id)
        if run_change(lambda: publishing.delete_plan(current_user, plan, utcnow()),
                      lambda _none: _("已删除《%(title)s》。", title=title)):
            forget_targets(page)  # the same plan form again makes it anew
            db.session.commit()
            return redirect(url_for("plans_admin.plans"))
        return back_to_plan(plan)
    return render_template("plans_admin/confirm.html", plan=plan, form=form, action="delete")


@plans_admin_bp.route("/<int:plan_id>/copy", methods=["GET", "POST"])
def plan_copy(plan_id: int):
    """Show what the copy for next year will be, then make it (a new draft), only once."""
    plan = plan_or_404(plan_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            copy, cleared = publishing.copy_plan(current_user, plan, utcnow())
        except Conflict as error:  # copied already: the page shows where the copy is
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("plans_admin.plan_copy", plan_id=plan.id))
        db.session.commit()
        if cleared:
            flash(_("已复制为《%(title)s》（草稿）。有 %(n)d 项需重新选择测验或学法活动。",
                    title=copy.title, n=len(cleared)), "success")
        else:
            flash(_("已复制为《%(title)s》（草稿）。", title=copy.title), "success")
        return back_to_plan(copy)
    preview = {"title": publishing.next_year_title(plan.title, plan.starts_on.year),
               "starts_on": same_day_next_year(plan.starts_on),
               "ends_on": same_day_next_year(plan.ends_on),
               "cleared": [i for i in plan.items if i.kind in item_settings.DATED_TARGETS]}
    return render_template("plans_admin/confirm.html", plan=plan, form=form, action="copy",
                           preview=preview, existing=publishing.existing_copy(plan))


# --- progress ------------------------------------------------------------------------------


@plans_admin_bp.route("/<int:plan_id>/progress")
def plan_progress(plan_id: int):
    """People × items with each status, completion per item and department, reminders."""
    settle_expired_attempts(utcnow())  # a quiz item's paper left past its deadline counts
    plan = plan_for_matrix(plan_id)
    department_id = request.args.get("department", type=record_id)
    department = get_department(department_id) if department_id else None
    grid = matrix(plan, utcnow(), department_id=department_id)
    remind_form = RemindForm(formdata=None, department_id=department_id)
    remind_form.department_id.choices = [("", _("全部部门"))] + department_choices()
    params = {"plan_id": plan.id, **({"department": department_id} if department_id else {})}
    return render_template(
        "plans_admin/progress.html", plan=plan, department=department, params=params,
        department_id=department_id, department_choices=remind_form.department_id.choices[1:],
        remind_form=remind_form, **matrix_context(grid, page_arg()))


@plans_admin_bp.route("/<int:plan_id>/progress.xlsx")
def plan_progress_export(plan_id: int):
    """The matrix as XLSX: people × items, per-item rates, per-department rates."""
    settle_expired_attempts(utcnow())  # as the page
    department_id = request.args.get("department", type=record_id)
    return matrix_download(plan_for_matrix(plan_id),
                           get_department(department_id) if department_id else None)


@plans_admin_bp.route("/<int:plan_id>/remind", methods=["POST"])
def plan_remind(plan_id: int):
    """Send a notice to those behind (overdue, or optionally not done)."""
    plan = plan_or_404(plan_id)
    form = posted_remind_form()
    department_id = None
    if form.validate_on_submit():
        department_id = form.department_id.data
        send_reminders(plan, department_id, form.not_done.data)
    return redirect(url_for("plans_admin.plan_progress", plan_id=plan.id,
                            **({"department": department_id} if department_id else {})))
