"""The outreach ledger (普法台账): events chosen by period, department (with its sections),
category, campaign, law and status; their totals, and totals by category and by campaign.

Plain functions returning dataclasses, so that the ledger page, the exports, the campaign
dashboard and the reports (issue 9) share them. Every function runs a fixed number of
queries whatever the number of events. No HTTP here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from lawlearn.accounts.models import Department
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.i18n import display_date
from lawlearn.library.models import Law
from lawlearn.localtime import day_start, local_moment
from lawlearn.outreach.models import (
    HANDED_OUT_KINDS,
    Campaign,
    OutreachCategory,
    OutreachEvent,
    OutreachEventLaw,
    OutreachMaterial,
)

# Which statuses a ledger counts. "reported" (submitted and verified) is what offices
# report upward; drafts are still being written and are only counted on request.
STATUS_SCOPES: dict[str, tuple[str, ...]] = {
    "reported": ("submitted", "verified"),
    "all": ("draft", "submitted", "verified"),
    "draft": ("draft",),
    "submitted": ("submitted",),
    "verified": ("verified",),
}
STATUS_SCOPE_LABELS = {
    "reported": _l("已提交和已审核"),
    "all": _l("全部（含草稿）"),
    "draft": _l("仅草稿"),
    "submitted": _l("仅已提交"),
    "verified": _l("仅已审核"),
}
REPORTED = STATUS_SCOPES["reported"]


@dataclass(frozen=True)
class LedgerFilters:
    """What a ledger covers. Dates are the office's local calendar days, both included."""

    date_from: date | None = None
    date_to: date | None = None
    department_id: int | None = None  # a unit includes its sections
    category_id: int | None = None
    campaign_id: int | None = None
    law_id: int | None = None  # any version of that law (same title)
    status: str = "reported"  # a key of STATUS_SCOPES


@dataclass
class LedgerTotals:
    """Sums over a set of events. ``reach`` adds the stall-quiz completions."""

    events: int = 0
    participants: int = 0
    quiz_completions: int = 0
    volunteers: int = 0
    consultations: int = 0
    online_views: int = 0
    material_kinds: int = 0
    material_copies: int = 0

    @property
    def reach(self) -> int:
        return self.participants + self.quiz_completions

    def add(self, other: LedgerTotals) -> LedgerTotals:
        """A new total: this one plus ``other``."""
        return LedgerTotals(**{f.name: getattr(self, f.name) + getattr(other, f.name)
                               for f in fields(self)})


@dataclass
class GroupTotals:
    """Totals for one category or campaign (``id`` None: events without a campaign)."""

    id: int | None
    name: str
    totals: LedgerTotals = field(default_factory=LedgerTotals)
    seven_into: bool = False


def check_filters(filters: LedgerFilters) -> None:
    if filters.status not in STATUS_SCOPES:
        raise ValidationFailed(_("未知的状态范围。"), field="status")
    if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
        raise ValidationFailed(_("结束日期不能早于开始日期。"), field="date_to")


def conditions(filters: LedgerFilters) -> list[Any]:
    """The WHERE conditions on OutreachEvent for ``filters``."""
    check_filters(filters)
    where: list[Any] = [OutreachEvent.status.in_(STATUS_SCOPES[filters.status])]
    if filters.date_from:
        where.append(OutreachEvent.starts_at >= day_start(filters.date_from))
    if filters.date_to:
        where.append(OutreachEvent.starts_at < day_start(filters.date_to + timedelta(days=1)))
    if filters.department_id:
        where.append(OutreachEvent.department_id.in_(
            select(Department.id).where(or_(Department.id == filters.department_id,
                                            Department.parent_id == filters.department_id))))
    if filters.category_id:
        where.append(OutreachEvent.category_id == filters.category_id)
    if filters.campaign_id:
        where.append(OutreachEvent.campaign_id == filters.campaign_id)
    if filters.law_id:
        # Events link the version current when they were recorded: match every version.
        same_law = select(Law.id).where(Law.title == select(Law.title).where(
            Law.id == filters.law_id).scalar_subquery())
        where.append(OutreachEvent.id.in_(select(OutreachEventLaw.event_id).where(
            OutreachEventLaw.law_id.in_(same_law))))
    return where


