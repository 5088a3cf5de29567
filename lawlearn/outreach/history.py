"""What an outreach event's record says and how it changed: the labels of its fields, a
snapshot of every ledger field in plain JSON values, changes in words ("参与人次：120 → 150")
for the audit log, numbered revisions of verified events, and the event's history read back
from that log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import AuditEntry, User
from lawlearn.extensions import db
from lawlearn.i18n import display_datetime
from lawlearn.outreach.models import (
    AUDIENCES,
    CHANNELS,
    EVENT_STATUSES,
    HANDED_OUT_KINDS,
    MATERIAL_KINDS,
    MATERIAL_UNITS,
    OutreachEvent,
    OutreachMaterial,
)

COUNT_FIELDS = ("participants", "volunteers", "consultations", "online_views")
COUNT_LABELS = {"participants": _l("参与人次"), "volunteers": _l("志愿者人数"),
                "consultations": _l("解答咨询人次"), "online_views": _l("线上浏览量")}


def material_dicts(rows) -> list[dict[str, Any]]:
    """Material rows (form rows or OutreachMaterial) as plain dicts, notes trimmed."""
    return [{"kind": r.kind, "kinds": r.kinds, "copies": r.copies, "note": (r.note or "").strip()}
            for r in rows]


FIELD_LABELS = {
    "title": _l("活动名称"), "starts_at": _l("开始时间"), "ends_at": _l("结束时间"),
    "place": _l("地点"), "category": _l("类别"), "campaign": _l("主题宣传"),
    "department": _l("组织部门"), "partner_units": _l("合作单位"), "laws": _l("宣传的法律法规"),
    "other_laws": _l("其他法律法规"), "audiences": _l("宣传对象"), "channel": _l("宣传渠道"),
    **COUNT_LABELS, "materials": _l("发放宣传资料"), "summary": _l("活动概况"),
    "follow_up": _l("后续跟进"),
}


def snapshot(event: OutreachEvent, *, refresh: bool = True) -> dict[str, Any]:
    """Every ledger field of ``event`` as plain JSON values (names, not only ids).
    ``refresh``: reload the category, campaign and department after ids were just set (an
    event as loaded, its relationships already there, needs none: a page's query count)."""
    if refresh:
        db.session.flush()  # relationships reflect the ids just set
        for name in ("category", "campaign", "department"):
            db.session.expire(event, [name])
    return {
        "title": event.title,
        "starts_at": event.starts_at.isoformat(timespec="minutes"),
        "ends_at": event.ends_at.isoformat(timespec="minutes"),
        "place": event.place,
        "category": event.category.name if event.category else None,
        "campaign": event.campaign.title if event.campaign else None,
        "department": event.department.full_name if event.department else None,
        "partner_units": event.partner_units,
        "laws": [law.title for law in event.laws],
        "other_laws": event.other_laws,
        "audiences": list(event.audiences or []),
        "channel": event.channel,
        **{name: getattr(event, name) for name in COUNT_FIELDS},
        "materials": material_dicts(event.materials),
        "summary": event.summary,
        "follow_up": event.follow_up,
    }


def _display(name: str, value: Any) -> str:
    if value in (None, "", []):
        return _("（空）")
    if name in ("starts_at", "ends_at"):
        return display_datetime(datetime.fromisoformat(value))  # shown in local time
    if name == "audiences":
        return "、".join(str(AUDIENCES.get(key, key)) for key in value)
    if name == "channel":
        return str(CHANNELS.get(value, value))
    if name == "laws":
        return "、".join(f"《{title}》" for title in value)
    if name == "materials":
        return "；".join(material_label(row) for row in value)
    if name in ("summary", "follow_up", "partner_units", "other_laws") and len(value) > 40:
        return value[:40] + "…"
    return str(value)


def material_label(row: dict[str, Any] | OutreachMaterial) -> str:
    """宣传单 3 种 1,200 份, or 展板 6 块 (plus the note)."""
    if isinstance(row, OutreachMaterial):
        row = material_dicts([row])[0]
    kind = MATERIAL_KINDS.get(row["kind"], row["kind"])
    if row["kind"] in HANDED_OUT_KINDS:
        label = _("%(kind)s %(kinds)d 种 %(copies)s 份", kind=kind, kinds=row["kinds"],
                  copies=format(row["copies"], ","))
    else:
        label = _("%(kind)s %(count)s %(unit)s", kind=kind, count=format(row["copies"], ","),
                  unit=MATERIAL_UNITS.get(row["kind"], ""))
    return f"{label}（{row['note']}）" if row.get("note") else label


def describe_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """"参与人次：120 → 150" for each field that differs."""
    return [_("%(label)s：%(before)s → %(after)s", label=FIELD_LABELS[name],
              before=_display(name, before[name]), after=_display(name, after[name]))
            for name in after if before.get(name) != after[name]]


def changes_since(seen: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """describe_changes for a snapshot a page sent back: one it altered (a value of another
    shape) is named by its fields alone rather than failing to be described."""
    try:
        return describe_changes(seen, now)
    except (ValueError, TypeError, KeyError, AttributeError):
        return [str(FIELD_LABELS[name]) for name in now if seen.get(name) != now[name]]


def revision_count(event: OutreachEvent) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.target_type == OutreachEvent.__tablename__,
        AuditEntry.target_id == event.id, AuditEntry.action == "outreach.event.revise")) or 0


def record_revision(actor: User, event: OutreachEvent, changes: list[str],
                    details: dict[str, Any]) -> int:
    """Write a change to a verified event (its fields or its photos) to the audit log as the
    event's next numbered revision; returns the number."""
    # Lock the event's row first: two admins revising at once must not share a number.
    db.session.execute(select(OutreachEvent.id).where(OutreachEvent.id == event.id)
                       .with_for_update())
    revision = revision_count(event) + 1
    record_audit(actor, "outreach.event.revise", event,
                 _("修订已审核的普法活动《%(title)s》（第 %(n)d 次修订）：%(changes)s",
                   title=event.title, n=revision, changes="；".join(changes)),
                 {"revision": revision, **details})
    return revision


def last_return(event: OutreachEvent) -> AuditEntry | None:
    """The admin's latest "returned to draft" entry, shown while the event is a draft."""
    if event.status != "draft":
        return None
    return db.session.scalar(select(AuditEntry).where(
        AuditEntry.target_type == OutreachEvent.__tablename__, AuditEntry.target_id == event.id,
        AuditEntry.action == "outreach.event.return")
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(1))


def event_history(event: OutreachEvent) -> list[AuditEntry]:
    """Every audit entry about the event (creation, changes, workflow, revisions), newest
    first, with their actors, in one query."""
    return list(db.session.scalars(select(AuditEntry).options(joinedload(AuditEntry.actor))
                                   .where(AuditEntry.target_type == OutreachEvent.__tablename__,
                                          AuditEntry.target_id == event.id)
                                   .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())))


def status_label(status: str) -> str:
    return str(EVENT_STATUSES.get(status, status))
