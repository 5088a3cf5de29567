"""Kinds of study session (集中学法, 会前学法 …): a short list that admins extend."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.sessions.models import SessionKind
from lawlearn.unique_keys import duplicate_raises


def session_kinds() -> list[SessionKind]:
    return list(db.session.scalars(select(SessionKind).order_by(SessionKind.position,
                                                                 SessionKind.id)))


def add_kind(name: str) -> SessionKind:
    """A new kind, listed last; a name already listed is refused."""
    name = name.strip()
    if not name:
        raise ValidationFailed(_("请填写类型名称。"), field="name")
    taken = ValidationFailed(_("已有这个类型。"), field="name")
    if db.session.scalar(select(SessionKind.id).filter_by(name=name)) is not None:
        raise taken
    kind = SessionKind(name=name, position=len(session_kinds()))
    with duplicate_raises(taken):
        db.session.add(kind)
    return kind
