"""Admin pages for study materials, their attachments and collections."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lawlearn.accounts.forms import ConfirmForm
from lawlearn.converters import record_id
from lawlearn.errors import DomainError, show_beside_fields
from lawlearn.extensions import db
from lawlearn.library import attachments, library_admin_bp, material_deletion, materials
from lawlearn.library.material_forms import (
    AttachmentForm,
    CollectionEntryForm,
    CollectionForm,
    MaterialForm,
)
from lawlearn.library.models import (
    MATERIAL_KINDS,
    Material,
    MaterialAttachment,
    MaterialCollection,
)
from lawlearn.library.references import format_references
from lawlearn.pagination import paginate
from lawlearn.security import is_safe_next
from lawlearn.submissions import once_per_submission

# --- materials ----------------------------------------------------------------------


@library_admin_bp.route("/materials", endpoint="materials")
def materials_page():
    """All materials in a dense table with search, kind and publication filters."""
    kind = request.args.get("kind") or None
    kind = kind if kind in MATERIAL_KINDS else None
    status = request.args.get("status", "")
    published = {"published": True, "draft": False}.get(status)
    query = materials.material_query(q=request.args.get("q"), kind=kind,
                                     tag=(request.args.get("tag") or "").strip() or None,
                                     published_only=False, published=published)
    pagination = paginate(query)
    return render_template("library_admin/materials.html", pagination=pagination,
                           kinds=MATERIAL_KINDS, status=status)


def _fields(form: MaterialForm) -> materials.MaterialFields:
    return materials.MaterialFields(
        title=form.title.data or "", kind=form.kind.data, body_markdown=form.body_markdown.data,
        source=form.source.data, video_url=form.video_url.data,
        tags=materials.parse_tags(form.tags.data), article_refs=form.article_refs.data or "",
        published=form.published.data)


def _material_form(material: Material) -> MaterialForm:
    """The edit form filled from ``material``, whatever the request carries."""
    return MaterialForm(formdata=None, data={
        "title": material.title, "kind": material.kind, "source": material.source,
        "body_markdown": material.body_markdown, "video_url": material.video_url,
        "tags": "、".join(material.tags), "article_refs": format_references(material.articles),
        "published": material.published})


def _edit_page(material: Material, form: MaterialForm, attach_form: AttachmentForm | None = None,
               status: int = 200):
    return render_template("library_admin/material_form.html", material=material, form=form,
                           attach_form=attach_form or AttachmentForm(prefix="attach",
                                                                     formdata=None),
                           blockers=material_deletion.deletion_blockers(material),
                           collections=material_deletion.collections_holding(material),
                           delete_form=ConfirmForm()), status


@library_admin_bp.route("/materials/new", methods=["GET", "POST"])
@once_per_submission(lambda: url_for("library_admin.materials"))
def material_new():
    """Create a study material."""
    form = MaterialForm()
    if form.validate_on_submit():
        try:
            material = materials.create_material(current_user, _fields(form))
        except DomainError as error:
            show_beside_fields(form, error, "title")
        else:
            db.session.commit()
            flash(_("已创建学习资料《%(title)s》，可继续上传附件。", title=material.title),
                  "success")
            return redirect(url_for("library_admin.material_edit", material_id=material.id))
    return render_template("library_admin/material_form.html", material=None, form=form), (
        422 if form.errors else 200)


@library_admin_bp.route("/materials/<int:material_id>", methods=["GET", "POST"])
def material_edit(material_id: int):
    """Edit a material; its attachments and publication are managed on the same page."""
    material = materials.get_material(material_id, published_only=False)
    form = (MaterialForm() if request.method == "POST"
            else _material_form(material))
    if form.validate_on_submit():
        try:
            materials.update_material(current_user, material, _fields(form))
        except DomainError as error:
            db.session.rollback()
            show_beside_fields(form, error, "title")
        else:
            db.session.commit()
            flash(_("已保存。"), "success")
            return redirect(url_for("library_admin.material_edit", material_id=material.id))
    material = materials.get_material(material_id, published_only=False)
    return _edit_page(material, form, status=422 if form.errors else 200)


@library_admin_bp.route("/materials/<int:material_id>/attachments", methods=["POST"])
def material_attach(material_id: int):
    """Upload an attachment; its content, not its name, decides whether it is accepted."""
    material = materials.get_material(material_id, published_only=False)
    attach_form = AttachmentForm(prefix="attach")
    if attach_form.validate_on_submit():
        upload = attach_form.file.data
        try:
            attachment = attachments.add_attachment(current_user, material, upload.filename,
                                                  upload.read())
        except DomainError as error:
            db.session.rollback()
            show_beside_fields(attach_form, error, "file")
        else:
            db.session.commit()
            flash(_("已上传附件 %(name)s。", name=attachment.original_name), "success")
            return redirect(url_for("library_admin.material_edit", material_id=material.id))
    material = materials.get_material(material_id, published_only=False)
    return _edit_page(material, _material_form(material), attach_form, status=422)


@library_admin_bp.route("/attachments/<int:attachment_id>/delete", methods=["POST"])
def attachment_delete(attachment_id: int):
    """Delete an attachment and its stored file."""
    attachment = db.get_or_404(MaterialAttachment, attachment_id)
    material_id, name = attachment.material_id, attachment.original_name
    path = attachments.remove_attachment(current_user, attachment)
    db.session.commit()
    # The file goes only once the row is gone for good.
    path.unlink(missing_ok=True)
    flash(_("已删除附件 %(name)s。", name=name), "success")
    return redirect(url_for("library_admin.material_edit", material_id=material_id))


@library_admin_bp.route("/materials/<int:material_id>/delete", methods=["POST"])
def material_delete(material_id: int):
    """Delete a material made by mistake, when nobody has read it and nothing points at it
    (asked first); its attachments' files go after the commit."""
    material = materials.get_material(material_id, published_only=False)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    title = material.title
    try:
        files = material_deletion.delete_material(current_user, material)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("library_admin.material_edit", material_id=material_id))
    db.session.commit()
    for path in files:
        path.unlink(missing_ok=True)
    flash(_("已删除学习资料《%(title)s》。", title=title), "success")
    return redirect(url_for("library_admin.materials"))


