"""Forms of the campaign pages: they check shape; lawlearn.outreach.campaigns enforces rules."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from lawlearn.database import utcnow
from lawlearn.date_checks import scheduled
from lawlearn.localtime import local_day
from lawlearn.number_fields import WholeNumberField
from lawlearn.outreach.campaigns import MAX_TARGET
from lawlearn.validators import Required

NOT_NEGATIVE = _l("请填写不小于 0 的整数。")


def _target(label):
    return WholeNumberField(label, default=0,
                            validators=[Optional(), NumberRange(min=0, max=MAX_TARGET,
                                                                message=NOT_NEGATIVE)],
                            render_kw={"min": 0, "inputmode": "numeric"})


class CampaignForm(FlaskForm):
    title = StringField(_l("活动名称"), validators=[Required(), Length(max=200)])
    starts_on = DateField(_l("开始日期"), validators=[Required(), scheduled()])
    ends_on = DateField(_l("结束日期"), validators=[Required(), scheduled()])
    description = TextAreaField(_l("活动说明"), validators=[Optional(), Length(max=4000)])
    target_events = _target(_l("目标：活动场次"))
    target_participants = _target(_l("目标：覆盖群众人次（参与人次加有奖问答完成人次）"))
    target_materials = _target(_l("目标：发放资料份数"))
    target_departments = _target(_l("目标：覆盖单位数（科室计入所属单位）"))
    target_categories = WholeNumberField(
        _l("目标：覆盖“七进”领域数（最多 7 个）"), default=0,
        validators=[Optional(), NumberRange(min=0, max=7, message=_l("请填写 0 到 7 之间的整数。"))],
        render_kw={"min": 0, "max": 7, "inputmode": "numeric"})

    TARGET_FIELDS = ("events", "participants", "materials", "departments", "categories")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The example names the current year (the office's local one).
        self.title.description = _("例如：%(year)d年宪法宣传周", year=local_day(utcnow()).year)

    def targets(self) -> dict[str, int | None]:
        return {key: getattr(self, f"target_{key}").data for key in self.TARGET_FIELDS}
