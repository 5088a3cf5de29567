"""The categories outreach events are filed under: the fixed "七进" and the kinds admins
add beside them. No HTTP here."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select, true

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.errors import NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.outreach.models import SEVEN_INTO, OutreachCategory
from lawlearn.unique_keys import duplicate_raises


def ensure_categories() -> list[OutreachCategory]:
    """Every category in display order, creating missing "七进" rows (the migration seeds
    them; databases made by ``create_all`` start empty). One query when nothing is missing."""
    categories = list(db.session.scalars(select(OutreachCategory).order_by(
        OutreachCategory.position, OutreachCategory.id)))
    names = {c.name for c in categories}
    missing = [(position, name) for position, name in enumerate(SEVEN_INTO) if name not in names]
    if missing:
        for position, name in missing:
            db.session.add(OutreachCategory(name=name, seven_into=True, position=position,
                                            active=True))
        db.session.flush()
        categories = list(db.session.scalars(select(OutreachCategory).order_by(
            OutreachCategory.position, OutreachCategory.id)))
    return categories


def get_category(category_id: int) -> OutreachCategory:
    category = db.session.get(OutreachCategory, category_id)
    if category is None:
        raise NotFound(_("活动类别不存在。"))
    return category


def _category_name(name: str, *, exclude_id: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("请填写类别名称。"), field="name")
    if len(name) > 50:
        raise ValidationFailed(_("类别名称不能超过 %(n)d 个字。", n=50), field="name")
    clash = db.session.scalar(select(OutreachCategory.id).where(
        OutreachCategory.name == name,
        OutreachCategory.id != exclude_id if exclude_id else true()))
    if clash is not None:
        raise _name_taken(name)
    return name


def _name_taken(name: str) -> ValidationFailed:
    return ValidationFailed(_("已有名为“%(name)s”的类别。", name=name), field="name")


def add_category(actor: User, name: str) -> OutreachCategory:
    """A kind beyond the seven (e.g. 进宗教场所, 进家庭), listed after them."""
    name = _category_name(name)
    position = db.session.scalar(select(func.coalesce(func.max(OutreachCategory.position), 0)))
    category = OutreachCategory(name=name, seven_into=False, position=max(position + 1,
                                                                          len(SEVEN_INTO)),
                                active=True)
    with duplicate_raises(_name_taken(name)):  # the same name added twice at once
        db.session.add(category)
    record_audit(actor, "outreach.category.create", category,
                 _("添加普法活动类别“%(name)s”", name=name))
    return category


def rename_category(actor: User, category: OutreachCategory, name: str) -> None:
    if category.seven_into:
        raise ValidationFailed(_("“七进”类别是固定的，不能更名。"), field="name")
    old, name = category.name, _category_name(name, exclude_id=category.id)
    with duplicate_raises(_name_taken(name)):
        category.name = name
    record_audit(actor, "outreach.category.rename", category,
                 _("普法活动类别“%(old)s”更名为“%(new)s”", old=old, new=category.name))


def set_category_active(actor: User, category: OutreachCategory, active: bool) -> None:
    """Hide a category from new events (past events keep it), or show it again."""
    if category.seven_into and not active:
        raise ValidationFailed(_("“七进”类别不能停用。"), field="name")
    category.active = active
    record_audit(actor, "outreach.category.activate" if active else "outreach.category.deactivate",
                 category, (_("启用普法活动类别“%(name)s”", name=category.name) if active
                            else _("停用普法活动类别“%(name)s”", name=category.name)))
