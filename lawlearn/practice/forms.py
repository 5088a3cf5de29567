"""Forms of the practice pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput


class DailyAnswerForm(FlaskForm):
    """One answer of the daily practice. The answer's own fields depend on the question
    (radio, check boxes, blanks) and are read by
    :func:`lawlearn.quiz.wrongbook_forms.submitted_answer`."""

    question_id = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
