"""Admin pages for outreach events: the list with filters, verification and returning to
draft, editing (verified events too, as audited revisions), and the categories (七进 + more)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lawlearn.accounts.departments import department_choices
from lawlearn.accounts.forms import ConfirmForm
from lawlearn.converters import record_id
from lawlearn.database import utcnow
from lawlearn.errors import DomainError
from lawlearn.extensions import db
from lawlearn.localtime import day_start, parse_day
from lawlearn.outreach import access, event_lists, history, outreach_admin_bp, photos, services
from lawlearn.outreach.categories import (
    add_category,
    ensure_categories,
    get_category,
    rename_category,
    set_category_active,
)
from lawlearn.outreach.event_form import fill_event_form, prepare_event_form, save_event_form
from lawlearn.outreach.forms import CategoryForm, EventForm, PhotoForm, ReturnForm
from lawlearn.outreach.models import EVENT_STATUSES
from lawlearn.pagination import paginate
from lawlearn.submissions import once_per_submission


def _date_arg(name: str) -> date | None:
    return request.args.get(name, type=parse_day)  # None when missing or not a day


def _int_arg(name: str) -> int | None:
    return request.args.get(name, type=record_id) or None


@outreach_admin_bp.route("/events")
def events():
    """Every department's events, filtered by status, department, category, campaign, period."""
    status = request.args.get("status")
    starts_on, ends_on = _date_arg("from"), _date_arg("to")
    filters = event_lists.EventFilters(
        status=status if status in EVENT_STATUSES else None,
        department_id=_int_arg("department_id"), category_id=_int_arg("category_id"),
        campaign_id=_int_arg("campaign_id"),
        starts_from=day_start(starts_on) if starts_on else None,
        starts_before=day_start(ends_on + timedelta(days=1)) if ends_on else None,
        q=request.args.get("q") or None)
    pagination = paginate(event_lists.events_query(current_user, filters))
    categories = ensure_categories()
    page = render_template(
        "outreach_admin/events.html", pagination=pagination, filters=filters,
        starts_on=starts_on, ends_on=ends_on, statuses=EVENT_STATUSES, categories=categories,
        campaigns=event_lists.campaign_choices(), departments=department_choices(),
        figures=event_lists.list_figures([event.id for event in pagination.items]),
        confirm_form=ConfirmForm())
    # After rendering: a commit first would expire every loaded event (one reload each).
    db.session.commit()  # categories missing from a create_all database were added
    return page


@outreach_admin_bp.route("/events/new", methods=["GET", "POST"])
@once_per_submission(lambda: url_for("outreach_admin.events"))
def event_new():
    """Record an event for any department."""
    form = EventForm()
    prepare_event_form(form, None, admin=True)
    if request.method == "GET":
        db.session.commit()
    event, material_errors, general_errors = save_event_form(form, None)
    if event is not None:
        return redirect(url_for("outreach_admin.event_edit", event_id=event.id))
    return render_template("outreach_admin/event_form.html", form=form, event=None,
                           material_errors=material_errors, general_errors=general_errors), \
        422 if request.method == "POST" else 200


@outreach_admin_bp.route("/events/<int:event_id>", methods=["GET", "POST"])
def event_edit(event_id: int):
    """Edit any event; a change to a verified one is written to the audit log as a revision."""
    event = services.get_event(event_id)
    form = EventForm()
    prepare_event_form(form, event, admin=True)
    if request.method == "GET":
        db.session.commit()
        fill_event_form(form, event)
    saved, material_errors, general_errors = save_event_form(form, event)
    if saved is not None:
        return redirect(url_for("outreach_admin.event_edit", event_id=saved.id))
    return render_template(
        "outreach_admin/event_form.html", form=form, event=event,
        material_errors=material_errors, general_errors=general_errors,
        over=access.is_over(event, utcnow()), history=history.event_history(event),
        returned=history.last_return(event),
        return_form=ReturnForm(), confirm_form=ConfirmForm(), photo_form=PhotoForm(),
        max_photos=photos.MAX_PHOTOS_PER_EVENT,
        max_photo_bytes=current_app.config.get("OUTREACH_PHOTO_MAX_BYTES",
                                               photos.MAX_PHOTO_BYTES)), \
        422 if request.method == "POST" else 200


@outreach_admin_bp.route("/events/<int:event_id>/verify", methods=["POST"])
def event_verify(event_id: int):
    """Verify a submitted event; it is locked from then on."""
    event = services.get_event(event_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.verify_event(current_user, event, utcnow())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("已审核通过《%(title)s》。", title=event.title), "success")
    back = request.form.get("back")
    if back == "list":
        return redirect(url_for("outreach_admin.events", status="submitted"))
    return redirect(url_for("outreach_admin.event_edit", event_id=event.id))


@outreach_admin_bp.route("/events/<int:event_id>/return", methods=["POST"])
def event_return(event_id: int):
    """Send a submitted event back to its department as a draft, with the reason."""
    event = services.get_event(event_id)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            services.return_event(current_user, event, form.comment.data, utcnow())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("已退回《%(title)s》，部门可修改后重新提交。", title=event.title), "success")
    else:
        flash(_("请填写退回原因。"), "error")
    return redirect(url_for("outreach_admin.event_edit", event_id=event.id))


# --- categories -------------------------------------------------------------------------------


@outreach_admin_bp.route("/categories", methods=["GET", "POST"])
def categories():
    """The seven "七进" categories (fixed) and the kinds admins add, rename or stop using."""
    form = CategoryForm()
    status = 200
    if form.validate_on_submit():
        try:
            add_category(current_user, form.name.data)
        except DomainError as error:
            db.session.rollback()
            form.name.errors = [*form.name.errors, error.message]
            status = 422
        else:
            db.session.commit()
            flash(_("已添加类别。"), "success")
            return redirect(url_for("outreach_admin.categories"))
    elif request.method == "POST":
        status = 422
    listed = ensure_categories()
    db.session.commit()
    return render_template("outreach_admin/categories.html", form=form, categories=listed,
                           confirm_form=ConfirmForm()), status


@outreach_admin_bp.route("/categories/<int:category_id>/rename", methods=["POST"])
def category_rename(category_id: int):
    """Rename a category an admin added (the seven keep their names)."""
    category = get_category(category_id)
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            rename_category(current_user, category, form.name.data)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("已更名。"), "success")
    else:
        flash(_("请填写类别名称（不超过 50 字）。"), "error")
    return redirect(url_for("outreach_admin.categories"))


@outreach_admin_bp.route("/categories/<int:category_id>/toggle", methods=["POST"])
def category_toggle(category_id: int):
    """Stop offering a category for new events (past events keep it), or offer it again."""
    category = get_category(category_id)
    if ConfirmForm().validate_on_submit():
        try:
            set_category_active(current_user, category, not category.active)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
        else:
            db.session.commit()
    return redirect(url_for("outreach_admin.categories"))
