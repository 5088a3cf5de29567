"""Deleting a study material made by mistake: only an unpublished one that nobody has read
and no plan item or session points at. Its attachments' files go once the deletion is
committed; it leaves the collections it was in."""

from __future__ import annotations

from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import func, select

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.errors import Conflict
from lawlearn.extensions import db
from lawlearn.library.attachments import attachment_path
from lawlearn.library.models import CollectionEntry, Material, MaterialRead


def deletion_blockers(material: Material) -> list[str]:
    """Why ``material`` may not be deleted, in words (empty: it may)."""
    from lawlearn.plans.targets import items_pointing_at, named_items  # plans import library
    from lawlearn.sessions.models import SessionLink

    reasons = []
    if material.published:
        reasons.append(_("资料已发布，请先撤回"))
    readers = db.session.scalar(select(func.count()).select_from(MaterialRead).where(
        MaterialRead.material_id == material.id)) or 0
    if readers:
        reasons.append(_("已有 %(n)d 人的阅读记录", n=readers))
    if items := items_pointing_at("material", material.id):
        reasons.append(_("学习计划的事项用到它：%(items)s", items=named_items(items)))
    sessions = db.session.scalar(select(func.count(func.distinct(SessionLink.session_id)))
                                 .where(SessionLink.material_id == material.id)) or 0
    if sessions:
        reasons.append(_("%(n)d 场学法活动引用它", n=sessions))
    return reasons


def collections_holding(material: Material) -> int:
    return db.session.scalar(select(func.count(CollectionEntry.id)).where(
        CollectionEntry.material_id == material.id)) or 0


def delete_material(actor: User, material: Material) -> list[Path]:
    """Delete ``material`` (refused with every reason when it is in use); the files of its
    attachments, for the caller to unlink after commit."""
    reasons = deletion_blockers(material)
    if reasons:
        raise Conflict(_("不能删除：%(reasons)s。", reasons="；".join(reasons)),
                       code="material_in_use")
    files = [attachment_path(attachment) for attachment in material.attachments]
    record_audit(actor, "material.delete", material,
                 _("删除学习资料《%(title)s》", title=material.title))
    db.session.delete(material)
    db.session.flush()
    return files
