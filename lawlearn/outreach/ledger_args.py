"""The outreach ledger's filters as the query string gives them (this year by default),
with the problems a hand-typed address may hold, and back again for links."""

from __future__ import annotations

from datetime import date

from flask import request
from flask_babel import gettext as _

from lawlearn.accounts.models import Department
from lawlearn.converters import plain_digits, record_id
from lawlearn.database import utcnow
from lawlearn.errors import DomainError
from lawlearn.extensions import db
from lawlearn.library.models import Law
from lawlearn.localtime import YEARS, parse_day
from lawlearn.outreach.ledger import (
    STATUS_SCOPE_LABELS,
    LedgerFilters,
    check_filters,
    local_naive,
)
from lawlearn.outreach.models import Campaign, OutreachCategory


def today() -> date:
    return local_naive(utcnow()).date()


def int_arg(name: str) -> int | None:
    """An id from the query string; None when absent or not a number (see ``_chosen`` for
    the filters, which say so)."""
    value = request.args.get(name, "").strip()
    return record_id(value) if plain_digits(value) else None


def _chosen(name: str, model, label: str, problems: list[str]) -> int | None:
    """The id a filter names. Text where a number belongs (a typed address) is reported
    and left out, as the report reports it, so the figures shown are not taken for the
    filter's; an id naming nothing (an old bookmark) matches no event, as in every list,
    and says why the figures are zero (the exports, which cannot say it, match nothing
    too rather than the whole office)."""
    raw = request.args.get(name, "").strip()
    if raw and not plain_digits(raw):
        problems.append(_("%(what)s参数“%(value)s”不正确。", what=label, value=raw[:40]))
        return None
    chosen = record_id(raw) if raw else None
    if chosen is not None and db.session.get(model, chosen) is None:
        problems.append(_("所选的%(what)s不存在，没有符合条件的活动。", what=label))
    return chosen


def filters_from_args(*, export: bool = False) -> tuple[LedgerFilters, list[str]]:
    """The ledger's filters from the query string (this year by default) and the problems
    found; a bad value is reported and left out. For an ``export``, which refuses any
    problem, the words say what to change rather than what the page did about it."""
    problems: list[str] = []
    this_day = today()
    days: dict[str, date | None] = {}
    for name, default, label in (("from", date(this_day.year, 1, 1), _("开始日期")),
                                 ("to", date(this_day.year, 12, 31), _("结束日期"))):
        raw = request.args.get(name)
        if raw is None:
            days[name] = default
        elif not raw.strip():
            days[name] = None  # cleared: no limit
        else:
            try:
                days[name] = parse_day(raw)
            except ValueError:
                problems.append(_("%(label)s无效：应为 %(first)d—%(last)d 年间的日期，格式如 "
                                  "2024-12-01。", label=label, first=YEARS[0], last=YEARS[1]))
                days[name] = default
    # A campaign chosen with the dates left as they were (absent or this year's defaults):
    # its own period, so that a past campaign does not show an empty ledger.
    campaign_id = int_arg("campaign")
    campaign = db.session.get(Campaign, campaign_id) if campaign_id else None
    if campaign is not None and request.args.get("from") in (None, date(this_day.year, 1, 1)
                                                             .isoformat()) \
            and request.args.get("to") in (None, date(this_day.year, 12, 31).isoformat()):
        days = {"from": campaign.starts_on, "to": campaign.ends_on}
    status = request.args.get("status") or "reported"
    if status not in STATUS_SCOPE_LABELS:
        problems.append(_("未知的状态范围。"))
        status = "reported"
    chosen = {name: _chosen(name, model, label, problems) for name, model, label in (
        ("department", Department, _("部门")), ("category", OutreachCategory, _("类别")),
        ("campaign", Campaign, _("主题宣传")), ("law", Law, _("法规")))}
    filters = LedgerFilters(date_from=days["from"], date_to=days["to"],
                            department_id=chosen["department"],
                            category_id=chosen["category"], campaign_id=chosen["campaign"],
                            law_id=chosen["law"], status=status)
    try:
        check_filters(filters)
    except DomainError:
        problems.append(_("结束日期早于开始日期，请对调后再导出。") if export
                        else _("结束日期早于开始日期，已按对调后的期间统计。"))
        filters = LedgerFilters(date_from=filters.date_to, date_to=filters.date_from,
                                department_id=filters.department_id,
                                category_id=filters.category_id,
                                campaign_id=filters.campaign_id, law_id=filters.law_id,
                                status=status)
    return filters, problems


def filter_args(filters: LedgerFilters) -> dict[str, str]:
    """The query string that gives ``filters`` back (for export links)."""
    args = {"from": filters.date_from.isoformat() if filters.date_from else "",
            "to": filters.date_to.isoformat() if filters.date_to else "",
            "status": filters.status}
    for name, value in (("department", filters.department_id),
                        ("category", filters.category_id), ("campaign", filters.campaign_id),
                        ("law", filters.law_id)):
        if value:
            args[name] = str(value)
    return args
