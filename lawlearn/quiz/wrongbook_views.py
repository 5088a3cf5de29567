"""错题本 pages: my mistakes with the right answers, and redoing one of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from lawlearn.database import utcnow
from lawlearn.errors import Conflict, ValidationFailed
from lawlearn.extensions import db
from lawlearn.pagination import paginate
from lawlearn.quiz import quiz_bp, wrongbook
from lawlearn.quiz.models import QUESTION_TYPES, WrongAnswer
from lawlearn.quiz.wrongbook_forms import RedoForm, submitted_answer


@dataclass
class BookCard:
    """An entry of the book with its question as the bank has it now (bank letters)."""

    entry: WrongAnswer
    snapshot: dict[str, Any]

    @property
    def rights_to_go(self) -> int:
        return wrongbook.rights_to_go(self.entry)


@quiz_bp.route("/wrong-answers")
@login_required
def wrong_answers():
    """错题本: my open mistakes (or those that left the book), newest first, by source."""
    source = request.args.get("source")
    source = source if source in wrongbook.SOURCES else None
    cleared = request.args.get("status") == "cleared"
    if wrongbook.add_mistakes_revealed_since(current_user.id, utcnow()):
        db.session.commit()
    counts = wrongbook.book_counts(current_user.id)
    pagination = paginate(wrongbook.book_query(current_user.id, source=source, cleared=cleared))
    cards = [BookCard(entry, wrongbook.bank_snapshot(entry.question))
             for entry in pagination.items]
    return render_template("quiz/wrong_answers.html", cards=cards, pagination=pagination,
                           counts=counts, source=source, cleared=cleared,
                           sources=wrongbook.SOURCES, types=QUESTION_TYPES,
                           to_clear=wrongbook.RIGHT_IN_A_ROW_TO_CLEAR)


@quiz_bp.route("/wrong-answers/<int:entry_id>/redo", methods=["GET", "POST"])
@login_required
def wrong_redo(entry_id: int):
    """Redo a question of my book: right twice in a row and it leaves the book."""
    entry = wrongbook.own_entry(current_user.id, entry_id)
    form = RedoForm()
    snapshot = wrongbook.bank_snapshot(entry.question)
    result, notice, status = None, None, 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            result = wrongbook.redo(current_user.id, entry.id, submitted_answer(request.form),
                                    utcnow(), version=form.version.data or None)
        except Conflict as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("quiz.wrong_redo", entry_id=entry.id))
        except ValidationFailed as error:
            db.session.rollback()
            notice, status = error.message, error.status
        else:
            db.session.commit()
            snapshot = result.snapshot
    form = RedoForm(formdata=None, version=wrongbook.entry_version(entry))
    return render_template("quiz/wrong_redo.html", entry=entry, snapshot=snapshot, form=form,
                           result=result, notice=notice, sources=wrongbook.SOURCES,
                           types=QUESTION_TYPES, rights_to_go=wrongbook.rights_to_go(entry),
                           to_clear=wrongbook.RIGHT_IN_A_ROW_TO_CLEAR), status
