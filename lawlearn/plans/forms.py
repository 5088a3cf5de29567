"""Forms of the staff side of study plans: confirming an item, a reflection, notices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from lawlearn.plans.actions import MAX_REFLECTION_LENGTH


class ConfirmItemForm(FlaskForm):
    """我已读完 / 我已看完: a POST button with its CSRF token (the server checks the time)."""


class ReflectionForm(FlaskForm):
    # The minimum length is the item's own rule: the service checks it and names the count.
    body = TextAreaField(_l("学习心得"), validators=[
        Length(max=MAX_REFLECTION_LENGTH, message=_l("学习心得不能超过 %(max)d 字。"))])


class NoticeForm(FlaskForm):
    """Open a notice (marks it read) or mark all read: a POST button with its CSRF token."""
