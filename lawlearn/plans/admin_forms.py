"""Forms of the plans admin pages and of the reflection review: they check shape; the
services (plans.authoring, plans.publishing, plans.reflection_reviews) enforce the rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    AnyOf,
    DataRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from lawlearn.accounts.forms import MultiCheckboxField, role_choices
from lawlearn.converters import optional_record_id
from lawlearn.date_checks import scheduled
from lawlearn.number_fields import FiniteFloatField, WholeNumberField
from lawlearn.plans.kinds import KINDS
from lawlearn.plans.models import PLAN_KINDS, PLAN_STATUSES


def plan_kind_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in PLAN_KINDS.items()]


def plan_status_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in PLAN_STATUSES.items()]


def item_kind_choices() -> list[tuple[str, str]]:
    return [(key, str(kind.label)) for key, kind in KINDS.items()]


class PlanForm(FlaskForm):
    title = StringField(_l("计划名称"), validators=[DataRequired(message=_l("请填写计划名称。")),
                                                  Length(max=200)],
                        description=_l("例如：2025年度学法计划"))
    kind = SelectField(_l("类型"), choices=plan_kind_choices, default="annual")
    description = TextAreaField(_l("说明"), validators=[Optional(), Length(max=4000)])
    starts_on = DateField(_l("开始日期"), validators=[
        DataRequired(message=_l("请填写开始日期。")), scheduled()])
    ends_on = DateField(_l("结束日期"), validators=[
        DataRequired(message=_l("请填写结束日期。")), scheduled()])
    required_hours = FiniteFloatField(_l("要求学时"), default=0,
                                validators=[NumberRange(min=0, max=1000,
                                                        message=_l("要求学时须在 0 到 1000 之间。"))])


class AudienceForm(FlaskForm):
    everyone = BooleanField(_l("全体人员"), default=True,
                            description=_l("选中时忽略下面的部门、角色和人员。"))
    department_ids = MultiCheckboxField(_l("部门（含其下科室）"), coerce=int, validate_choice=False)
    roles = MultiCheckboxField(_l("角色"), choices=role_choices, validate_choice=False,
                               description=_l("例如只给主要负责人安排中心组学法。"))
    usernames = TextAreaField(_l("人员（用户名）"), validators=[Optional(), Length(max=20000)],
                              description=_l("用空格、逗号或换行分隔。"))


class StageForm(FlaskForm):
    title = StringField(_l("阶段名称"), validators=[DataRequired(message=_l("请填写阶段名称。")),
                                                  Length(max=100)],
                        description=_l("例如：一月、第一阶段"))


class MoveForm(FlaskForm):
    direction = StringField(validators=[AnyOf(("up", "down"))])

    @property
    def offset(self) -> int:
        """-1 to move up, +1 to move down (what the services take)."""
        return -1 if self.direction.data == "up" else 1


class ItemForm(FlaskForm):
    """An item's common fields, then each kind's own (the page shows them by kind)."""

    kind = SelectField(_l("事项类型"), choices=item_kind_choices, default="articles")
    title = StringField(_l("标题"), validators=[Optional(), Length(max=200)],
                        description=_l("留空时按所选内容自动生成（观看视频须填写）。"))
    description = TextAreaField(_l("说明"), validators=[Optional(), Length(max=2000)])
    stage_id = SelectField(_l("阶段"), coerce=optional_record_id, validate_choice=False)
    due_on = DateField(_l("截止日期"), validators=[Optional(), scheduled()],
                       description=_l("参加集中学法的事项留空时，截止日期为活动当天。"))
    required = BooleanField(_l("必修"), default=True)
    hours = FiniteFloatField(_l("学时"), default=0,
                       validators=[NumberRange(min=0, max=1000, message=_l("学时须在 0 到 1000 之间。"))],
                       description=_l("参加集中学法的事项请填 0：学时按学法活动本身的学时计算。"))
    points = WholeNumberField(_l("积分"), default=0, validators=[
        NumberRange(min=0, max=1000, message=_l("积分须在 0 到 1000 之间。"))])
    # articles
    law_id = SelectField(_l("法规"), coerce=optional_record_id, validate_choice=False)
    division_id = SelectField(_l("章或节"), coerce=optional_record_id, validate_choice=False,
                              description=_l("选一章（节），或在下面填写条文范围。"))
    from_number = WholeNumberField(_l("起始条文（第几条）"), validators=[Optional()])
    to_number = WholeNumberField(_l("结束条文（第几条）"), validators=[Optional()])
    # material
    material_id = SelectField(_l("学习资料"), coerce=optional_record_id, validate_choice=False)
    # material and video
    min_seconds = WholeNumberField(_l("最短学习时长（秒）"), default=60, validators=[Optional()],
                                   description=_l("从打开到确认完成，服务器计时。"))
    # quiz
    quiz_id = SelectField(_l("测验"), coerce=optional_record_id, validate_choice=False)
    require = SelectField(_l("完成条件"), choices=lambda: [("passed", str(_l("须通过"))),
                                                         ("attempted", str(_l("参加即可")))],
                          default="passed")
    # session
    session_id = SelectField(_l("学法活动"), coerce=optional_record_id, validate_choice=False)
    excused_counts = BooleanField(_l("请假也算完成"))
    # reflection
    min_length = WholeNumberField(_l("最少字数"), default=200, validators=[Optional()])
    review = BooleanField(_l("须科室负责人审阅"))
    # video
    url = StringField(_l("视频链接"), validators=[Optional(), Length(max=500)],
                      description=_l("以 http:// 或 https:// 开头。"))
    # streak
    days = WholeNumberField(_l("每日一练天数"), validators=[Optional()])
    streak_from = DateField(_l("从哪天起算（留空为计划开始日）"), validators=[Optional(), scheduled()])

    def validate_hours(self, field) -> None:
        """A session item brings its session's hours: a figure here would never count."""
        if self.kind.data == "session" and field.data:
            raise ValidationError(_l("集中学法的学时按学法活动本身的学时计算，此处请填 0。"))


# Which of ItemForm's kind fields belong to which kind (the page and its script use it).
KIND_FIELDS = {
    "articles": ("law_id", "division_id", "from_number", "to_number"),
    "material": ("material_id", "min_seconds"),
    "quiz": ("quiz_id", "require"),
    "session": ("session_id", "excused_counts"),
    "reflection": ("min_length", "review"),
    "video": ("url", "min_seconds"),
    "streak": ("days", "streak_from"),
}


class RemindForm(FlaskForm):
    department_id = SelectField(_l("部门"), coerce=optional_record_id, validate_choice=False)
    not_done = BooleanField(_l("也提醒尚未逾期但未完成必修事项的人"))


class ReviewForm(FlaskForm):
    decision = StringField(validators=[AnyOf(("accept", "return"),
                                             message=_l("请选择通过或退回。"))])
    # When the text read was submitted (its version: the author may correct it until then).
    seen = StringField()
    comment = TextAreaField(_l("审阅意见"), validators=[Optional(), Length(
        max=1000, message=_l("意见最多 %(max)d 字。"))])
