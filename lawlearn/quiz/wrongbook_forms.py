"""Forms of the wrong-answer book, and reading one answer from a posted form (also for the
daily practice and challenge pages, whose questions use the same fields)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField

# More blanks than any question has: a crafted form cannot make the loop below run long.
MAX_BLANKS = 50


class RedoForm(FlaskForm):
    """Redo a question: the answer fields depend on its type (see :func:`submitted_answer`)."""

    # The entry's state when the page was shown: a form posted twice counts once.
    version = HiddenField()


def submitted_answer(formdata: MultiDict, name: str = "answer") -> Any:
    """One question's answer from a form, whatever its type: the values of ``name`` (a radio,
    check boxes, true/false) or the blanks ``name-0``, ``name-1``…; None when nothing was
    given. Grading then checks that it fits the question (see wrongbook.grade_answer)."""
    blanks: list[str] = []
    while len(blanks) < MAX_BLANKS and f"{name}-{len(blanks)}" in formdata:
        blanks.append(formdata.get(f"{name}-{len(blanks)}", ""))
    if blanks:
        return blanks if any(value.strip() for value in blanks) else None
    chosen = formdata.getlist(name)
    if not chosen:
        return None
    return chosen if len(chosen) > 1 else chosen[0]
