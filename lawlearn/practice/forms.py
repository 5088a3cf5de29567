"""Forms of the practice pages."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput


class DailyAnswerForm(FlaskForm):
    """One answer of the daily practice. The answer's own fields depend on the question
    (radio, check boxes, blanks) and are read by :func:`posted_answer`."""

    question_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


def posted_answer(form: MultiDict[str, str]) -> Any:
    """The raw answer of a daily-practice form: "answer" (one or more chosen keys, or
    true/false) or "blank" (one per blank); None when nothing was given."""
    blanks = form.getlist("blank")
    if blanks:
        return blanks if any(value.strip() for value in blanks) else None
    chosen = form.getlist("answer")
    if not chosen:
        return None
    return chosen if len(chosen) > 1 else chosen[0]
