"""Forms of challenge mode: the start button and an answer (its fields are read by
lawlearn.quiz.wrongbook_forms.submitted_answer)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput

from lawlearn.number_fields import WholeNumberField


class StartForm(FlaskForm):
    """开始挑战: a POST button with its CSRF token."""


class AnswerForm(FlaskForm):
    # The question answered: an answer to a question no longer on screen changes nothing.
    question_id = WholeNumberField(widget=HiddenInput(), validators=[InputRequired()])
    # "1" when the page's countdown reached zero and sent the form by itself.
    time_up = HiddenField(default="0")
