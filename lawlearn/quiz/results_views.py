"""Admin pages of a quiz's results: summary, distribution, departments, people, item analysis,
and the XLSX / CSV exports."""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, render_template, request, send_file, url_for
from flask_babel import gettext as _

from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.quiz import quiz_admin_bp
from lawlearn.quiz import results as scoring
from lawlearn.quiz import results_export as exporting
from lawlearn.quiz.authoring import get_quiz
from lawlearn.quiz.models import GRADING_METHODS
from lawlearn.quiz.services import finalize_expired_attempts

MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass
class Page:
    """One page of a list already in memory, with what the pager needs."""

    items: list[Any]
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _page_of(rows: list[Any], page: int, per_page: int) -> Page:
    pages = max(1, math.ceil(len(rows) / per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    return Page(rows[start:start + per_page], page, pages, len(rows))


def _links(quiz_id: int) -> dict[str, str | None]:
    """Links back to the quiz list and the quiz's settings, when those pages exist."""
    pages = current_app.view_functions
    return {"quizzes_url": url_for("quiz_admin.quizzes") if "quiz_admin.quizzes" in pages
            else None,
            "edit_url": url_for("quiz_admin.quiz_edit", quiz_id=quiz_id)
            if "quiz_admin.quiz_edit" in pages else None}


def _closed_up(quiz_id: int):
    """The quiz, after submitting attempts left open past their deadline (they count)."""
    quiz = get_quiz(quiz_id)
    if finalize_expired_attempts(utcnow()):
        db.session.commit()
    return quiz

@quiz_admin_bp.route("/quizzes/<int:quiz_id>/results")
def quiz_results(quiz_id: int):
    """A quiz's results: summary, score distribution, departments and people."""
    quiz = _closed_up(quiz_id)
    results = scoring.quiz_results(quiz)
    people = _page_of(results.people, request.args.get("page", 1, type=int),
                      current_app.config.get("PER_PAGE", 20))
    return render_template("quiz_admin/results.html", quiz=quiz, results=results,
                           people=people, grading=GRADING_METHODS.get(quiz.grading, quiz.grading),
                           **_links(quiz.id))


@quiz_admin_bp.route("/quizzes/<int:quiz_id>/items")
def item_analysis(quiz_id: int):
    """Facility, discrimination and answer choices of each question of a quiz."""
    quiz = _closed_up(quiz_id)
    return render_template("quiz_admin/item_analysis.html", quiz=quiz,
                           analysis=scoring.item_analysis(quiz), **_links(quiz.id),
                           easy=scoring.EASY_FACILITY, hard=scoring.HARD_FACILITY)


@quiz_admin_bp.route("/quizzes/<int:quiz_id>/results.<fmt>")
def results_export(quiz_id: int, fmt: str):
    """Download a quiz's results as XLSX (with the item analysis) or CSV."""
    if fmt not in exporting.EXPORT_FORMATS:
        abort(400)
    quiz = _closed_up(quiz_id)
    data = exporting.export_results(quiz, fmt)
    title = UNSAFE_IN_FILENAME.sub("_", quiz.title).strip("_") or str(quiz.id)
    return send_file(io.BytesIO(data), mimetype=MIMETYPES[fmt], as_attachment=True,
                     download_name=_("%(title)s-成绩.%(ext)s", title=title, ext=fmt),
                     max_age=0)
