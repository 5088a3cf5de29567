"""Forms of the stall quiz: the admin's opening form and the residents' phone field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Length, NumberRange, Optional

from lawlearn.number_fields import WholeNumberField
from lawlearn.outreach.stall import COUNT_DEFAULT, COUNT_MAX, COUNT_MIN
from lawlearn.validators import RequiredInput


class StallQuizForm(FlaskForm):
    count = WholeNumberField(
        _l("题目数量"), default=COUNT_DEFAULT,
        validators=[RequiredInput(), NumberRange(min=COUNT_MIN, max=COUNT_MAX)],
        description=_l("3 到 10 道单选题或判断题；优先选用与本活动宣传法规相关的题目。"),
        render_kw={"min": COUNT_MIN, "max": COUNT_MAX, "inputmode": "numeric"})
    tag = StringField(_l("题目标签（可选）"), validators=[Optional(), Length(max=50)],
                      description=_l("只从带此标签的题目中抽取，例如“宪法”。"))
    collect_phone = BooleanField(
        _l("收集手机号用于抽奖"),
        description=_l("仅在举办抽奖时勾选；手机号选填，抽奖后可一键清除。"))


class StallEntryForm(FlaskForm):
    """The answers are read from the request by question; this form carries the CSRF token
    and the optional phone number."""

    phone = StringField(_l("手机号（选填）"), validators=[Optional(), Length(max=20)],
                        render_kw={"inputmode": "tel", "autocomplete": "tel", "maxlength": 20})
