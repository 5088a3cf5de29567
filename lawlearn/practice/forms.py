"""Forms of the practice pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput

from lawlearn.number_fields import WholeNumberField


class DailyAnswerForm(FlaskForm):
    """One answer of the daily practice. The answer's own fields depend on the question
    (radio, check boxes, blanks) and are read by
    :func:`lawlearn.quiz.wrongbook_forms.submitted_answer`."""

    question_id = WholeNumberField(widget=HiddenInput(), validators=[InputRequired()])
