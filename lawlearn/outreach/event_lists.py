"""The event lists of the staff and admin pages (a fixed number of queries whatever the page
size) and the choices the event form offers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import joinedload

from lawlearn.accounts.models import AuditEntry, Department, Role, User
from lawlearn.database import like_pattern
from lawlearn.extensions import db
from lawlearn.library.models import Law
from lawlearn.outreach.access import visible_events_condition
from lawlearn.outreach.models import (
    EVENT_STATUSES,
    HANDED_OUT_KINDS,
    Campaign,
    OutreachEvent,
    OutreachMaterial,
    OutreachPhoto,
)


@dataclass
class EventFilters:
    """Filters of the event lists. ``starts_from``/``starts_before`` are naive UTC bounds
    (the caller turns local dates into them)."""

    status: str | None = None
    department_id: int | None = None
    category_id: int | None = None
    campaign_id: int | None = None
    starts_from: datetime | None = None
    starts_before: datetime | None = None
    q: str | None = None


def events_query(user: User, filters: EventFilters | None = None) -> Select[tuple[OutreachEvent]]:
    """Events ``user`` may see, newest first, with what a list row shows loaded along (a fixed
    number of queries whatever the page size). A department filter includes its sections."""
    filters = filters or EventFilters()
    query = (select(OutreachEvent)
             .options(joinedload(OutreachEvent.category), joinedload(OutreachEvent.campaign),
                      joinedload(OutreachEvent.department).joinedload(Department.parent),
                      joinedload(OutreachEvent.created_by))
             .where(visible_events_condition(user))
             .order_by(OutreachEvent.starts_at.desc(), OutreachEvent.id.desc()))
    conditions = []
    if filters.status in EVENT_STATUSES:
        conditions.append(OutreachEvent.status == filters.status)
    if filters.department_id:
        sections = select(Department.id).where(Department.parent_id == filters.department_id)
        conditions.append(or_(OutreachEvent.department_id == filters.department_id,
                              OutreachEvent.department_id.in_(sections)))
    if filters.category_id:
        conditions.append(OutreachEvent.category_id == filters.category_id)
    if filters.campaign_id:
        conditions.append(OutreachEvent.campaign_id == filters.campaign_id)
    if filters.starts_from:
        conditions.append(OutreachEvent.starts_at >= filters.starts_from)
    if filters.starts_before:
        conditions.append(OutreachEvent.starts_at < filters.starts_before)
    if filters.q and filters.q.strip():
        pattern = like_pattern(filters.q.strip())
        conditions.append(or_(OutreachEvent.title.like(pattern, escape="\\"),
                              OutreachEvent.place.like(pattern, escape="\\")))
    return query.where(and_(*conditions)) if conditions else query


@dataclass
class EventFigures:
    photos: int = 0
    copies: int = 0
    returned: bool = False  # a draft an admin sent back (a draft is only ever one by return)


def list_figures(event_ids: list[int]) -> dict[int, EventFigures]:
    """Photo counts, copies handed out and whether a draft was returned, for the events of a
    list page, in three queries."""
    figures = {event_id: EventFigures() for event_id in event_ids}
    if not event_ids:
        return figures
    for event_id, count in db.session.execute(
            select(OutreachPhoto.event_id, func.count()).where(
                OutreachPhoto.event_id.in_(event_ids)).group_by(OutreachPhoto.event_id)):
        figures[event_id].photos = count
    for event_id, copies in db.session.execute(
            select(OutreachMaterial.event_id, func.sum(OutreachMaterial.copies)).where(
                OutreachMaterial.event_id.in_(event_ids),
                OutreachMaterial.kind.in_(HANDED_OUT_KINDS))
            .group_by(OutreachMaterial.event_id)):
        figures[event_id].copies = int(copies or 0)
    for event_id in db.session.scalars(
            select(AuditEntry.target_id).distinct().join(
                OutreachEvent, OutreachEvent.id == AuditEntry.target_id)
            .where(AuditEntry.target_type == OutreachEvent.__tablename__,
                   AuditEntry.action == "outreach.event.return",
                   AuditEntry.target_id.in_(event_ids), OutreachEvent.status == "draft")):
        figures[event_id].returned = True
    return figures


def waiting_counts(user: User, now: datetime) -> dict[str, int]:
    """What waits on ``user`` in the ledger, for the home page: an admin's events submitted
    to verify; a dept_lead's drafts of the departments they lead (their own and its
    sections, as leads_department) that are over, to submit (nothing told them; a leader
    who also leads a section sees all events but submits its alone). One query per role."""
    counts: dict[str, int] = {}
    if user.has_role(Role.ADMIN):
        counts["outreach_verify"] = db.session.scalar(select(func.count()).select_from(
            OutreachEvent).where(OutreachEvent.status == "submitted")) or 0
    if user.has_role(Role.DEPT_LEAD) and user.department_id is not None:
        led = select(Department.id).where(or_(Department.id == user.department_id,
                                              Department.parent_id == user.department_id))
        counts["outreach_submit"] = db.session.scalar(select(func.count()).select_from(
            OutreachEvent).where(OutreachEvent.status == "draft", OutreachEvent.ends_at <= now,
                                 OutreachEvent.department_id.in_(led))) or 0
    return counts


def campaign_choices() -> list[Campaign]:
    return list(db.session.scalars(select(Campaign).order_by(Campaign.starts_on.desc(),
                                                             Campaign.id.desc())))


def law_choices() -> list[Law]:
    """Laws of the library a form offers (current texts), by title."""
    return list(db.session.scalars(select(Law).where(Law.is_current.is_(True))
                                   .order_by(Law.title)))
