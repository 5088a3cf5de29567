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