def grouped_totals(where: list[Any], key: Any = None) -> dict[Any, LedgerTotals]:
    """Totals of the events matching ``where`` grouped by the column ``key`` (None: one
    group keyed None). Two queries: the events' counts, then their materials."""
    keys = [key] if key is not None else []
    rows = db.session.execute(
        select(*keys, func.count(OutreachEvent.id),
               func.coalesce(func.sum(OutreachEvent.participants), 0),
               func.coalesce(func.sum(OutreachEvent.quiz_completions), 0),
               func.coalesce(func.sum(OutreachEvent.volunteers), 0),
               func.coalesce(func.sum(OutreachEvent.consultations), 0),
               func.coalesce(func.sum(OutreachEvent.online_views), 0))
        .where(*where).group_by(*keys))
    result: dict[Any, LedgerTotals] = {}
    for row in rows:
        group = row[0] if keys else None
        counts = [int(v) for v in row[len(keys):]]
        if counts[0]:
            result[group] = LedgerTotals(*counts)
    materials = db.session.execute(
        select(*keys, func.coalesce(func.sum(OutreachMaterial.kinds), 0),
               func.coalesce(func.sum(OutreachMaterial.copies), 0))
        .join(OutreachEvent, OutreachMaterial.event_id == OutreachEvent.id)
        .where(*where, OutreachMaterial.kind.in_(HANDED_OUT_KINDS)).group_by(*keys))
    for row in materials:
        group = row[0] if keys else None
        if group in result:
            result[group].material_kinds = int(row[len(keys)])
            result[group].material_copies = int(row[len(keys) + 1])
    return result


def ledger_totals(filters: LedgerFilters) -> LedgerTotals:
    """The totals row of the ledger."""
    return grouped_totals(conditions(filters)).get(None) or LedgerTotals()


def totals_by_category(filters: LedgerFilters) -> list[GroupTotals]:
    """One row per category with events, in the categories' order; the "七进" categories
    are listed even without events (unless the ledger is filtered to one category)."""
    totals = grouped_totals(conditions(filters), OutreachEvent.category_id)
    categories = db.session.scalars(select(OutreachCategory).order_by(
        OutreachCategory.position, OutreachCategory.id))
    return [GroupTotals(c.id, c.name, totals.get(c.id, LedgerTotals()), c.seven_into)
            for c in categories
            if c.id in totals or (c.seven_into and not filters.category_id)]


def totals_by_campaign(filters: LedgerFilters) -> list[GroupTotals]:
    """One row per campaign with events (newest campaign first), then events without one."""
    totals = grouped_totals(conditions(filters), OutreachEvent.campaign_id)
    ids = [key for key in totals if key is not None]
    campaigns = db.session.scalars(select(Campaign).where(Campaign.id.in_(ids)).order_by(
        Campaign.starts_on.desc(), Campaign.id.desc())) if ids else []
    rows = [GroupTotals(c.id, c.title, totals[c.id]) for c in campaigns]
    if None in totals:
        rows.append(GroupTotals(None, _("（未归入主题宣传）"), totals[None]))
    return rows


def ledger_query(filters: LedgerFilters) -> Select[tuple[OutreachEvent]]:
    """The events of the ledger, oldest first, with what a ledger row shows loaded."""
    return (select(OutreachEvent).where(*conditions(filters))
            .options(joinedload(OutreachEvent.category), joinedload(OutreachEvent.campaign),
                     joinedload(OutreachEvent.department).joinedload(Department.parent),
                     selectinload(OutreachEvent.laws), selectinload(OutreachEvent.materials))
            .order_by(OutreachEvent.starts_at, OutreachEvent.id))


def ledger_page(filters: LedgerFilters, page: int, per_page: int):
    """One page of the ledger (a Flask-SQLAlchemy Pagination)."""
    return db.paginate(ledger_query(filters), page=page, per_page=per_page, error_out=False)


def ledger_events(filters: LedgerFilters) -> list[OutreachEvent]:
    """Every event of the ledger (for the exports)."""
    return list(db.session.scalars(ledger_query(filters)).unique())


# --- what the filters mean, in words ---------------------------------------------------------


