"""Number fields that take only finite numbers.

WTForms' FloatField reads "inf" and "nan" as floats; NaN then passes every NumberRange (no
comparison with it is true) and either one breaks sums, charts and exports later.
"""

from __future__ import annotations

import math

from flask_babel import lazy_gettext as _l
from wtforms import FloatField


class FiniteFloatField(FloatField):
    """A FloatField that refuses NaN and infinities as it refuses text."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
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
