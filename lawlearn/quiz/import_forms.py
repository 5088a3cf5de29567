"""Forms of the question import: they check shape; the importer checks every row."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired


class QuestionImportForm(FlaskForm):
    file = FileField(_l("题库表格（.xlsx 或 .csv）"), validators=[FileRequired(_l("请选择文件。"))],
                     render_kw={"accept": ".xlsx,.csv"})


class QuestionImportConfirmForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
