"""FiniteFloatField: "inf" and "nan" are refused as text is (WTForms' FloatField reads them
as floats, and NaN passes every NumberRange)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import NumberRange

from lawlearn.number_fields import FiniteFloatField


class HoursForm(Form):
    hours = FiniteFloatField("学时", validators=[NumberRange(min=0, max=24)])


@pytest.mark.parametrize("text", ["inf", "-inf", "nan", "NaN", "1e999", "Infinity"])
def test_non_finite_numbers_are_refused(app, text):
    with app.test_request_context():
        form = HoursForm(MultiDict({"hours": text}))
        assert not form.validate()
        assert form.hours.data is None and "请填写数字。" in form.hours.errors


@pytest.mark.parametrize(("text", "value"), [("2.5", 2.5), ("0", 0.0), ("24", 24.0)])
def test_finite_numbers_pass(app, text, value):
    with app.test_request_context():
        form = HoursForm(MultiDict({"hours": text}))
        assert form.validate() and form.hours.data == value


@pytest.mark.parametrize(("stored", "shown"), [(2.0, "2"), (2, "2"), (1.5, "1.5"), (0.1, "0.1"),
                                               (0.0, "0"), (1234567.0, "1234567"), (None, "")])
def test_stored_numbers_are_shown_as_an_admin_types_them(app, stored, shown):
    """Quiz points saved as 2 came back as "2.0" in the form."""
    with app.test_request_context():
        assert HoursForm(hours=stored).hours._value() == shown


def test_what_was_typed_is_shown_again_as_typed(app):
    with app.test_request_context():
        form = HoursForm(MultiDict({"hours": "2.50"}))
        assert form.hours._value() == "2.50"
        assert 'value="2.50"' in str(form.hours())
