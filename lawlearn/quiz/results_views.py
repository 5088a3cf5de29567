"""Admin pages of a quiz's results: summary, distribution, departments, people, item analysis,
and the XLSX / CSV exports."""

from __future__ import annotations

from flask import abort, current_app, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lawlearn.database import utcnow
from lawlearn.exports import CSV_MIMETYPE, XLSX_MIMETYPE, download, filename_part
from lawlearn.extensions import db
from lawlearn.pagination import page_arg, page_of
from lawlearn.quiz import audience, quiz_admin_bp
from lawlearn.quiz import item_analysis as analysing
from lawlearn.quiz import results as scoring
from lawlearn.quiz import results_export as exporting
from lawlearn.quiz.authoring import get_quiz
from lawlearn.quiz.models import GRADING_METHODS
from lawlearn.quiz.services import finalize_expired_attempts
from lawlearn.security import leader_reads

MIMETYPES = {"xlsx": XLSX_MIMETYPE, "csv": CSV_MIMETYPE}


def _links(quiz_id: int) -> dict[str, str | None]:
    """Links back to the quiz list and the quiz's settings, when those pages exist."""
    pages = current_app.view_functions
    return {"quizzes_url": url_for("quiz_admin.quizzes") if "quiz_admin.quizzes" in pages
            else None,
            "edit_url": url_for("quiz_admin.quiz_edit", quiz_id=quiz_id)
            if "quiz_admin.quiz_edit" in pages and current_user.is_admin else None}


def _closed_up(quiz_id: int):
    """The quiz, after submitting attempts left open past their deadline (they count)."""
    quiz = get_quiz(quiz_id)
    if finalize_expired_attempts(utcnow()):
        db.session.commit()
    return quiz

@quiz_admin_bp.route("/quizzes/<int:quiz_id>/results")
@leader_reads
def quiz_results(quiz_id: int):
    """A quiz's results: summary, score distribution, departments and people."""
    quiz = _closed_up(quiz_id)
    results = scoring.quiz_results(quiz)
    people = page_of(results.people, page_arg(), current_app.config["PER_PAGE"])
    return render_template("quiz_admin/results.html", quiz=quiz, results=results,
                           people=people, grading=GRADING_METHODS.get(quiz.grading, quiz.grading),
                           outstanding=audience.outstanding(quiz), named=audience.NAMED,
                           **_links(quiz.id))


@quiz_admin_bp.route("/quizzes/<int:quiz_id>/items")
@leader_reads
def item_analysis(quiz_id: int):
    """Facility, discrimination and answer choices of each question of a quiz."""
    quiz = _closed_up(quiz_id)
    return render_template("quiz_admin/item_analysis.html", quiz=quiz,
                           analysis=analysing.item_analysis(quiz), **_links(quiz.id),
                           easy=analysing.EASY_FACILITY, hard=analysing.HARD_FACILITY,
                           min_answers=analysing.FLAG_MIN_ANSWERS)


@quiz_admin_bp.route("/quizzes/<int:quiz_id>/results.<fmt>")
@leader_reads
def results_export(quiz_id: int, fmt: str):
    """Download a quiz's results as XLSX (with the item analysis) or CSV."""
    if fmt not in exporting.EXPORT_FORMATS:
        abort(400)
    quiz = _closed_up(quiz_id)
    data = exporting.export_results(quiz, fmt)
    name = _("%(title)s-成绩.%(ext)s", title=filename_part(quiz.title, str(quiz.id)), ext=fmt)
    return download(data, name, MIMETYPES[fmt], fallback=f"quiz-{quiz.id}-results.{fmt}")
