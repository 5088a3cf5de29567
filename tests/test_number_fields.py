"""FiniteFloatField: "inf" and "nan" are refused as text is (WTForms' FloatField reads them
as floats, and NaN passes every NumberRange)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form
from wtforms.validators import NumberRange, Optional

from lawlearn.number_fields import FiniteFloatField, WholeNumberField


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


class CountForm(Form):
    count = WholeNumberField("人数", validators=[Optional(), NumberRange(min=0, max=10)])
    hours = FiniteFloatField("学时", validators=[Optional(), NumberRange(min=0, max=24)])


@pytest.mark.parametrize(("field", "text", "message"), [
    ("count", "很多", "请填写整数。"), ("count", "2.5", "请填写整数。"),
    ("hours", "很多", "请填写数字。"), ("hours", "nan", "请填写数字。")])
def test_text_that_is_no_number_gets_one_message(app, field, text, message):
    """WTForms ran the range validator on a number it never read, and a second message
    followed the first; 不是有效的浮点数 was jargon to the office."""
    with app.test_request_context():
        form = CountForm(MultiDict({field: text}))
        assert not form.validate()
        assert len(form[field].errors) == 1 and message in form[field].errors[0]


class RangeOnlyForm(Form):
    minutes = WholeNumberField("分钟", validators=[NumberRange(min=0, max=720)])


def test_a_blank_number_without_optional_gets_one_message(app):
    with app.test_request_context():
        form = RangeOnlyForm(MultiDict({"minutes": ""}))
        assert not form.validate() and form.minutes.errors == ["请填写整数。"]


def test_a_blank_number_still_reaches_its_validators(app):
    with app.test_request_context():
        assert CountForm(MultiDict({"count": " ", "hours": ""})).validate()
        form = CountForm(MultiDict({"count": "11", "hours": "25"}))
        assert not form.validate() and form.count.errors and form.hours.errors
