"""Staff pages of study materials: the list, one material, its attachments, collections."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lawlearn.database import utcnow
from lawlearn.errors import DomainError
from lawlearn.exports import content_disposition
from lawlearn.extensions import db
from lawlearn.library import attachments, library_bp, materials
from lawlearn.library.models import MATERIAL_KINDS
from lawlearn.pagination import paginate


def _previewing() -> bool:
    """Admins see unpublished content when they ask for it with ``?preview=1``."""
    return current_user.is_admin and request.args.get("preview") == "1"


@library_bp.route("/materials", endpoint="materials")
@login_required
def materials_page():
    """Published materials by kind, tag and title; published collections on top."""
    kind = request.args.get("kind") or None
    kind = kind if kind in MATERIAL_KINDS else None
    tag = (request.args.get("tag") or "").strip() or None
    q = (request.args.get("q") or "").strip() or None
    query = materials.material_query(q=q, kind=kind, tag=tag)
    pagination = paginate(query)
    collections = db.session.scalars(materials.collection_query()).all()
    return render_template("library/materials.html", pagination=pagination,
                           collections=collections, kinds=MATERIAL_KINDS, kind=kind, tag=tag,
                           q=q or "")


@library_bp.route("/materials/<int:material_id>")
@login_required
def material(material_id: int):
    """One material: its text, video link, attachments, linked articles and my reading."""
    preview = _previewing()
    material = materials.get_material(material_id, published_only=not preview)
    reading, seconds_left = None, 0
    if material.published:
        now = utcnow()
        reading = materials.record_open(current_user.id, material.id, now)
        db.session.commit()
        seconds_left = materials.seconds_left(reading, now,
                                              materials.minimum_reading_seconds(material))
    return render_template("library/material.html", material=material, preview=preview,
                           reading=reading, seconds_left=seconds_left)


@library_bp.route("/materials/<int:material_id>/read", methods=["POST"])
@login_required
def material_read(material_id: int):
    """我已读完: confirm the reading once the minimum reading time has passed."""
    material = materials.get_material(material_id, published_only=True)
    try:
        _reading, paid = materials.confirm_reading(current_user.id, material, utcnow())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("已确认读完，获得 %(n)d 积分。", n=paid) if paid else _("已确认读完。"), "success")
    return redirect(url_for("library.material", material_id=material.id))


@library_bp.route("/materials/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    """Send an attachment: Word files as downloads, PDFs and images inline."""
    attachment = attachments.get_attachment(attachment_id,
                                          published_only=not current_user.is_admin)
    path = attachments.attachment_path(attachment)
    if not path.is_file():
        abort(404)
    as_download = not attachment.content_type.startswith(("application/pdf", "image/"))
    response = send_file(path, mimetype=attachment.content_type, conditional=True)
    response.headers["Content-Disposition"] = content_disposition(attachment.original_name,
                                                                  inline=not as_download)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@library_bp.route("/collections/<int:collection_id>")
@login_required
def collection(collection_id: int):
    """A published collection: its materials under their group headings."""
    preview = _previewing()
    collection = materials.get_collection(collection_id, published_only=not preview)
    groups = materials.collection_groups(collection, published_only=not preview)
    return render_template("library/collection.html", collection=collection, groups=groups,
                           preview=preview)
