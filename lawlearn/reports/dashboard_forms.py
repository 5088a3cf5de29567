"""The admin's form of one year's targets on the dashboard: the year and one field per target."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField
from wtforms.validators import InputRequired, ValidationError
from wtforms.widgets import NumberInput

from lawlearn.converters import plain_digits
from lawlearn.number_fields import WholeNumberField
from lawlearn.reports.dashboard_targets import TARGETS, TargetSpec, quantity


def _within(spec: TargetSpec):
    def check(_form, field) -> None:
        if field.data is None:
            return
        # NaN and Infinity parse as Decimals; NaN cannot even be compared.
        if isinstance(field.data, Decimal) and not field.data.is_finite():
            raise ValidationError(_l("请填写数字。"))
        if not 0 <= field.data <= spec.high:
            # The limit with its unit: "0 到 100% 之间" but "0 到 100,000 场之间".
            limit = quantity(spec, spec.high)
            if spec.unit == "%":
                raise ValidationError(_l("须在 0 到 %(limit)s 之间；填 0 表示不设目标。",
                                         limit=limit))
            raise ValidationError(_l("须在 0 到 %(limit)s之间；填 0 表示不设目标。", limit=limit))
        if spec.decimals and Decimal(field.data) != round(Decimal(field.data), spec.decimals):
            raise ValidationError(_l("最多保留一位小数。"))
    return check


def _field(spec: TargetSpec):
    label = _l("%(name)s（%(unit)s）", name=spec.name, unit=spec.unit)
    validators = [InputRequired(message=_l("请填写%(name)s的目标。", name=spec.name)),
                  _within(spec)]
    if spec.decimals:
        return DecimalField(label, validators=validators, places=None,
                            widget=NumberInput(step="0.1", min=0, max=spec.high))
    return WholeNumberField(label, validators=validators,
                            widget=NumberInput(step=1, min=0, max=spec.high))


def _year_number(_form, field) -> None:
    if not plain_digits(str(field.data or "")):
        raise ValidationError(_l("年份无效，请从数据看板重新打开表单。"))


# The year whose targets these are, then a field per target, named by the target's key
# ("sessions", "attendance_rate" …).
TargetsForm = type("TargetsForm", (FlaskForm,), {
    "year": HiddenField(_l("年份"), validators=[_year_number]),
    **{key: _field(spec) for key, spec in TARGETS.items()}})
TargetsForm.__doc__ = "One year's targets (0: no target)."


def target_values(form: FlaskForm) -> dict[str, float]:
    """What was typed, as plain numbers keyed by target."""
    return {key: float(form[key].data) for key in TARGETS}
