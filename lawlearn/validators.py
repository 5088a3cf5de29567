"""Required-field validators whose message names the field: 请填写活动名称。 rather than
WTForms' generic 该字段是必填字段。 (a form with several required fields left the reader to
guess which one the message was about)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import FileField, SelectFieldBase
from wtforms.validators import DataRequired, InputRequired, StopValidation

AUDIENCE_HINT = _l("只请部分部门或人员参加时，取消勾选，再在下面选择。")


def audience_both_message() -> str:
    """For a session or quiz given both 全体人员参加 and some departments or people: the
    departments were dropped without a word, so a department's session expected the whole
    office (and marked all but them absent at its close)."""
    return _("勾选了“全体人员参加”，又选择了部门或人员：只请所选部门或人员参加，请取消勾选"
             "“全体人员参加”；全体参加，请清空所选的部门和人员。")


def requirement(field) -> str:
    """What to do about an empty ``field``, naming it: choose from a list or a file, or fill
    in the rest."""
    if isinstance(field, (SelectFieldBase, FileField)):
        return _("请选择%(label)s。", label=field.label.text)
    return _("请填写%(label)s。", label=field.label.text)


class _NamesTheField:
    message: str | None

    def __call__(self, form, field):
        try:
            super().__call__(form, field)  # type: ignore[misc]
        except StopValidation:
            if self.message is not None:
                raise
            raise StopValidation(requirement(field)) from None


class Required(_NamesTheField, DataRequired):
    """DataRequired, its default message naming the field."""


class RequiredInput(_NamesTheField, InputRequired):
    """InputRequired (0 counts as given), its default message naming the field."""