def _withdrawn_message(material) -> str:
    from lawlearn.plans.item_settings import open_plans_reading

    plans = open_plans_reading(material.id)
    if not plans:
        return _("已撤回《%(title)s》，职工不再可见。", title=material.title)
    # A plan's reading item keeps its text, so that nobody is left unable to finish.
    return _("已撤回《%(title)s》，资料库中不再显示；学习计划%(plans)s中的阅读事项仍显示其正文，"
             "如需一并撤下，请修改这些计划的事项。", title=material.title,
             plans="、".join(f"《{title}》" for title in plans))


@library_admin_bp.route("/materials/<int:material_id>/publish", methods=["POST"])
def material_publish(material_id: int):
    """Publish (``published=1``) or withdraw (``published=0``) a material."""
    material = materials.get_material(material_id, published_only=False)
    if request.form.get("published") not in ("0", "1"):
        abort(400)
    published = request.form.get("published") == "1"
    try:
        materials.set_material_published(current_user, material, published)
    except DomainError as refusal:
        flash(refusal.message, "error")
    else:
        db.session.commit()
        flash(_("已发布《%(title)s》。", title=material.title) if published
              else _withdrawn_message(material), "success")
    target = request.form.get("next")
    return redirect(target if is_safe_next(target)
                    else url_for("library_admin.material_edit", material_id=material.id))


# --- collections --------------------------------------------------------------------


@library_admin_bp.route("/collections", methods=["GET", "POST"])
def collections():
    """List collections and create a new one."""
    form = CollectionForm()
    if form.validate_on_submit():
        try:
            collection = materials.create_collection(current_user, form.title.data,
                                                     form.description.data or "",
                                                     form.published.data)
        except DomainError as error:
            show_beside_fields(form, error, "title")
        else:
            db.session.commit()
            flash(_("已创建学习专题《%(title)s》，请添加资料。", title=collection.title),
                  "success")
            return redirect(url_for("library_admin.collection_edit",
                                    collection_id=collection.id))
    rows = db.session.scalars(materials.collection_query(published_only=False)).all()
    return render_template("library_admin/collections.html", form=form, collections=rows), (
        422 if form.errors else 200)


def _collection_action(collection: MaterialCollection, action: str | None,
                       edit_form: CollectionForm, entry_form: CollectionEntryForm) -> bool:
    """Carry out the posted action; False when its form did not pass its own checks."""
    entry_id = request.form.get("entry_id", type=record_id) or 0
    if action == "edit":
        if not edit_form.validate():
            return False
        materials.update_collection(current_user, collection, edit_form.title.data,
                                    edit_form.description.data or "", edit_form.published.data)
    elif action == "add":
        if not entry_form.validate():
            return False
        material = materials.get_material(entry_form.material_id.data, published_only=False)
        materials.add_to_collection(collection, material, entry_form.group_title.data or "",
                                    actor=current_user)
    elif action in ("up", "down"):
        materials.move_entry(collection, entry_id, -1 if action == "up" else 1)
    elif action == "remove":
        materials.remove_entry(current_user, collection, entry_id)
    else:
        abort(400)
    return True


@library_admin_bp.route("/collections/<int:collection_id>", methods=["GET", "POST"])
def collection_edit(collection_id: int):
    """Edit a collection; add, move (within its group) and remove materials."""
    collection = materials.get_collection(collection_id, published_only=False)
    action = request.form.get("action") if request.method == "POST" else None
    edit_form = CollectionForm(
        prefix="edit", formdata=request.form if action == "edit" else None,
        data={"title": collection.title, "description": collection.description,
              "published": collection.published})
    entry_form = CollectionEntryForm(prefix="entry",
                                     formdata=request.form if action == "add" else None)
    entry_form.material_id.choices = [("", _("请选择"))] + materials.material_choices()
    if request.method == "POST":
        try:
            done = _collection_action(collection, action, edit_form, entry_form)
        except DomainError as error:
            db.session.rollback()
            if action == "edit":
                show_beside_fields(edit_form, error, "title")
            elif action == "add":
                show_beside_fields(entry_form, error, "material_id")
            else:
                flash(error.message, "error")
                return redirect(url_for("library_admin.collection_edit",
                                        collection_id=collection_id))
        else:
            if done:
                db.session.commit()
                flash(_("已保存。"), "success")
                return redirect(url_for("library_admin.collection_edit",
                                        collection_id=collection.id))
        collection = materials.get_collection(collection_id, published_only=False)
    has_errors = bool(edit_form.errors or entry_form.errors)
    return render_template("library_admin/collection_form.html", collection=collection,
                           entries=materials.collection_entries(collection),
                           edit_form=edit_form, entry_form=entry_form), (
        422 if has_errors else 200)
