"""Forms for scheduling sessions and marking attendance."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lawlearn.accounts.forms import MULTIPLE_HINT
from lawlearn.converters import MAX_ID
from lawlearn.date_checks import scheduled
from lawlearn.number_fields import FiniteFloatField, WholeNumberField
from lawlearn.sessions.models import ATTENDANCE_STATUSES
from lawlearn.validators import AUDIENCE_HINT, Required

DATETIME = "%Y-%m-%dT%H:%M"


class SessionForm(FlaskForm):
    title = StringField(_l("活动名称"), validators=[Required(), Length(max=200)])
    kind_id = SelectField(_l("类型"), coerce=int, validate_choice=False)
    starts_at = DateTimeLocalField(_l("开始时间"), format=DATETIME,
                                   validators=[Required(), scheduled()])
    ends_at = DateTimeLocalField(_l("结束时间"), format=DATETIME,
                                 validators=[Required(), scheduled()])
    place = StringField(_l("地点"), validators=[Optional(), Length(max=200)])
    speaker = StringField(_l("主讲人"), validators=[Optional(), Length(max=100)])
    description = TextAreaField(_l("内容说明"), validators=[Optional(), Length(max=4000)])
    study_hours = FiniteFloatField(_l("计入学时"), default=2, validators=[NumberRange(min=0, max=24)])
    checkin_opens_minutes = WholeNumberField(_l("提前多少分钟开放签到"), default=30,
                                             validators=[NumberRange(min=0, max=720)])
    late_after_minutes = WholeNumberField(_l("开始后多少分钟算迟到"), default=10,
                                          validators=[NumberRange(min=0, max=720)])
    checkin_closes_at = DateTimeLocalField(_l("签到截止（空为活动结束时）"), format=DATETIME,
                                           validators=[Optional(), scheduled()])
    exit_quiz_id = SelectField(_l("随堂测验（通过后才算出席）"), coerce=lambda v: int(v) if v else None,
                               validate_choice=False)
    article_refs = StringField(_l("学习法条"), validators=[Optional(), Length(max=500)],
                               description=_l("例如：宪法 33-35；民法典 1165"))
    material_ids = SelectMultipleField(_l("学习资料"), coerce=int, validate_choice=False,
                                       description=MULTIPLE_HINT)
    audience_all = BooleanField(_l("全体人员参加"), default=True, description=AUDIENCE_HINT)
    department_ids = SelectMultipleField(_l("应参加部门"), coerce=int, validate_choice=False,
                                         description=MULTIPLE_HINT)
    usernames = TextAreaField(_l("应参加人员（用户名）"), validators=[Optional(), Length(max=20000)])
    repeat = SelectField(_l("重复"), choices=lambda: [("", str(_l("不重复"))),
                                                     ("weekly", str(_l("每周"))),
                                                     ("monthly", str(_l("每月")))],
                         default="", validate_choice=False,
                         description=_l("每月：每月的同一天；没有这一天的月份（如 31 日）跳过。"))
    repeat_until = DateField(_l("重复截止日期"), validators=[Optional(), scheduled()])
    whole_series = BooleanField(_l("同时修改本系列之后的各场"))
    # Asked only when the session has already ended (a mistyped year, or a past one entered).
    past_confirmed = BooleanField(_l("这是补录的已结束活动"))


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("取消原因（职工可见）"), validators=[Required(), Length(max=1000)])


class MarkForm(FlaskForm):
    # No row has an id past MAX_ID (PostgreSQL would refuse to compare it: a 500).
    user_id = WholeNumberField(validators=[DataRequired(), NumberRange(1, MAX_ID)])
    status = SelectField(_l("出勤"), choices=lambda: [(k, str(v)) for k, v in ATTENDANCE_STATUSES.items()
                                                    if k != "pending_quiz"])
    note = StringField(_l("备注"), validators=[Optional(), Length(max=500)])


class BulkMarkForm(FlaskForm):
    """The rows ticked on the roster (check boxes outside the form, tied to it by id)."""

    # None ticked is the service's to say (请先勾选要标记的人员).
    user_ids = SelectMultipleField(coerce=int, validate_choice=False)
    status = SelectField(_l("出勤"), choices=lambda: [(k, str(v)) for k, v in ATTENDANCE_STATUSES.items()
                                                    if k != "pending_quiz"])
    note = StringField(_l("备注"), validators=[Optional(), Length(max=500)])

    def chosen_ids(self) -> list[int] | None:
        """The ids ticked; None when one names no possible row (PostgreSQL would refuse to
        compare an id past MAX_ID: a 500), so that nobody is marked rather than the rest."""
        ids = self.user_ids.data or []
        return ids if all(0 < value <= MAX_ID for value in ids) else None


class KindForm(FlaskForm):
    name = StringField(_l("类型名称"), validators=[Required(), Length(max=50)])