def laws_in_ledger() -> list[Law]:
    """The library laws that some event promoted (the law filter's choices)."""
    return list(db.session.scalars(select(Law).where(Law.id.in_(
        select(OutreachEventLaw.law_id))).order_by(Law.title, Law.version.desc())))


def describe_filters(filters: LedgerFilters) -> list[tuple[str, str]]:
    """(label, value) pairs naming the period and every filter, for exports and pages."""
    # Written as the office writes dates (2026年1月1日): the DOCX goes upward as it is.
    campaign = db.session.get(Campaign, filters.campaign_id) if filters.campaign_id else None
    date_from, date_to = filters.date_from, filters.date_to
    if campaign is not None and not (date_from or date_to):
        # A campaign's events lie within its days (campaigns.py keeps them there).
        date_from, date_to = campaign.starts_on, campaign.ends_on
    start = display_date(date_from) if date_from else _("不限")
    end = display_date(date_to) if date_to else _("不限")
    period = _("%(start)s 至 %(end)s", start=start, end=end) \
        if date_from or date_to else _("全部")
    described = [(_("统计期间"), period)]
    if filters.department_id:
        department = db.session.get(Department, filters.department_id)
        name = department.full_name if department else str(filters.department_id)
        described.append((_("部门"), _("%(name)s（含下属科室）", name=name)))
    if filters.category_id:
        category = db.session.get(OutreachCategory, filters.category_id)
        described.append((_("类别"), category.name if category else str(filters.category_id)))
    if filters.campaign_id:
        described.append((_("主题宣传"), campaign.title if campaign else
                          str(filters.campaign_id)))
    if filters.law_id:
        law = db.session.get(Law, filters.law_id)
        described.append((_("法律法规"), law.title if law else str(filters.law_id)))
    described.append((_("状态"), str(STATUS_SCOPE_LABELS.get(filters.status, filters.status))))
    return described


def law_names(event: OutreachEvent) -> list[str]:
    """The laws an event promoted: library laws, then the free-text ones as written."""
    names = [law.title for law in event.laws]
    known = {law_key(name) for name in names}
    return names + [name for name in split_other_laws(event.other_laws)
                    if law_key(name) not in known]


def split_other_laws(text: str) -> list[str]:
    """"《反电信网络诈骗法》、《消费者权益保护法》" → the two names (without the marks);
    text without 《》 is split on commas, 、, semicolons and new lines."""
    text = (text or "").strip()
    if not text:
        return []
    quoted = re.findall(r"《([^《》]+)》", text)
    if quoted:
        names = quoted
    else:
        names = re.split(r"[、,，;；\n]+", text)
    kept: dict[str, str] = {}
    for name in names:
        name = re.sub(r"\s+", "", name.strip("《》 \t"))
        if law_key(name) and len(name) > len(kept.get(law_key(name), "")):
            kept[law_key(name)] = name
    return list(kept.values())


STATE_PREFIX = "中华人民共和国"


CONSTITUTION_KEY = "宪法"


def law_key(name: str) -> str:
    """What identifies a law written out by hand: without 《》, spaces and a leading
    中华人民共和国 ("反电信网络诈骗法" and "《中华人民共和国反电信网络诈骗法》" are one law)."""
    key = re.sub(r"[\s《》]+", "", name or "")
    return key.removeprefix(STATE_PREFIX) or key


def count_laws(names: Iterable[str]) -> list[tuple[str, int]]:
    """Count law names as one law per :func:`law_key`, each shown by its fullest name; most
    counted first. Of laws counted alike the Constitution comes first (the core of every
    law-publicity report: ranked by name it could drop out of a "top three"), then the
    others as first named."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for name in names:
        key = law_key(name)
        if not key:
            continue
        counts[key] += 1
        clean = re.sub(r"[\s《》]+", "", name)
        if len(clean) > len(shown.get(key, "")):
            shown[key] = clean
    return [(shown[key], count) for key, count in sorted(
        counts.items(), key=lambda item: (-item[1], item[0] != CONSTITUTION_KEY))]


def local_naive(value: datetime) -> datetime:
    """A naive UTC moment as a naive local one (for spreadsheet dates and day grouping)."""
    return local_moment(value).replace(tzinfo=None)
