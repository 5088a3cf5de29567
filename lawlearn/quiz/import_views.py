"""Admin pages of the question import: upload → preview every row → confirm, all or nothing."""

from __future__ import annotations

import io
import re
import secrets
import time
from pathlib import Path

from flask import abort, current_app, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lawlearn.errors import DomainError
from lawlearn.extensions import db
from lawlearn.quiz import importing, quiz_admin_bp
from lawlearn.quiz.import_forms import QuestionImportConfirmForm, QuestionImportForm
from lawlearn.quiz.models import QUESTION_TYPES

STASH_NAME = re.compile(r"^[0-9a-f]{32}$")
STASH_LIFETIME_SECONDS = 24 * 3600
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _stash_dir() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _drop_stale_stashes() -> None:
    """Previews never confirmed are removed after a day."""
    cutoff = time.time() - STASH_LIFETIME_SECONDS
    for path in _stash_dir().glob("questions-*"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _stash_path(token: str) -> Path:
    if not STASH_NAME.match(token or ""):
        abort(404)
    return _stash_dir() / f"questions-{current_user.id}-{token}.upload"


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
                # Kept in the shared upload folder (any app server can take the
                # confirmation) and read again then: the bank may change meanwhile.
                _drop_stale_stashes()
                token = secrets.token_hex(16)
                _stash_path(token).write_bytes(data)
    return render_template("quiz_admin/question_import.html", form=form, parsed=parsed,
                           confirm_form=QuestionImportConfirmForm(token=token), token=token,
                           type_labels=QUESTION_TYPES)


@quiz_admin_bp.route("/questions/import/confirm", methods=["POST"])
def question_import_confirm():
    """Create every question of the previewed file, or none."""
    form = QuestionImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    path = _stash_path(form.token.data)
    if not path.exists():
        flash(_("预览已过期，请重新上传文件。"), "error")
        return redirect(url_for("quiz_admin.question_import"))
    try:
        parsed = importing.parse_question_import(path.read_bytes())
        if not parsed.ok:
            flash(_("表格在预览后出现 %(n)d 处问题（如法规已被修改），未导入任何试题，请重新上传。",
                    n=len(parsed.problems)), "error")
            return redirect(url_for("quiz_admin.question_import"))
        imported = importing.apply_question_import(current_user, parsed)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("quiz_admin.question_import"))
    db.session.commit()
    path.unlink(missing_ok=True)
    flash(_("已导入 %(n)d 道试题", n=imported), "success")
    if parsed.duplicates:
        flash(_("跳过 %(n)d 道与题库中已有试题重复的试题", n=len(parsed.duplicates)), "info")
    return redirect(url_for("quiz_admin.questions"))


@quiz_admin_bp.route("/questions/import/template.xlsx")
def question_import_template():
    """Download the question import template."""
    return send_file(io.BytesIO(importing.template_workbook()), as_attachment=True,
                     download_name="试题导入模板.xlsx", mimetype=XLSX_MIMETYPE)
