"""Forms of the accounts domain: they check shape; services enforce the rules."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lawlearn.accounts.models import ROLE_LABELS
from lawlearn.accounts.rules import password_rule_text
from lawlearn.converters import optional_record_id
from lawlearn.date_checks import WithinYears
from lawlearn.validators import Required


class LoginForm(FlaskForm):
    # Autocomplete hints: a phone's password manager fills and saves the right field.
    username = StringField(_l("用户名"), validators=[
        DataRequired(message=_l("请输入用户名。")), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("密码"), validators=[
        DataRequired(message=_l("请输入密码。")), Length(max=256)],
        render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("记住我（14 天内免登录）"))
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    # A password of spaces is one the rules refuse in words (DataRequired would call it
    # missing): new passwords are only required to be typed.
    current_password = PasswordField(_l("当前密码"), validators=[
        InputRequired(message=_l("请输入当前密码。"))],
        render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("新密码"), validators=[
        InputRequired(message=_l("请输入新密码。")), Length(max=256)],
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("再次输入新密码"),
        validators=[InputRequired(message=_l("请再次输入新密码。")),
                    EqualTo("new_password", message=_l("两次输入的新密码不一致。"))],
        render_kw={"autocomplete": "new-password"},
    )
    next = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.new_password.description = password_rule_text()  # the configured rules


# Under every multiple select: nothing on a computer says Ctrl picks a second one.
MULTIPLE_HINT = _l("可多选：手机上逐个点选；电脑上按住 Ctrl 键点选。")


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def role_choices() -> list[tuple[str, str]]:
    return [(role.value, str(label)) for role, label in ROLE_LABELS.items()]


class UserForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[Required(), Length(max=64)],
                           description=_l("登录用，小写字母、数字、_ . -；创建后不能修改。"))
    name = StringField(_l("姓名"), validators=[Required(), Length(max=64)])
    department_id = SelectField(_l("部门"), coerce=optional_record_id, validate_choice=False)
    # Unknown roles are named by the service, in Chinese (wtforms would say it in English).
    roles = MultiCheckboxField(_l("角色"), choices=role_choices, validate_choice=False,
                               validators=[DataRequired(message=_l("请至少选择一个角色。"))],
                               description=_l("只有“干部职工”计入学法统计：应参加学法活动、学习计划，"
                                              "列入报表和看板。只管理系统的账号可不勾选。"))
    phone = StringField(_l("手机号"), validators=[Optional(), Length(max=32)])
    joined_on = DateField(_l("加入日期"), validators=[Optional(), WithinYears()],
                          description=_l("来本单位或开始参加学法的日期，新建时留空即为今天。此日期前"
                                         "结束的学习计划、学法活动和统计期间不计入此人。"))
    password = PasswordField(_l("初始密码"), validators=[Optional(), Length(max=256)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.password.description = _("%(rules)s；用户首次登录时须修改。",
                                      rules=password_rule_text().rstrip("。."))


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("临时密码"), validators=[
        InputRequired(message=_l("请输入临时密码。")), Length(max=256)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.new_password.description = _("%(rules)s；用户下次登录时须修改此密码。",
                                           rules=password_rule_text().rstrip("。."))


class ConfirmForm(FlaskForm):
    """An empty form: a POST button with its CSRF token."""


class DepartmentForm(FlaskForm):
    name = StringField(_l("名称"), validators=[Required(), Length(max=100)])
    parent_id = SelectField(_l("上级部门"), coerce=optional_record_id, validate_choice=False)


class RenameDepartmentForm(FlaskForm):
    name = StringField(_l("新名称"), validators=[Required(), Length(max=100)])


class MoveDepartmentForm(FlaskForm):
    parent_id = SelectField(_l("移至"), coerce=optional_record_id, validate_choice=False)


class MergeDepartmentForm(FlaskForm):
    target_id = SelectField(_l("合并入"), coerce=optional_record_id, validate_choice=False,
                            validators=[DataRequired(message=_l("请选择目标部门。"))])


class UserImportForm(FlaskForm):
    file = FileField(_l("用户表格（.xlsx 或 .csv）"), validators=[FileRequired(_l("请选择文件。"))])
    default_password = PasswordField(
        _l("默认初始密码"), validators=[Optional(), Length(max=256)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_password.description = _(
            "表格中未填写初始密码的用户使用此密码（%(rules)s）；首次登录须修改。",
            rules=password_rule_text().rstrip("。."))


class UserImportConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
