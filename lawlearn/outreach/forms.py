"""Forms for outreach events, their photos and categories: they check shape; the services
in :mod:`lawlearn.outreach.services` enforce the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, StopValidation
from wtforms.widgets import NumberInput

from lawlearn.accounts.forms import MULTIPLE_HINT, MultiCheckboxField
from lawlearn.converters import optional_record_id
from lawlearn.date_checks import scheduled
from lawlearn.number_fields import WholeNumberField
from lawlearn.outreach.models import AUDIENCES, CHANNELS, MATERIAL_KINDS
from lawlearn.outreach.services import MAX_COUNT, MAX_MATERIAL_ROWS
from lawlearn.validators import Required

DATETIME = "%Y-%m-%dT%H:%M"
# Empty material rows a form offers (no script needed to add rows).
EMPTY_MATERIAL_ROWS = 5


def material_kind_choices() -> list[tuple[str, str]]:
    return [("", str(_l("（不填）")))] + [(key, str(label)) for key, label in MATERIAL_KINDS.items()]


class MaterialRowForm(Form):
    """One row of the materials table; numbers are parsed (and refused) by the view and the
    service, so that a typing slip gets a Chinese message naming the row."""

    kind = SelectField(_l("资料类型"), choices=material_kind_choices, validate_choice=False)
    kinds = StringField(_l("种数"), widget=NumberInput(min=1), filters=[lambda v: (v or "").strip()])
    copies = StringField(_l("数量"), widget=NumberInput(min=1),
                         filters=[lambda v: (v or "").strip()])
    # A plain Form (a row of a FieldList) has no Chinese wtforms messages: its own message.
    note = StringField(_l("说明"), validators=[Optional(), Length(
        max=200, message=_l("资料说明最多 200 字。"))])


def _count_range(_form, field) -> None:
    """Below zero or past what any event reaches, in words of its own (text or a decimal
    never gets here: WholeNumberField stops at 请填写整数。, a blank at Optional)."""
    if field.data < 0:
        raise StopValidation(_l("须为 0 或正整数。"))
    if field.data > MAX_COUNT:
        raise StopValidation(_l("数字过大，请核对。"))


def _count(label):
    return WholeNumberField(label, default=0, validators=[Optional(), _count_range])


class EventForm(FlaskForm):
    # The event as the page showed it (history.snapshot as JSON): a save finding it changed
    # since is stopped rather than silently undoing the other person's change.
    seen = HiddenField()
    title = StringField(_l("活动名称"), validators=[Required(), Length(max=200)])
    starts_at = DateTimeLocalField(_l("开始时间"), format=DATETIME,
                                   validators=[Required(), scheduled()])
    ends_at = DateTimeLocalField(_l("结束时间"), format=DATETIME,
                                 validators=[Required(), scheduled()])
    place = StringField(_l("地点"), validators=[Optional(), Length(max=200)])
    category_id = SelectField(_l("类别（七进）"), coerce=optional_record_id, validate_choice=False,
                              validators=[DataRequired(message=_l("请选择活动类别。"))])
    campaign_id = SelectField(_l("所属主题宣传"), coerce=optional_record_id, validate_choice=False)
    department_id = SelectField(_l("组织部门"), coerce=optional_record_id, validate_choice=False)
    partner_units = TextAreaField(_l("合作单位"), validators=[Optional(), Length(max=2000)])
    law_ids = SelectMultipleField(_l("宣传的法律法规（法规库）"), coerce=int, validate_choice=False,
                                  description=MULTIPLE_HINT)
    other_laws = TextAreaField(_l("其他法律法规"), validators=[Optional(), Length(max=2000)],
                               description=_l("法规库中没有的，直接填写，如《反电信网络诈骗法》。"))
    audiences = MultiCheckboxField(_l("宣传对象"), validate_choice=False,
                                   choices=lambda: [(k, str(v)) for k, v in AUDIENCES.items()])
    channel = SelectField(_l("宣传渠道"), default="onsite", validate_choice=False,
                          choices=lambda: [(k, str(v)) for k, v in CHANNELS.items()])
    participants = _count(_l("参与人次"))
    volunteers = _count(_l("志愿者人数"))
    consultations = _count(_l("解答咨询人次"))
    online_views = _count(_l("线上浏览量"))
    materials = FieldList(FormField(MaterialRowForm), min_entries=EMPTY_MATERIAL_ROWS,
                          max_entries=MAX_MATERIAL_ROWS)
    summary = TextAreaField(_l("活动概况"), validators=[Optional(), Length(max=5000)])
    follow_up = TextAreaField(_l("后续跟进"), validators=[Optional(), Length(max=5000)])


class PhotoForm(FlaskForm):
    photos = MultipleFileField(_l("活动照片"))


class ReturnForm(FlaskForm):
    comment = TextAreaField(_l("退回原因（部门可见）"),
                            validators=[DataRequired(message=_l("请填写退回原因。")),
                                        Length(max=1000)])


class CategoryForm(FlaskForm):
    name = StringField(_l("类别名称"), validators=[Required(), Length(max=50)])
