"""Admin pages for statutes: list, import with a preview of the outline, edit details,
delete a version imported by mistake."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lawlearn import uploads
from lawlearn.accounts.forms import ConfirmForm
from lawlearn.errors import DomainError, show_beside_fields
from lawlearn.extensions import db
from lawlearn.library import corrections, deletion, library_admin_bp, services
from lawlearn.library.forms import (
    ArticleCorrectionForm,
    LawForm,
    LawImportConfirmForm,
    LawImportForm,
)
from lawlearn.library.parsing import parse_law


def _display_name(filename: str | None) -> str:
    """The uploaded file's own name (Chinese kept), without any path or control characters."""
    name = re.split(r"[\\/]", filename or "")[-1]
    return "".join(ch for ch in name if ch.isprintable()).strip()[:255]


@library_admin_bp.route("/laws")
def laws():
    """Every statute and version in the library."""
    return render_template("library_admin/laws.html", laws=services.list_laws(include_old=True))


@library_admin_bp.route("/laws/import", methods=["GET", "POST"])
def law_import():
    """Upload a statute text and preview its parsed outline; nothing is saved yet."""
    form = LawImportForm()
    parsed = token = None
    existing = None
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            parsed = parse_law(data, form.title.data or None)
            existing = services.current_version(parsed.title)
            services.refuse_unchanged(existing, parsed)
        except DomainError as error:
            form.file.errors = [*form.file.errors, error.message]
            parsed = existing = None
        else:
            token = uploads.stash("law", current_user.id, data)
    confirm_form = LawImportConfirmForm(
        token=token, title=form.title.data or "",
        source_name=_display_name(form.file.data.filename) if token else "")
    return render_template("library_admin/law_import.html", form=form, parsed=parsed,
                           token=token, confirm_form=confirm_form, existing=existing,
                           dropped=services.articles_dropped(existing, parsed) if parsed
                           else 0)


@library_admin_bp.route("/laws/import/confirm", methods=["POST"])
def law_import_confirm():
    """Save the previewed statute (a new version if the law is already in the library)."""
    form = LawImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        stashed = uploads.claim("law", current_user.id, form.token.data)
    except uploads.AlreadyClaimed:
        flash(_("这份文件已提交导入，请勿重复提交；稍后在法规库中查看结果。"), "info")
        return redirect(url_for("library_admin.laws"))
    if stashed is None:
        flash(_("预览已过期，请重新上传文件。"), "error")
        return redirect(url_for("library_admin.law_import"))
    try:
        law = services.import_law(current_user, stashed[0],
                                  title=form.title.data or None,
                                  source_name=form.source_name.data or None)
    except DomainError as error:
        db.session.rollback()
        uploads.release("law", current_user.id, form.token.data)
        flash(error.message, "error")
        return redirect(url_for("library_admin.law_import"))
    db.session.commit()
    uploads.drop("law", current_user.id, form.token.data)
    flash(_("已导入《%(title)s》（第 %(v)d 版），共 %(n)d 条。", title=law.title, v=law.version,
            n=law.article_count), "success")
    return redirect(url_for("library_admin.law_edit", law_id=law.id))


@library_admin_bp.route("/laws/<int:law_id>", methods=["GET", "POST"])
def law_edit(law_id: int):
    """Edit a statute's details: category, status, issuing body, dates."""
    law = services.get_law(law_id)
    form = LawForm(obj=law)
    status = 200
    if form.validate_on_submit():
        try:
            services.update_law(current_user, law, services.LawMetadata(
                title=form.title.data, short_title=form.short_title.data,
                category=form.category.data, issuing_body=form.issuing_body.data,
                promulgated_on=form.promulgated_on.data, effective_on=form.effective_on.data,
                revision_note=form.revision_note.data, status=form.status.data))
        except DomainError as error:
            db.session.rollback()
            law = services.get_law(law_id)  # as saved, for the page's heading
            show_beside_fields(form, error, "title")
            status = 422
        else:
            db.session.commit()
            flash(_("已保存。"), "success")
            return redirect(url_for("library_admin.laws"))
    elif request.method == "POST":
        status = 422
    return render_template("library_admin/law_form.html", form=form, law=law,
                           blockers=deletion.deletion_blockers(law),
                           delete_form=ConfirmForm()), status


@library_admin_bp.route("/laws/<int:law_id>/delete", methods=["POST"])
def law_delete(law_id: int):
    """Delete a version imported by mistake, when nothing depends on it (asked first)."""
    law = services.get_law(law_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    title, version = law.title, law.version
    try:
        previous = deletion.delete_law(current_user, law)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("library_admin.law_edit", law_id=law_id))
    db.session.commit()
    flash(_("已删除《%(title)s》第 %(v)d 版。", title=title, v=version) + (
        _("第 %(v)d 版恢复为现行版本。", v=previous.version) if previous else ""), "success")
    return redirect(url_for("library_admin.laws"))


@library_admin_bp.route("/laws/<int:law_id>/articles/<int:article_id>", methods=["GET", "POST"])
def article_correct(law_id: int, article_id: int):
    """Correct an article's wording in place (a typo); an amendment is imported instead."""
    from lawlearn.library.views import article_url

    article = corrections.get_article(law_id, article_id)
    form = ArticleCorrectionForm()
    if request.method == "GET":
        form.text.data = "\n".join(article.paragraphs)
    if form.validate_on_submit():
        try:
            changed = corrections.correct_article(current_user, article, form.text.data)
        except DomainError as error:
            form.text.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("已更正%(label)s。", label=article.label) if changed
                  else _("条文没有改动。"), "success")
            return redirect(article_url(article))
    return render_template("library_admin/article_form.html", form=form, article=article,
                           law=article.law, back=article_url(article)), \
        422 if form.errors else 200
