"""Campaigns (宪法宣传周, 民法典宣传月 …): their period and targets, and copying last year's
as a template. Their progress is in :mod:`lawlearn.outreach.campaign_progress`. No HTTP
here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.errors import Conflict, NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.localtime import local_day, same_day_next_year
from lawlearn.outreach.models import (
    SEVEN_INTO,
    Campaign,
    OutreachEvent,
)
from lawlearn.unique_keys import duplicate_raises

# The targets a campaign may set, in display order, with their units.
TARGET_KEYS = ("events", "participants", "materials", "departments", "categories")
TARGET_LABELS = {"events": _l("活动场次"), "participants": _l("覆盖群众（人次）"),
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


def _title_taken(title: str) -> ValidationFailed:
    return ValidationFailed(_("已有名为《%(title)s》的主题宣传，请换一个名称（例如写明年份）。",
                              title=title), field="title", code="campaign_title_taken")


def _check_title_free(title: str, except_id: int | None = None) -> None:
    """The form's own message for a title in use; the unique key settles a tie."""
    taken = select(Campaign.id).where(Campaign.title == title)
    if except_id is not None:
        taken = taken.where(Campaign.id != except_id)
    if db.session.scalar(taken.limit(1)) is not None:
        raise _title_taken(title)


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
    _check_title_free(title)
    with duplicate_raises(_title_taken(title)):
        campaign = Campaign(title=title, starts_on=starts_on, ends_on=ends_on,
                            description=(fields.description or "").strip(), targets=targets,
                            created_by_id=actor.id if actor else None, created_at=now)
        db.session.add(campaign)
    record_audit(actor, "outreach.campaign.create", campaign,
                 _("创建主题宣传《%(title)s》", title=campaign.title), {"targets": targets})
    return campaign


def _check_events_inside(campaign: Campaign, starts_on: date, ends_on: date) -> None:
    """A new period must still hold the campaign's events: one left outside would count on
    the campaign's dashboard but not in the ledger filtered by it, and could not be saved."""
    days = [local_day(moment) for moment in db.session.scalars(
        select(OutreachEvent.starts_at).where(OutreachEvent.campaign_id == campaign.id))]
    outside = sorted(day for day in days if not starts_on <= day <= ends_on)
    if outside:
        raise ValidationFailed(
            _("已关联的活动中有 %(n)d 场不在新的期间内（%(first)s 至 %(last)s 之间）；请让期间包含"
              "这些活动，或先修改这些活动。", n=len(outside), first=outside[0].isoformat(),
              last=outside[-1].isoformat()),
            field="starts_on" if outside[0] < starts_on else "ends_on")


def update_campaign(actor: User | None, campaign: Campaign, fields: CampaignFields) -> Campaign:
    """Change the title, period, description or targets (events keep their link)."""
    title, starts_on, ends_on, targets = _clean(fields)
    before = {"title": campaign.title, "starts_on": campaign.starts_on.isoformat(),
              "ends_on": campaign.ends_on.isoformat(), "targets": dict(campaign.targets or {})}
    _check_title_free(title, except_id=campaign.id)
    _check_events_inside(campaign, starts_on, ends_on)
    with duplicate_raises(_title_taken(title)):
        campaign.title, campaign.starts_on, campaign.ends_on = title, starts_on, ends_on
        campaign.description = (fields.description or "").strip()
        campaign.targets = targets
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
    # Hold the source's row (the write lock on SQLite) first: a second copy waits for this
    # transaction, then finds the copy it made.
    db.session.execute(update(Campaign).where(Campaign.id == source.id).values(
        copied_from_id=Campaign.copied_from_id).execution_options(synchronize_session=False))
    existing = copy_of(source)
    if existing is not None:
        raise Conflict(_("《%(title)s》已复制为《%(copy)s》。", title=source.title,
                         copy=existing.title), code="already_copied")
    preview = copy_preview(source)
    title, starts_on, ends_on, targets = _clean(preview)
    _check_title_free(title)
    with duplicate_raises(_title_taken(title)):
        campaign = Campaign(title=title, starts_on=starts_on, ends_on=ends_on,
                            description=preview.description, targets=targets,
                            copied_from_id=source.id,
                            created_by_id=actor.id if actor else None, created_at=now)
        db.session.add(campaign)
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
