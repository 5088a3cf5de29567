"""The admin audit log: every admin change is written here by the service that makes it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from lawlearn.accounts.models import AuditEntry, User
from lawlearn.extensions import db


def record_audit(
    actor: User | None,
    action: str,
    target: Any,
    summary: str,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry; ``target`` is any model instance (or None)."""
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=target.__tablename__ if target is not None else "",
        target_id=getattr(target, "id", None),
        summary=summary,
        details=details,
    )
    db.session.add(entry)
    return entry


def audit_query(*, action: str | None = None, actor_id: int | None = None,
                q: str | None = None) -> Select[tuple[AuditEntry]]:
    query = select(AuditEntry).options(joinedload(AuditEntry.actor)).order_by(
        AuditEntry.at.desc(), AuditEntry.id.desc()
    )
    if action:
        query = query.where(AuditEntry.action == action)
    if actor_id:
        query = query.where(AuditEntry.actor_id == actor_id)
    if q:
        query = query.where(AuditEntry.summary.contains(q))
    return query


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
