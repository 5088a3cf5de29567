"""Campaigns (宪法宣传周, 民法典宣传月 …): their period and targets, copying last year's as a
template, and the progress of their events against the targets, with the gaps (units and
"七进" categories without any event yet) and the laws promoted. No HTTP here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, or_, select, update
from sqlalchemy.orm import joinedload

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import Department, User
from lawlearn.errors import Conflict, NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import Law
from lawlearn.localtime import same_day_next_year
from lawlearn.outreach.ledger import (
    STATUS_SCOPES,
    LedgerTotals,
    count_laws,
    grouped_totals,
    split_other_laws,
)
from lawlearn.outreach.models import (
    MATERIAL_KINDS,
    SEVEN_INTO,
    Campaign,
    OutreachCategory,
    OutreachEvent,
    OutreachEventLaw,
    OutreachMaterial,
)

# The targets a campaign may set, in display order, with their units.
TARGET_KEYS = ("events", "participants", "materials", "departments", "categories")
TARGET_LABELS = {"events": _l("活动场次"), "participants": _l("受众人次"),
                 "materials": _l("发放资料份数"), "departments": _l("覆盖单位数"),
                 "categories": _l("覆盖“七进”领域数")}
TARGET_UNITS = {"events": _l("场"), "participants": _l("人次"), "materials": _l("份"),
                "departments": _l("个"), "categories": _l("个")}
MAX_TARGET = 100_000_000
YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


@dataclass
class CampaignFields:
    title: str
    starts_on: date | None
    ends_on: date | None
    description: str = ""
    targets: dict[str, int | None] = field(default_factory=dict)


def get_campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound(_("主题宣传不存在。"))
    return campaign


def _clean(fields: CampaignFields) -> tuple[str, date, date, dict[str, int]]:
    title = (fields.title or "").strip()
    if not title:
        raise ValidationFailed(_("请填写活动名称。"), field="title")
    if len(title) > 200:
        raise ValidationFailed(_("活动名称不能超过 200 个字。"), field="title")
    if fields.starts_on is None:
        raise ValidationFailed(_("请填写开始日期。"), field="starts_on")
    if fields.ends_on is None:
        raise ValidationFailed(_("请填写结束日期。"), field="ends_on")
    if fields.ends_on < fields.starts_on:
        raise ValidationFailed(_("结束日期不能早于开始日期。"), field="ends_on")
    if len(fields.description or "") > 4000:
        raise ValidationFailed(_("活动说明不能超过 4000 个字。"), field="description")
    targets: dict[str, int] = {}
    for key in TARGET_KEYS:
        value = fields.targets.get(key)
        value = 0 if value is None else value
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationFailed(_("目标须为整数。"), field=f"target_{key}")
        if value < 0:
            raise ValidationFailed(_("目标不能为负数。"), field=f"target_{key}")
        if value > MAX_TARGET:
            raise ValidationFailed(_("目标数字过大。"), field=f"target_{key}")
        targets[key] = value
    unknown = set(fields.targets) - set(TARGET_KEYS)
    if unknown:
        raise ValidationFailed(_("未知的目标：%(keys)s。", keys="、".join(sorted(unknown))),
                               field="targets")
    if targets["categories"] > len(SEVEN_INTO):
        raise ValidationFailed(_("“七进”领域共 %(n)d 个，目标不能超过 %(n)d。", n=len(SEVEN_INTO)),
                               field="target_categories")
    return title, fields.starts_on, fields.ends_on, targets


def create_campaign(actor: User | None, fields: CampaignFields, now: datetime) -> Campaign:
    """A new campaign with its period and targets (a missing target is 0: none set)."""
    title, starts_on, ends_on, targets = _clean(fields)
    campaign = Campaign(title=title, starts_on=starts_on, ends_on=ends_on,
                        description=(fields.description or "").strip(), targets=targets,
                        created_by_id=actor.id if actor else None, created_at=now)
    db.session.add(campaign)
    db.session.flush()
    record_audit(actor, "outreach.campaign.create", campaign,
                 _("创建主题宣传《%(title)s》", title=campaign.title), {"targets": targets})
    return campaign


def update_campaign(actor: User | None, campaign: Campaign, fields: CampaignFields) -> Campaign:
    """Change the title, period, description or targets (events keep their link)."""
    title, starts_on, ends_on, targets = _clean(fields)
    before = {"title": campaign.title, "starts_on": campaign.starts_on.isoformat(),
              "ends_on": campaign.ends_on.isoformat(), "targets": dict(campaign.targets or {})}
    campaign.title, campaign.starts_on, campaign.ends_on = title, starts_on, ends_on
    campaign.description = (fields.description or "").strip()
    campaign.targets = targets
    db.session.flush()
    record_audit(actor, "outreach.campaign.update", campaign,
                 _("修改主题宣传《%(title)s》", title=campaign.title),
                 {"before": before, "targets": targets})
    return campaign


def event_count(campaign: Campaign) -> int:
    """Events of any status linked to the campaign."""
    return db.session.scalar(select(func.count()).select_from(OutreachEvent).where(
        OutreachEvent.campaign_id == campaign.id)) or 0


def delete_campaign(actor: User | None, campaign: Campaign) -> None:
    """Delete a campaign that has no events (a campaign with events is part of the ledger)."""
    count = event_count(campaign)
    if count:
        raise Conflict(_("《%(title)s》已有 %(n)d 场活动，不能删除。", title=campaign.title,
                         n=count), code="campaign_has_events")
    db.session.execute(update(Campaign).where(Campaign.copied_from_id == campaign.id)
                       .values(copied_from_id=None))
    record_audit(actor, "outreach.campaign.delete", campaign,
                 _("删除主题宣传《%(title)s》", title=campaign.title))
    db.session.delete(campaign)
    db.session.flush()


# --- copying last year's ---------------------------------------------------------------------


def next_year_title(campaign: Campaign) -> str:
    """The title with the campaign's years moved on by one ("2024年宪法宣传周" →
    "2025年宪法宣传周"; "2024—2025年度…" → "2025—2026年度…"); other numbers are kept.
    A title without its year gets the new year in front."""
    years = {campaign.starts_on.year, campaign.ends_on.year}
    found = False

    def shift(match: re.Match[str]) -> str:
        nonlocal found
        if int(match.group(1)) in years:
            found = True
            return str(int(match.group(1)) + 1)
        return match.group(0)

    title = YEAR.sub(shift, campaign.title)
    if not found:
        title = _("%(year)d年%(title)s", year=same_day_next_year(campaign.starts_on).year,
                  title=campaign.title)
    return title[:200]


def copy_of(campaign: Campaign) -> Campaign | None:
    """The campaign already copied from ``campaign``, if any."""
    return db.session.scalar(select(Campaign).where(Campaign.copied_from_id == campaign.id)
                             .order_by(Campaign.id).limit(1))


def copy_preview(campaign: Campaign) -> CampaignFields:
    """What copying ``campaign`` to next year will create."""
    return CampaignFields(title=next_year_title(campaign),
                          starts_on=same_day_next_year(campaign.starts_on),
                          ends_on=same_day_next_year(campaign.ends_on),
                          description=campaign.description,
                          targets={key: int((campaign.targets or {}).get(key) or 0)
                                   for key in TARGET_KEYS})


def copy_campaign(actor: User | None, source: Campaign, now: datetime) -> Campaign:
    """Next year's campaign from ``source``: dates a year later, the year in the title
    replaced, description and targets copied. Copying the same campaign twice is refused
    (a double click must not make two)."""
    existing = copy_of(source)
    if existing is not None:
        raise Conflict(_("《%(title)s》已复制为《%(copy)s》。", title=source.title,
                         copy=existing.title), code="already_copied")
    preview = copy_preview(source)
    title, starts_on, ends_on, targets = _clean(preview)
    campaign = Campaign(title=title, starts_on=starts_on, ends_on=ends_on,
                        description=preview.description, targets=targets,
                        copied_from_id=source.id, created_by_id=actor.id if actor else None,
                        created_at=now)
    db.session.add(campaign)
    db.session.flush()
    record_audit(actor, "outreach.campaign.copy", campaign,
                 _("由《%(old)s》复制出《%(new)s》", old=source.title, new=campaign.title),
                 {"copied_from_id": source.id})
    return campaign


def campaign_list() -> list[Campaign]:
    """Every campaign, the latest first."""
    return list(db.session.scalars(select(Campaign).order_by(Campaign.starts_on.desc(),
                                                             Campaign.id.desc())))


def event_counts_by_campaign() -> dict[int, dict[str, int]]:
    """{campaign id: {status: events}} in one query."""
    counts: dict[int, dict[str, int]] = {}
    for campaign_id, status, count in db.session.execute(
            select(OutreachEvent.campaign_id, OutreachEvent.status, func.count())
            .where(OutreachEvent.campaign_id.is_not(None))
            .group_by(OutreachEvent.campaign_id, OutreachEvent.status)):
        counts.setdefault(campaign_id, {})[status] = count
    return counts


def last_year_campaigns(today: date) -> list[Campaign]:
    """Last year's campaigns not copied yet: the templates offered for this year."""
    copied = select(Campaign.copied_from_id).where(Campaign.copied_from_id.is_not(None))
    return list(db.session.scalars(
        select(Campaign).where(Campaign.starts_on >= date(today.year - 1, 1, 1),
                               Campaign.starts_on <= date(today.year - 1, 12, 31),
                               Campaign.id.not_in(copied))
        .order_by(Campaign.starts_on, Campaign.id)))


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

    # Sections roll up into their unit: the tree has two levels.
    unit_id = func.coalesce(Department.parent_id, Department.id)
    covered_units = set(db.session.scalars(
        select(unit_id).select_from(OutreachEvent).distinct()
        .join(Department, OutreachEvent.department_id == Department.id).where(*counted_where)))
    covered_categories = set(db.session.scalars(
        select(OutreachEvent.category_id).distinct().where(*counted_where)))
    units = db.session.scalars(select(Department).where(Department.parent_id.is_(None))
                               .order_by(Department.sort_order, Department.name)).all()
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

    law_rows = db.session.execute(
        select(Law.id, Law.title, func.count(distinct(OutreachEventLaw.event_id)))
        .join(OutreachEventLaw, OutreachEventLaw.law_id == Law.id)
        .join(OutreachEvent, OutreachEvent.id == OutreachEventLaw.event_id)
        .where(*counted_where).group_by(Law.id, Law.title))
    # Versions of one law count as one law.
    by_title: dict[str, LawCount] = {}
    for law_id, title, count in law_rows:
        entry = by_title.setdefault(title, LawCount(law_id, title, 0))
        entry.events += count
    laws = sorted(by_title.values(), key=lambda law: (-law.events, law.title))
    free: list[str] = []
    for text in db.session.scalars(select(OutreachEvent.other_laws).where(
            *counted_where, OutreachEvent.other_laws != "")):
        free += split_other_laws(text)
    other_laws = [LawCount(None, title, count) for title, count in count_laws(free)]

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
        categories_covered=seven_covered, categories_missing=missing_names,
        other_categories=[c for c in categories if not c.seven_into
                          and c.id in covered_categories],
        materials=materials, laws=laws, other_laws=other_laws, events=events)

