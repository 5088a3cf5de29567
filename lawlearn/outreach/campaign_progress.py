"""A campaign's progress against its targets: figures from its events, gaps (units and
七进 categories with nothing yet) and the laws promoted, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from lawlearn.accounts.models import Department
from lawlearn.extensions import db
from lawlearn.library.models import Law
from lawlearn.localtime import day_bounds

# The targets a campaign may set, in display order, with their units.
from lawlearn.outreach.campaigns import TARGET_KEYS, TARGET_LABELS, TARGET_UNITS
from lawlearn.outreach.ledger import (
    CONSTITUTION_KEY,
    STATUS_SCOPES,
    LedgerTotals,
    count_laws,
    grouped_totals,
    law_key,
    split_other_laws,
)
from lawlearn.outreach.models import (
    HANDED_OUT_KINDS,
    MATERIAL_KINDS,
    MATERIAL_UNITS,
    SEVEN_INTO,
    Campaign,
    OutreachCategory,
    OutreachEvent,
    OutreachEventLaw,
    OutreachMaterial,
)

# --- progress ----------------------------------------------------------------------------------


@dataclass
class TargetProgress:
    """One target against what was done. A target of 0 means none was set: no rate."""

    key: str
    actual: int
    target: int

    @property
    def label(self) -> str:
        return str(TARGET_LABELS[self.key])

    @property
    def unit(self) -> str:
        return str(TARGET_UNITS[self.key])

    @property
    def has_target(self) -> bool:
        return self.target > 0

    @property
    def rate(self) -> float | None:
        """actual / target (may pass 1.0), None without a target."""
        return self.actual / self.target if self.target > 0 else None

    @property
    def bar(self) -> float:
        """The rate capped at 1.0, for a progress bar."""
        return min(self.rate or 0.0, 1.0)

    @property
    def met(self) -> bool:
        return self.target > 0 and self.actual >= self.target

    @property
    def remaining(self) -> int:
        return max(self.target - self.actual, 0)


@dataclass
class MaterialKindTotal:
    kind: str
    kinds: int
    copies: int

    @property
    def label(self) -> str:
        return str(MATERIAL_KINDS.get(self.kind, self.kind))

    @property
    def handed_out(self) -> bool:
        return self.kind in HANDED_OUT_KINDS

    @property
    def unit(self) -> str:
        return str(MATERIAL_UNITS.get(self.kind, ""))


@dataclass
class LawCount:
    """A law promoted and by how many events (``law_id`` None: written as free text)."""

    law_id: int | None
    title: str
    events: int


@dataclass
class CampaignProgress:
    campaign: Campaign
    include_drafts: bool
    totals: LedgerTotals
    drafts: LedgerTotals  # drafts not counted above (empty when they are included)
    targets: list[TargetProgress]
    units_covered: list[Department]
    units_missing: list[Department]
    sections_missing: list[Department]  # sections without an event of their own
    categories_covered: list[OutreachCategory]  # "七进" categories with events
    categories_missing: list[str]  # "七进" categories without any
    other_categories: list[OutreachCategory]  # the admin's own categories with events
    materials: list[MaterialKindTotal]
    laws: list[LawCount]
    other_laws: list[LawCount]
    events: list[OutreachEvent]  # every event of the campaign, drafts included

    @property
    def draft_events(self) -> int:
        return self.drafts.events


def campaign_progress(campaign: Campaign, *, include_drafts: bool = False) -> CampaignProgress:
    """The campaign's figures against its targets, its gaps and laws, in a fixed number of
    queries. Submitted and verified events count; drafts are counted apart unless
    ``include_drafts``."""
    counted = STATUS_SCOPES["all" if include_drafts else "reported"]
    in_campaign = OutreachEvent.campaign_id == campaign.id
    counted_where = [in_campaign, OutreachEvent.status.in_(counted)]

    by_status = grouped_totals([in_campaign], OutreachEvent.status)
    totals, drafts = LedgerTotals(), LedgerTotals()
    for status, status_totals in by_status.items():
        if status in counted:
            totals = totals.add(status_totals)
        elif status == "draft":
            drafts = drafts.add(status_totals)

    materials = [MaterialKindTotal(kind, int(kinds), int(copies)) for kind, kinds, copies in
                 db.session.execute(
                     select(OutreachMaterial.kind, func.sum(OutreachMaterial.kinds),
                            func.sum(OutreachMaterial.copies))
                     .join(OutreachEvent, OutreachMaterial.event_id == OutreachEvent.id)
                     .where(*counted_where).group_by(OutreachMaterial.kind))]
    order = list(MATERIAL_KINDS)
    materials.sort(key=lambda m: (order.index(m.kind) if m.kind in order else len(order),
                                  m.kind))

    # Sections roll up into their unit: the tree has two levels. One query for every
    # department (a section's unit is then found without another).
    covered_departments = set(db.session.scalars(
        select(OutreachEvent.department_id).distinct().where(*counted_where)))
    # A department made after the campaign ended was no gap of it (it had nobody to send),
    # unless the campaign was itself entered later (last year's, entered when the site came).
    _start, after_the_end = day_bounds(campaign.starts_on, campaign.ends_on)
    cutoff = max(after_the_end, campaign.created_at or after_the_end)
    # With the units of covered sections, made when they may: counted, they must be listed.
    covered_units_of = select(Department.parent_id).where(
        Department.id.in_(covered_departments), Department.parent_id.is_not(None))
    departments = db.session.scalars(select(Department).where(or_(
        Department.created_at <= cutoff, Department.id.in_(covered_departments),
        Department.id.in_(covered_units_of))).order_by(Department.sort_order, Department.name)).all()
    units = [d for d in departments if d.parent_id is None]
    unit_order = {unit.id: position for position, unit in enumerate(units)}
    covered_units = {d.parent_id or d.id for d in departments if d.id in covered_departments}
    covered_categories = set(db.session.scalars(
        select(OutreachEvent.category_id).distinct().where(*counted_where)))
    categories = db.session.scalars(
        select(OutreachCategory).where(or_(OutreachCategory.seven_into.is_(True),
                                           OutreachCategory.id.in_(covered_categories)))
        .order_by(OutreachCategory.position, OutreachCategory.id)).all()
    seven = [c for c in categories if c.seven_into]
    seven_covered = [c for c in seven if c.id in covered_categories]
    # A database made without the seed may lack some "七进" rows: they are gaps all the same.
    missing_names = [c.name for c in seven if c.id not in covered_categories]
    known = {c.name for c in seven}
    missing_names += [name for name in SEVEN_INTO if name not in known]

    laws, other_laws = _law_counts(counted_where)

    events = list(db.session.scalars(
        select(OutreachEvent).where(in_campaign)
        .options(joinedload(OutreachEvent.category),
                 joinedload(OutreachEvent.department).joinedload(Department.parent))
        .order_by(OutreachEvent.starts_at, OutreachEvent.id)).unique())

    targets = campaign.targets or {}
    actual = {"events": totals.events, "participants": totals.reach,
              "materials": totals.material_copies, "departments": len(covered_units),
              "categories": len(seven_covered)}
    return CampaignProgress(
        campaign=campaign, include_drafts=include_drafts, totals=totals, drafts=drafts,
        targets=[TargetProgress(key, actual[key], int(targets.get(key) or 0))
                 for key in TARGET_KEYS],
        units_covered=[u for u in units if u.id in covered_units],
        units_missing=[u for u in units if u.id not in covered_units],
        # "各科室至少组织一场": a section with no event of its own, by unit.
        sections_missing=sorted(
            (d for d in departments if d.parent_id is not None
             and d.id not in covered_departments),
            # A section moved since under a unit made later is listed last, not a 500.
            key=lambda d: (unit_order.get(d.parent_id, len(units)), d.sort_order, d.name)),
        categories_covered=seven_covered, categories_missing=missing_names,
        other_categories=[c for c in categories if not c.seven_into
                          and c.id in covered_categories],
        materials=materials, laws=laws, other_laws=other_laws, events=events)


def _law_counts(counted_where: list) -> tuple[list[LawCount], list[LawCount]]:
    """The library's laws the events promoted, and the laws written out, each in how many
    events. Versions of one law count as one; a law written out that the event also linked,
    or that another event linked from the library, counts with it, as the ledger's exports
    count (law_names)."""
    linked: dict[int, set[str]] = {}
    by_key: dict[str, LawCount] = {}
    for event_id, law_id, title in db.session.execute(
            select(OutreachEventLaw.event_id, Law.id, Law.title)
            .join(Law, Law.id == OutreachEventLaw.law_id)
            .join(OutreachEvent, OutreachEvent.id == OutreachEventLaw.event_id)
            .where(*counted_where).order_by(Law.id.desc())):  # a law by its newest version
        key = law_key(title)
        if key not in linked.setdefault(event_id, set()):
            linked[event_id].add(key)
            by_key.setdefault(key, LawCount(law_id, title, 0)).events += 1
    free: list[str] = []
    for event_id, text in db.session.execute(select(OutreachEvent.id, OutreachEvent.other_laws)
                                             .where(*counted_where, OutreachEvent.other_laws != "")):
        for name in split_other_laws(text):
            key = law_key(name)
            if key in linked.get(event_id, set()):
                continue  # linked from the library too: one law of this event
            linked.setdefault(event_id, set()).add(key)
            if key in by_key:
                by_key[key].events += 1
            else:
                free.append(name)
    laws = sorted(by_key.values(), key=lambda law: (
        -law.events, law_key(law.title) != CONSTITUTION_KEY, law.title))  # as count_laws
    return laws, [LawCount(None, title, count) for title, count in count_laws(free)]
