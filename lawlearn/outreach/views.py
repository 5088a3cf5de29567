"""Staff pages (phone first): my department's outreach events, the event form, photos taken
with the phone's camera, submitting and deleting drafts, photos served behind a login."""

from __future__ import annotations

import shutil
from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from lawlearn.accounts.forms import ConfirmForm
from lawlearn.database import utcnow
from lawlearn.errors import DomainError
from lawlearn.extensions import db
from lawlearn.outreach import access, event_lists, history, outreach_bp, photos, services
from lawlearn.outreach.event_form import (
    fill_event_form,
    local,
    prepare_event_form,
    save_event_form,
)
from lawlearn.outreach.forms import EventForm, PhotoForm
from lawlearn.outreach.models import AUDIENCES, CHANNELS, EVENT_STATUSES
from lawlearn.pagination import paginate
from lawlearn.security import safe_next
from lawlearn.submissions import forget_targets, nothing_saved, once_per_submission


def _back(default: str) -> str:
    """Where to return after a POST: a safe ``next`` (the admin pages send one) or ``default``."""
    target = request.form.get("next")
    return safe_next(target) if target else default


@outreach_bp.app_template_filter("outreach_status")
def outreach_status(status: str) -> str:
    return history.status_label(status)


@outreach_bp.app_template_filter("audience_labels")
def audience_labels(keys: list[str] | None) -> str:
    return "、".join(str(AUDIENCES.get(key, key)) for key in keys or [])


@outreach_bp.app_template_filter("channel_label")
def channel_label(key: str) -> str:
    return str(CHANNELS.get(key, key))


@outreach_bp.app_template_filter("material_label")
def material_label(material) -> str:
    return history.material_label(material)


# --- pages ----------------------------------------------------------------------------------


@outreach_bp.route("/")
@login_required
def index():
    """My department's outreach events (普法活动台账), newest first, by status."""
    status = request.args.get("status")
    status = status if status in EVENT_STATUSES else None
    pagination = paginate(event_lists.events_query(current_user,
                                                   event_lists.EventFilters(status=status)))
    figures = event_lists.list_figures([event.id for event in pagination.items])
    return render_template("outreach/events.html", pagination=pagination, figures=figures,
                           status=status, statuses=EVENT_STATUSES,
                           records_events=access.records_events(current_user))


@outreach_bp.route("/events/new", methods=["GET", "POST"])
@login_required
@once_per_submission(lambda: url_for("outreach.index"))
def event_new():
    """Record an event for my department (a draft)."""
    if not access.records_events(current_user):
        flash(_("主要负责人账号只能查看普法活动，不能登记、修改或提交。"), "error")
        nothing_saved()
        return redirect(url_for("outreach.index"))
    if current_user.department_id is None and not current_user.is_admin:
        flash(_("您还没有所属部门，不能登记活动，请联系管理员。"), "error")
        nothing_saved()
        return redirect(url_for("outreach.index"))
    form = EventForm()
    prepare_event_form(form, None, admin=current_user.is_admin)
    if request.method == "GET":
        db.session.commit()  # categories created on a fresh database
        start = local(utcnow()).replace(minute=0, second=0, microsecond=0)
        form.starts_at.data, form.ends_at.data = start, start + timedelta(hours=2)
    event, material_errors, general_errors = save_event_form(form, None)
    if event is not None:
        return redirect(url_for("outreach.event", event_id=event.id))
    return render_template("outreach/event_form.html", form=form, event=None,
                           material_errors=material_errors, general_errors=general_errors), \
        422 if request.method == "POST" else 200


@outreach_bp.route("/events/<int:event_id>")
@login_required
def event(event_id: int):
    """An event: its figures, materials, laws, photos, and what I may do with it."""
    event = access.get_visible_event(current_user, event_id)
    return render_template(
        "outreach/event.html", event=event, returned=history.last_return(event),
        has_lead=event.status != "draft" or access.department_has_lead(event.department),
        can_edit=access.can_edit_event(current_user, event),
        can_submit=access.can_submit_event(current_user, event),
        over=access.is_over(event, utcnow()),
        can_delete=access.can_delete_event(current_user, event),
        can_feature=access.can_feature_photo(current_user, event),
        photo_form=PhotoForm(), confirm_form=ConfirmForm(),
        max_photos=photos.MAX_PHOTOS_PER_EVENT,
        max_photo_bytes=current_app.config.get("OUTREACH_PHOTO_MAX_BYTES",
                                               photos.MAX_PHOTO_BYTES))


@outreach_bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def event_edit(event_id: int):
    """Edit a draft (author, dept_lead or admin); verified events only by an admin."""
    event = access.get_visible_event(current_user, event_id)
    if not access.can_edit_event(current_user, event):
        try:
            access.require_edit(current_user, event)
        except DomainError as error:
            flash(error.message, "error")
        return redirect(url_for("outreach.event", event_id=event.id))
    form = EventForm()
    prepare_event_form(form, event, admin=current_user.is_admin)
    if request.method == "GET":
        db.session.commit()
        fill_event_form(form, event)
    saved, material_errors, general_errors = save_event_form(form, event)
    if saved is not None:
        return redirect(url_for("outreach.event", event_id=saved.id))
    return render_template("outreach/event_form.html", form=form, event=event,
                           material_errors=material_errors, general_errors=general_errors), \
        422 if request.method == "POST" else 200


