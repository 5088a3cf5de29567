"""An empty required field says which field it is (请填写活动名称。), not WTForms' generic
该字段是必填字段。, on every form that uses the shared validators."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict
from wtforms import Form, SelectField, StringField

from lawlearn.validators import Required, RequiredInput


class Example(Form):
    title = StringField("活动名称", validators=[Required()])
    kind = SelectField("活动类别", choices=["甲", "乙"], validate_choice=False,
                       validators=[Required()])
    count = StringField("人数", validators=[RequiredInput()])
    note = StringField("备注", validators=[Required(message="请写明备注。")])


def test_the_message_names_the_field(app):
    with app.test_request_context():
        form = Example(MultiDict({"count": "0"}))
        assert not form.validate()
        assert form.errors == {"title": ["请填写活动名称。"], "kind": ["请选择活动类别。"],
                               "note": ["请写明备注。"]}  # 0 is an input; a message given stays
