"""Forms for study materials and collections: they check shape; services enforce rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from lawlearn.converters import optional_record_id
from lawlearn.library.models import MATERIAL_KINDS

MAX_BODY_LENGTH = 200_000


def kind_choices() -> list[tuple[str, str]]:
    return [(kind, str(label)) for kind, label in MATERIAL_KINDS.items()]


class MaterialForm(FlaskForm):
    title = StringField(_l("标题"), validators=[DataRequired(message=_l("请填写标题。")),
                                                Length(max=200)])
    kind = SelectField(_l("类型"), choices=kind_choices, default="article")
    source = StringField(_l("来源"), validators=[Optional(), Length(max=200)],
                         description=_l("如：人民日报、区司法局。"))
    body_markdown = TextAreaField(
        _l("正文（Markdown）"), validators=[Length(max=MAX_BODY_LENGTH)],
        render_kw={"rows": 18},
        description=_l("支持 Markdown：# 标题、**加粗**、- 列表、[链接](https://…)、表格。"
                       "不支持直接写 HTML。"))
    video_url = StringField(_l("视频链接"), validators=[Optional(), Length(max=500)],
                            description=_l("以 http:// 或 https:// 开头；“视频链接”类资料必填。"))
    tags = StringField(_l("标签"), validators=[Optional(), Length(max=500)],
                       description=_l("多个标签用顿号“、”、逗号或分号分隔，如：宪法、民法典。"))
    article_refs = StringField(
        _l("关联法条"), validators=[Optional(), Length(max=2000)],
        description=_l("示例：宪法 33；民法典 1165-1167。多部法规用分号分隔。"))
    published = BooleanField(_l("发布（职工可见）"))


class AttachmentForm(FlaskForm):
    file = FileField(_l("附件（PDF、Word .docx 或图片）"),
                     validators=[FileRequired(_l("请选择文件。"))])


class CollectionForm(FlaskForm):
    title = StringField(_l("专题名称"), validators=[DataRequired(message=_l("请填写专题名称。")),
                                                    Length(max=200)])
    description = TextAreaField(_l("简介"), validators=[Optional(), Length(max=2000)],
                                render_kw={"rows": 4})
    published = BooleanField(_l("发布（职工可见）"))


class CollectionEntryForm(FlaskForm):
    material_id = SelectField(_l("学习资料"), coerce=optional_record_id, validate_choice=False,
                              validators=[DataRequired(message=_l("请选择学习资料。"))])
    group_title = StringField(_l("分组"), validators=[Optional(), Length(max=200)],
                              description=_l("同一分组的资料排在一起，如“坚持党对全面依法治国的领导”；"
                                             "可留空。"))
