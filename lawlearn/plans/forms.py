"""Forms of the staff side of study plans: confirming an item, a reflection, notices."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField


class ConfirmItemForm(FlaskForm):
    """我已读完 / 我已看完: a POST button with its CSRF token (the server checks the time)."""


class ReflectionForm(FlaskForm):
    # The service checks both lengths and names the count: it counts a line break once,
    # where the form's text holds the two characters a browser sends.
    body = TextAreaField(_l("学习心得"))


class NoticeForm(FlaskForm):
    """Open a notice (marks it read) or mark all read: a POST button with its CSRF token."""
