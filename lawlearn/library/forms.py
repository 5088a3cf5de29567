"""Forms of the statute library."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lawlearn.date_checks import WithinYears
from lawlearn.library.models import LAW_CATEGORIES, LAW_STATUSES
from lawlearn.library.services import MAX_NOTE_LENGTH
from lawlearn.validators import Required


class LawImportForm(FlaskForm):
    file = FileField(_l("法规文本（.docx、.txt 或 .md）"),
                     validators=[FileRequired(_l("请选择文件。"))])
    title = StringField(_l("标题（可不填，默认取文中标题）"),
                        validators=[Optional(), Length(max=200)])


class LawImportConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
    title = HiddenField()
    source_name = HiddenField()


class LawForm(FlaskForm):
    title = StringField(_l("标题"), validators=[Required(), Length(max=200)])
    short_title = StringField(_l("简称"), validators=[Optional(), Length(max=100)])
    category = SelectField(_l("类别"), choices=lambda: [(k, str(v)) for k, v in
                                                      LAW_CATEGORIES.items()])
    status = SelectField(_l("效力状态"), choices=lambda: [(k, str(v)) for k, v in
                                                        LAW_STATUSES.items()])
    issuing_body = StringField(_l("制定机关"), validators=[Optional(), Length(max=200)])
    promulgated_on = DateField(_l("公布日期"), validators=[Optional(), WithinYears()])
    effective_on = DateField(_l("施行日期"), validators=[Optional(), WithinYears()])
    revision_note = TextAreaField(_l("制定与修改情况"), validators=[Optional()])


def _unix_newlines(value: str | None) -> str | None:
    """Browsers send a line break as CRLF: counted as one character, as the textarea's
    maxlength counts it."""
    return value.replace("\r\n", "\n") if value else value


class NoteForm(FlaskForm):
    body = TextAreaField(_l("我的笔记（仅自己可见）"), filters=[_unix_newlines], validators=[
        Length(max=MAX_NOTE_LENGTH, message=_l("笔记不能超过 %(n)d 字。", n=MAX_NOTE_LENGTH))])


class ArticleCorrectionForm(FlaskForm):
    # The service checks the length and names the count; one paragraph per line.
    text = TextAreaField(_l("条文（每段一行）"), validators=[Required()], render_kw={"rows": 12})
