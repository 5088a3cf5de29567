"""Number fields that take only finite numbers.

WTForms' FloatField reads "inf" and "nan" as floats; NaN then passes every NumberRange (no
comparison with it is true) and either one breaks sums, charts and exports later.
"""

from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l
from wtforms import FloatField, IntegerField
from wtforms.validators import DataRequired, InputRequired, Optional, StopValidation

# Validators that say what a blank field means (they clear the parse error themselves).
BLANK_DECIDERS = (DataRequired, InputRequired, Optional)


class _OneMessageWhenUnread:
    """Text that is not a number gets its one message: WTForms would run the range
    validators as well, and add a second message about a number that was never read.
    A blank entry goes on to a validator that decides about blanks (Optional, or a named
    请填写…), where the field has one."""

    def pre_validate(self, form):
        if not self.process_errors:
            return
        blank = not (self.raw_data and str(self.raw_data[0]).strip())
        if blank and any(isinstance(check, BLANK_DECIDERS) for check in self.validators):
            return
        raise StopValidation()


class FiniteFloatField(_OneMessageWhenUnread, FloatField):
    """A FloatField that refuses NaN and infinities as it refuses text."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:  # WTForms says 不是有效的浮点数: jargon to the office
            raise ValueError(_l("请填写数字。")) from None
        if self.data is not None and not math.isfinite(self.data):
            self.data = None
            raise ValueError(_l("请填写数字。"))

    def _value(self) -> str:
        """A whole number is shown whole ("2", not "2.0": the database hands floats back);
        what was typed is shown again as typed."""
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        return str(int(self.data)) if float(self.data).is_integer() else repr(float(self.data))


class WholeNumberField(_OneMessageWhenUnread, IntegerField):
    """An IntegerField that says 请填写整数。 in every form (WTForms' own message is
    English in a plain Form, a row of a FieldList), and says it alone."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("请填写整数。")) from None
