"""The admin's form of points rules and practice settings: one row of fields per rule."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import InputRequired, Optional, ValidationError

from lawlearn.number_fields import WholeNumberField
from lawlearn.practice.points import PRACTICE_SETTINGS, RULES

# Bounds that keep what is typed within the database's integers (an unbounded cap was a 500).
MAX_AMOUNT = 1000
MAX_DAILY_CAP = 100_000


def _between(low: int, high: int, message) -> object:
    def check(_form, field) -> None:
        if field.data is not None and not low <= field.data <= high:
            raise ValidationError(message)
    return check


def field_name(key: str, part: str) -> str:
    """The form field of one part (amount, cap, enabled) of a rule or of a setting."""
    return f"{key.replace('.', '_')}_{part}"


class RulesForm(FlaskForm):
    """Filled in by rules_form_class(): amount, cap and enabled for every rule, and one
    field per practice setting."""


def rules_form_class() -> type[RulesForm]:
    """A form class with fields for every rule in RULES and setting in PRACTICE_SETTINGS."""
    fields: dict[str, object] = {}
    for key, rule in RULES.items():
        fields[field_name(key, "amount")] = WholeNumberField(
            _l("%(rule)s：每次积分", rule=rule.label), validators=[
                InputRequired(message=_l("请填写积分（0 或正整数）。")),
                _between(0, MAX_AMOUNT, _l("积分须在 0 到 %(n)d 之间。", n=MAX_AMOUNT))])
        fields[field_name(key, "cap")] = WholeNumberField(
            _l("%(rule)s：每日上限", rule=rule.label), validators=[
                Optional(), _between(1, MAX_DAILY_CAP, _l(
                    "每日上限须在 1 到 %(n)s 之间；不设上限请留空。", n=f"{MAX_DAILY_CAP:,}"))])
        fields[field_name(key, "enabled")] = BooleanField(_l("%(rule)s：启用", rule=rule.label))
    for key, spec in PRACTICE_SETTINGS.items():
        fields[field_name(key, "value")] = WholeNumberField(spec.label, validators=[
            InputRequired(message=_l("请填写%(name)s。", name=spec.label)),
            _between(spec.low, spec.high, _l("%(name)s须在 %(low)d 到 %(high)d %(unit)s之间。",
                                             name=spec.label, low=spec.low, high=spec.high,
                                             unit=spec.unit))])
    return type("RulesFormWithFields", (RulesForm,), fields)