@outreach_bp.route("/events/<int:event_id>/submit", methods=["POST"])
@login_required
def event_submit(event_id: int):
    """Submit a draft for the admin's verification (the department's lead)."""
    event = access.get_visible_event(current_user, event_id)
    back = _back(url_for("outreach.event", event_id=event.id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.submit_event(current_user, event, utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        # An admin submitting for a department is the one who verifies next.
        flash(_("已代为提交，请核实后审核通过。") if current_user.is_admin
              else _("已提交，等待管理员审核。"), "success")
    return redirect(back)


@outreach_bp.route("/events/<int:event_id>/delete", methods=["GET", "POST"])
@login_required
def event_delete(event_id: int):
    """Ask, then delete a draft with its photos."""
    event = access.get_visible_event(current_user, event_id)
    if not access.can_delete_event(current_user, event):
        flash(_("只有草稿可以删除，且只能由登记人、本部门负责人或管理员删除。"), "error")
        return redirect(url_for("outreach.event", event_id=event.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        title = event.title
        # The same event form again makes it anew (see lawlearn.submissions).
        forget_targets(url_for("outreach.event", event_id=event.id),
                       url_for("outreach_admin.event_edit", event_id=event.id))
        folder = services.delete_event(current_user, event)
        db.session.commit()
        shutil.rmtree(folder, ignore_errors=True)
        flash(_("已删除活动《%(title)s》。", title=title), "success")
        # An admin who came from the admin list goes back to it.
        return redirect(url_for("outreach_admin.events") if request.args.get("from") == "admin"
                        and current_user.is_admin else url_for("outreach.index"))
    return render_template("outreach/event_delete.html", event=event, form=form)


# --- photos ---------------------------------------------------------------------------------


@outreach_bp.route("/events/<int:event_id>/photos", methods=["POST"])
@login_required
def photo_upload(event_id: int):
    """Add photos taken with the phone's camera or picked from its gallery."""
    event = access.get_visible_event(current_user, event_id)
    back = _back(url_for("outreach.event", event_id=event.id, _anchor="photos"))
    # A refusal is shown at the top of the page: return there, not to the photos further down.
    refused = back.split("#", 1)[0]
    if not PhotoForm().validate_on_submit():
        abort(400)
    if not access.can_edit_event(current_user, event):
        flash(_("活动已提交或已审核，不能再添加照片。"), "error")
        return redirect(refused)
    files = [f for f in request.files.getlist("photos") if f and f.filename]
    if not files:
        flash(_("请先拍照或选择照片。"), "error")
        return redirect(refused)
    try:
        added = photos.add_photos(current_user, event, [(f.filename, f.read()) for f in files],
                                  utcnow())
    except photos.PhotosRefused as error:
        db.session.rollback()
        for message in (error.message, *error.refused):
            flash(message, "error")
        return redirect(refused)
    db.session.commit()
    if added:
        flash(_("已上传 %(n)d 张照片。", n=len(added)), "success")
    if added.skipped:
        flash(_("%(n)d 张照片此前已上传，未重复添加。", n=added.skipped), "info")
    return redirect(back)


@outreach_bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error: RequestEntityTooLarge):
    """Photos over the total request limit: back to the event with a message, not a bare 413."""
    event_id = (request.view_args or {}).get("event_id")
    if request.endpoint != "outreach.photo_upload" or event_id is None:
        return error
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    flash(_("照片均未上传：每次上传合计不能超过 %(size)d MB，请分几次上传。",
            size=limit // 1048576), "error")
    return redirect(url_for("outreach.event", event_id=event_id))


@outreach_bp.route("/photos/<int:photo_id>.jpg", defaults={"thumb": False})
@outreach_bp.route("/photos/<int:photo_id>-t.jpg", defaults={"thumb": True})
@login_required
def photo(photo_id: int, thumb: bool):
    """A photo (or its thumbnail) for people who may see the event; never public."""
    picture = photos.get_photo(photo_id)
    access.get_visible_event(current_user, picture.event_id)
    version = request.args.get("v")
    if version is not None and version != picture.stored_name:
        abort(404)  # an old link (a deleted photo whose id was reused) never shows this one
    path = photos.photo_path(picture, thumb=thumb)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="image/jpeg", conditional=True, max_age=None)
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@outreach_bp.route("/photos/<int:photo_id>/delete", methods=["POST"])
@login_required
def photo_delete(photo_id: int):
    """Remove a photo from an event that may still be edited."""
    picture = photos.get_photo(photo_id)
    event = access.get_visible_event(current_user, picture.event_id)
    back = _back(url_for("outreach.event", event_id=event.id, _anchor="photos"))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        paths = photos.remove_photo(current_user, picture)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(back)
    db.session.commit()
    for path in paths:
        path.unlink(missing_ok=True)
    flash(_("已删除照片。"), "success")
    return redirect(back)


@outreach_bp.route("/photos/<int:photo_id>/featured", methods=["POST"])
@login_required
def photo_featured(photo_id: int):
    """Choose a photo for the campaign summary, or take it out (admin or dept_lead)."""
    picture = photos.get_photo(photo_id)
    event = access.get_visible_event(current_user, picture.event_id)
    back = _back(url_for("outreach.event", event_id=event.id, _anchor="photos"))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        featured = request.form.get("featured") == "1"
        photos.set_featured(current_user, picture, featured)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("已选入总结照片。") if featured else _("已移出总结照片。"), "success")
    return redirect(back)
