"""Admin pages of the question import: upload → preview every row → confirm, all or nothing."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lawlearn import uploads
from lawlearn.errors import DomainError
from lawlearn.exports import XLSX_MIMETYPE, download
from lawlearn.extensions import db
from lawlearn.quiz import import_template, importing, quiz_admin_bp
from lawlearn.quiz.import_forms import QuestionImportConfirmForm, QuestionImportForm
from lawlearn.quiz.models import QUESTION_TYPES


@quiz_admin_bp.route("/questions/import", methods=["GET", "POST"])
def question_import():
    """Upload a question bank and preview it; nothing is written yet."""
    form = QuestionImportForm()
    parsed = None
    token = None
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            parsed = importing.parse_question_import(data)
        except DomainError as error:
            form.file.errors = [*form.file.errors, error.message]
        else:
            if parsed.ok and parsed.questions:
                # Read again at confirmation: the bank may change meanwhile.
                token = uploads.stash("questions", current_user.id, data)
    return render_template("quiz_admin/question_import.html", form=form, parsed=parsed,
                           confirm_form=QuestionImportConfirmForm(token=token), token=token,
                           type_labels=QUESTION_TYPES)


@quiz_admin_bp.route("/questions/import/confirm", methods=["POST"])
def question_import_confirm():
    """Create every question of the previewed file, or none."""
    form = QuestionImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        stashed = uploads.claim("questions", current_user.id, form.token.data)
    except uploads.AlreadyClaimed:
        flash(_("这份文件已提交导入，请勿重复提交；稍后在题库中查看结果。"), "info")
        return redirect(url_for("quiz_admin.questions"))
    if stashed is None:
        flash(_("预览已过期，请重新上传文件。"), "error")
        return redirect(url_for("quiz_admin.question_import"))
    try:
        parsed = importing.parse_question_import(stashed[0])
        if not parsed.ok:  # each row's problem, as the preview shows them
            uploads.drop("questions", current_user.id, form.token.data)
            flash(_("表格在预览后出现 %(n)d 处问题（如法规已被修改），未导入任何试题，请改正后重新上传。",
                    n=len(parsed.problems)), "error")
            return render_template("quiz_admin/question_import.html", form=QuestionImportForm(),
                                   parsed=parsed, confirm_form=QuestionImportConfirmForm(),
                                   token=None, type_labels=QUESTION_TYPES), 409
        imported = importing.apply_question_import(current_user, parsed)
    except DomainError as error:
        db.session.rollback()
        uploads.release("questions", current_user.id, form.token.data)
        flash(error.message, "error")
        return redirect(url_for("quiz_admin.question_import"))
    db.session.commit()
    uploads.drop("questions", current_user.id, form.token.data)
    flash(_("已导入 %(n)d 道试题", n=imported), "success")
    if parsed.duplicates:
        flash(_("跳过 %(n)d 道与题库中已有试题重复的试题", n=len(parsed.duplicates)), "info")
    return redirect(url_for("quiz_admin.questions"))


@quiz_admin_bp.route("/questions/import/template.xlsx")
def question_import_template():
    """Download the question import template."""
    return download(import_template.template_workbook(), _("试题导入模板.xlsx"), XLSX_MIMETYPE,
                    fallback="question-import-template.xlsx")
