"""Forms for the question bank and quiz settings."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional

from lawlearn.accounts.forms import MULTIPLE_HINT
from lawlearn.date_checks import scheduled
from lawlearn.number_fields import FiniteFloatField, WholeNumberField
from lawlearn.quiz.models import ANSWER_VISIBILITY, DIFFICULTIES, GRADING_METHODS, QUESTION_TYPES
from lawlearn.validators import AUDIENCE_HINT, Required, RequiredInput


def _choices(mapping):
    return lambda: [(key, str(label)) for key, label in mapping.items()]


class QuestionForm(FlaskForm):
    type = SelectField(_l("题型"), choices=_choices(QUESTION_TYPES))
    stem = TextAreaField(_l("题干"), validators=[Required(), Length(max=2000)],
                         description=_l("填空题用“（　　）”标出每个空。"))
    options = TextAreaField(_l("选项（每行一个）"), validators=[Optional(), Length(max=4000)],
                            description=_l("单选、多选题填写 2–8 个选项，按行对应 A、B、C……"))
    answer = StringField(_l("答案"), validators=[Required(), Length(max=1000)],
                         description=_l("单选填 B；多选填 ACD；判断填 正确 或 错误；"
                                        "填空用 | 分隔各空、/ 分隔可接受的写法。"))
    explanation = TextAreaField(_l("解析"), validators=[Optional(), Length(max=4000)])
    tags = StringField(_l("标签"), validators=[Optional(), Length(max=200)],
                       description=_l("多个标签用顿号“、”、逗号或分号分隔，如：宪法、民法典。"))
    difficulty = SelectField(_l("难度"), choices=_choices(DIFFICULTIES), default="medium")
    article = StringField(_l("法条"), validators=[Optional(), Length(max=100)],
                          description=_l("例如：宪法 33、民法典第1165条"))


POINTS = NumberRange(min=0, max=100, message=_l("每题分值须在 0 到 100 之间。"))


class QuizForm(FlaskForm):
    title = StringField(_l("测验名称"), validators=[Required(), Length(max=200)])
    description = TextAreaField(_l("说明"), validators=[Optional(), Length(max=4000)])
    is_exam = BooleanField(_l("年度学法考试"))
    opens_at = DateTimeLocalField(_l("开始时间"), format="%Y-%m-%dT%H:%M",
                                  validators=[Optional(), scheduled()])
    closes_at = DateTimeLocalField(_l("结束时间"), format="%Y-%m-%dT%H:%M",
                                   validators=[Optional(), scheduled()])
    time_limit_minutes = WholeNumberField(_l("限时（分钟，空为不限）"),
                                          validators=[Optional(), NumberRange(min=1, max=1440)])
    attempts_allowed = WholeNumberField(_l("答题次数（空为不限）"),
                                        validators=[Optional(), NumberRange(min=1, max=100)])
    grading = SelectField(_l("计分方式"), choices=_choices(GRADING_METHODS))
    pass_percent = WholeNumberField(_l("及格线（%）"), default=60,
                                    validators=[RequiredInput(), NumberRange(min=0, max=100)])
    selection = RadioField(_l("组卷方式"), default="fixed",
                           choices=lambda: [("fixed", str(_l("固定试题"))),
                                            ("random", str(_l("按规则随机抽题")))])
    question_ids = TextAreaField(_l("试题编号"), validators=[Optional(), Length(max=20000)],
                                 description=_l("固定试题时填写，用逗号或换行分隔，按顺序出题。"))
    rules = TextAreaField(_l("抽题规则"), validators=[Optional(), Length(max=2000)],
                          description=_l("每行一条：题型 数量 [标签] [难度]，例如“单选 25 宪法”"
                                         "“多选 10”“判断 15 民法典 易”。"))
    points_single = FiniteFloatField(_l("单选题分值"), default=2, validators=[POINTS])
    points_multiple = FiniteFloatField(_l("多选题分值"), default=3, validators=[POINTS])
    points_true_false = FiniteFloatField(_l("判断题分值"), default=1, validators=[POINTS])
    points_fill = FiniteFloatField(_l("填空题分值"), default=2, validators=[POINTS])
    shuffle_questions = BooleanField(_l("打乱试题顺序"))
    shuffle_options = BooleanField(_l("打乱选项顺序"))
    partial_credit = BooleanField(_l("多选、填空部分得分（少选得部分分，错选不得分）"))
    show_answers = SelectField(_l("答案与解析"), choices=_choices(ANSWER_VISIBILITY))
    audience_all = BooleanField(_l("全体人员参加"), default=True, description=AUDIENCE_HINT)
    department_ids = SelectMultipleField(_l("参加部门"), coerce=int, validate_choice=False,
                                         description=MULTIPLE_HINT)
    usernames = TextAreaField(_l("参加人员（用户名）"), validators=[Optional(), Length(max=20000)],
                              description=_l("用户名之间用逗号、空格或换行分隔；可与部门同时选择。"))
