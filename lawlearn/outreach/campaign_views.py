"""Campaign pages (list, form, copy from last year, delete, dashboard) and the ledger page
with its exports.

Admins use them under /admin/outreach (outreach_admin_bp, admins only). Leaders (主要负责人)
see the ledger and the campaign dashboards read-only under /outreach/ledger and
/outreach/campaigns (outreach_bp, guarded by ``leader_or_admin``): same content, no
buttons that change anything, in the staff layout.
"""

from __future__ import annotations

from datetime import date
from functools import wraps

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lawlearn.accounts.departments import department_choices
from lawlearn.accounts.forms import ConfirmForm
from lawlearn.accounts.models import Department, Role
from lawlearn.converters import record_id
from lawlearn.database import utcnow
from lawlearn.errors import DomainError
from lawlearn.exports import XLSX_MIMETYPE, download
from lawlearn.extensions import db
from lawlearn.library.models import Law
from lawlearn.localtime import YEARS, parse_day
from lawlearn.outreach import campaigns, outreach_admin_bp, outreach_bp
from lawlearn.outreach.activity_summary import export_docx
from lawlearn.outreach.campaign_forms import CampaignForm
from lawlearn.outreach.campaign_progress import campaign_progress
from lawlearn.outreach.export import (
    DOCX_MIMETYPE,
    EXPORT_FORMATS,
    export_fallback,
    export_name,
    export_xlsx,
)
from lawlearn.outreach.ledger import (
    STATUS_SCOPE_LABELS,
    LedgerFilters,
    check_filters,
    describe_filters,
    laws_in_ledger,
    ledger_page,
    ledger_totals,
    local_naive,
    totals_by_campaign,
    totals_by_category,
)
from lawlearn.outreach.models import EVENT_STATUSES, MATERIAL_KINDS, Campaign, OutreachCategory
from lawlearn.pagination import page_arg, redirect_past_last_page

# The page of one event: the admin's edit page, or the read-only event page for leaders.
EVENT_ENDPOINTS = {"outreach_admin": "outreach_admin.event_edit", "outreach": "outreach.event"}


def leader_or_admin(view):
    """Logged in as a leader or an admin (read-only pages); others get 403."""

    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not current_user.has_role(Role.LEADER, Role.ADMIN):
            abort(403)
        return view(*args, **kwargs)

    return guarded


def _today() -> date:
    return local_naive(utcnow()).date()


def _event_link(blueprint: str):
    """A function giving the URL of an event's page."""
    endpoint = EVENT_ENDPOINTS[blueprint]

    def link(event) -> str:
        return url_for(endpoint, event_id=event.id)

    return link


def _common(blueprint: str) -> dict:
    read_only = blueprint != "outreach_admin"
    suffix = "_readonly" if read_only else ""
    endpoints = {name: f"{blueprint}.{name}{suffix}" for name in (
        "ledger", "ledger_export", "campaign_list", "campaign_dashboard", "campaign_export")}
    return {"read_only": read_only, "endpoints": endpoints,
            "event_link": _event_link(blueprint), "event_statuses": EVENT_STATUSES,
            "material_kinds": MATERIAL_KINDS}


# --- the ledger ----------------------------------------------------------------------------------


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    return record_id(value) if value.isdigit() else None


def _filters_from_args() -> tuple[LedgerFilters, list[str]]:
    """The ledger's filters from the query string (this year by default) and the problems
    found; a bad value is reported and left out."""
    problems: list[str] = []
    today = _today()
    days: dict[str, date | None] = {}
    for name, default, label in (("from", date(today.year, 1, 1), _("开始日期")),
                                 ("to", date(today.year, 12, 31), _("结束日期"))):
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
    campaign_id = _int_arg("campaign")
    campaign = db.session.get(Campaign, campaign_id) if campaign_id else None
    if campaign is not None and request.args.get("from") in (None, date(today.year, 1, 1)
                                                             .isoformat()) \
            and request.args.get("to") in (None, date(today.year, 12, 31).isoformat()):
        days = {"from": campaign.starts_on, "to": campaign.ends_on}
    status = request.args.get("status") or "reported"
    if status not in STATUS_SCOPE_LABELS:
        problems.append(_("未知的状态范围。"))
        status = "reported"
    # An id naming nothing (an old bookmark, a typed address) matches no event, as in every
    # list, and says why the figures are zero (the exports, which cannot say it, match
    # nothing too rather than the whole office).
    chosen: dict[str, int | None] = {}
    for name, model, label in (("department", Department, _("部门")),
                               ("category", OutreachCategory, _("类别")),
                               ("campaign", Campaign, _("主题宣传")), ("law", Law, _("法规"))):
        chosen[name] = _int_arg(name)
        if chosen[name] is not None and db.session.get(model, chosen[name]) is None:
            problems.append(_("所选的%(what)s不存在，没有符合条件的活动。", what=label))
    filters = LedgerFilters(date_from=days["from"], date_to=days["to"],
                            department_id=chosen["department"],
                            category_id=chosen["category"], campaign_id=chosen["campaign"],
                            law_id=chosen["law"], status=status)
    try:
        check_filters(filters)
    except DomainError:
        problems.append(_("结束日期早于开始日期，已按对调后的期间统计。"))
        filters = LedgerFilters(date_from=filters.date_to, date_to=filters.date_from,
                                department_id=filters.department_id,
                                category_id=filters.category_id,
                                campaign_id=filters.campaign_id, law_id=filters.law_id,
                                status=status)
    return filters, problems


def _filter_args(filters: LedgerFilters) -> dict[str, str]:
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


def _ledger(blueprint: str, template: str):
    filters, problems = _filters_from_args()
    pagination = ledger_page(filters, page_arg(), current_app.config["PER_PAGE"])
    redirect_past_last_page(pagination)
    choices = {
        "departments": department_choices(),
        "categories": [(c.id, c.name) for c in db.session.scalars(
            select(OutreachCategory).order_by(OutreachCategory.position, OutreachCategory.id))],
        "campaigns": [(c.id, c.title) for c in campaigns.campaign_list()],
        "laws": [(law.id, law.title if law.is_current else
                  _("%(title)s（第 %(n)d 版）", title=law.title, n=law.version))
                 for law in laws_in_ledger()],
        "statuses": list(STATUS_SCOPE_LABELS.items()),
    }
    return render_template(
        template, filters=filters, problems=problems, pagination=pagination,
        totals=ledger_totals(filters), by_category=totals_by_category(filters),
        by_campaign=totals_by_campaign(filters), described=describe_filters(filters),
        choices=choices, args=_filter_args(filters), **_common(blueprint))


def _ledger_export(export_format: str, blueprint: str):
    if export_format not in EXPORT_FORMATS:
        abort(404)
    filters, problems = _filters_from_args()
    if problems:
        # A file for other filters than asked (a date cleared, two swapped) would be taken
        # for the one asked for: refused in words, as the report's exports are.
        admin = blueprint == "outreach_admin"
        page = "outreach_admin.ledger" if admin else "outreach.ledger_readonly"
        return render_template(
            "reports/export_error.html", problems=problems,
            layout="admin_base.html" if admin else "staff_base.html",
            back_url=url_for(page, **_filter_args(filters)),
            back_label=_("返回普法台账")), 400
    campaign = db.session.get(Campaign, filters.campaign_id) if filters.campaign_id else None
    if export_format == "xlsx":
        data, mimetype = export_xlsx(filters, utcnow()), XLSX_MIMETYPE
    else:
        data, mimetype = export_docx(filters, utcnow(), campaign), DOCX_MIMETYPE
    return download(data, export_name(filters, export_format), mimetype,
                    fallback=export_fallback(filters, export_format))


@outreach_admin_bp.route("/ledger")
def ledger():
    """The ledger: filters, totals, one page of events, totals by category and campaign."""
    return _ledger("outreach_admin", "outreach_admin/ledger.html")


@outreach_admin_bp.route("/ledger.<export_format>")
def ledger_export(export_format: str):
    """The ledger for the filters as XLSX, or its activity summary as DOCX."""
    return _ledger_export(export_format, "outreach_admin")


@outreach_bp.route("/ledger")
@leader_or_admin
def ledger_readonly():
    """The ledger, read-only, for leaders."""
    return _ledger("outreach", "outreach/ledger.html")


@outreach_bp.route("/ledger.<export_format>")
@leader_or_admin
def ledger_export_readonly(export_format: str):
    """The ledger's exports, for leaders."""
    return _ledger_export(export_format, "outreach")


# --- campaigns: list and dashboard ---------------------------------------------------------


def _campaign_list(blueprint: str, template: str):
    every = campaigns.campaign_list()
    return render_template(template, campaigns=every,
                           copies={c.copied_from_id: c for c in every if c.copied_from_id},
                           counts=campaigns.event_counts_by_campaign(),
                           templates=campaigns.last_year_campaigns(_today()),
                           this_year=_today().year, **_common(blueprint))


def _dashboard(blueprint: str, template: str, campaign_id: int):
    campaign = campaigns.get_campaign(campaign_id)
    include_drafts = request.args.get("drafts") == "1"
    progress = campaign_progress(campaign, include_drafts=include_drafts)
    copied_from = db.session.get(Campaign, campaign.copied_from_id) \
        if campaign.copied_from_id else None
    return render_template(template, campaign=campaign, progress=progress,
                           copied_from=copied_from, **_common(blueprint))


def _campaign_export(campaign_id: int, export_format: str):
    if export_format not in EXPORT_FORMATS:
        abort(404)
    campaign = campaigns.get_campaign(campaign_id)
    filters = LedgerFilters(campaign_id=campaign.id)
    if export_format == "xlsx":
        data, mimetype = export_xlsx(filters, utcnow()), XLSX_MIMETYPE
    else:
        data, mimetype = export_docx(filters, utcnow(), campaign), DOCX_MIMETYPE
    return download(data, export_name(filters, export_format, campaign), mimetype,
                    fallback=export_fallback(filters, export_format, campaign))


@outreach_admin_bp.route("/campaigns")
def campaign_list():
    """Campaigns, the latest first, and last year's ones offered as templates."""
    return _campaign_list("outreach_admin", "outreach_admin/campaigns.html")


@outreach_admin_bp.route("/campaigns/<int:campaign_id>")
def campaign_dashboard(campaign_id: int):
    """A campaign's progress against its targets, its gaps, laws and events."""
    return _dashboard("outreach_admin", "outreach_admin/campaign.html", campaign_id)


@outreach_admin_bp.route("/campaigns/<int:campaign_id>/export.<export_format>")
def campaign_export(campaign_id: int, export_format: str):
    """The campaign's activity summary (DOCX) or its ledger (XLSX)."""
    return _campaign_export(campaign_id, export_format)


@outreach_bp.route("/campaigns")
@leader_or_admin
def campaign_list_readonly():
    """Campaigns, read-only, for leaders."""
    return _campaign_list("outreach", "outreach/campaigns.html")


@outreach_bp.route("/campaigns/<int:campaign_id>")
@leader_or_admin
def campaign_dashboard_readonly(campaign_id: int):
    """A campaign's dashboard, read-only, for leaders."""
    return _dashboard("outreach", "outreach/campaign.html", campaign_id)


@outreach_bp.route("/campaigns/<int:campaign_id>/export.<export_format>")
@leader_or_admin
def campaign_export_readonly(campaign_id: int, export_format: str):
    """A campaign's exports, for leaders."""
    return _campaign_export(campaign_id, export_format)


# --- campaigns: changes (admins) -------------------------------------------------------------


def _fields(form: CampaignForm) -> campaigns.CampaignFields:
    return campaigns.CampaignFields(title=form.title.data or "", starts_on=form.starts_on.data,
                                    ends_on=form.ends_on.data,
                                    description=form.description.data or "",
                                    targets=form.targets())


@outreach_admin_bp.route("/campaigns/new", methods=["GET", "POST"])
@outreach_admin_bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
def campaign_edit(campaign_id: int | None = None):
    """Create a campaign, or change its title, period, description and targets."""
    campaign = campaigns.get_campaign(campaign_id) if campaign_id else None
    form = CampaignForm()
    if campaign is not None and request.method == "GET":
        form.title.data, form.description.data = campaign.title, campaign.description
        form.starts_on.data, form.ends_on.data = campaign.starts_on, campaign.ends_on
        for key in CampaignForm.TARGET_FIELDS:
            getattr(form, f"target_{key}").data = int((campaign.targets or {}).get(key) or 0)
    status = 200
    if form.validate_on_submit():
        try:
            if campaign is None:
                campaign = campaigns.create_campaign(current_user, _fields(form), utcnow())
                message = _("已创建《%(title)s》。", title=campaign.title)
            else:
                campaigns.update_campaign(current_user, campaign, _fields(form))
                message = _("已保存。")
        except DomainError as error:
            db.session.rollback()
            target = getattr(form, error.field or "title", None) or form.title
            target.errors = [*target.errors, error.message]
            status = 422
            if campaign_id is None:
                campaign = None
        else:
            db.session.commit()
            flash(message, "success")
            return redirect(url_for("outreach_admin.campaign_dashboard", campaign_id=campaign.id))
    elif request.method == "POST":
        status = 422
    return render_template("outreach_admin/campaign_form.html", form=form, campaign=campaign,
                           templates=campaigns.last_year_campaigns(_today())
                           if campaign is None else []), status


@outreach_admin_bp.route("/campaigns/<int:campaign_id>/copy", methods=["GET", "POST"])
def campaign_copy(campaign_id: int):
    """Show next year's campaign made from this one, then create it."""
    source = campaigns.get_campaign(campaign_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            copy = campaigns.copy_campaign(current_user, source, utcnow())
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("outreach_admin.campaign_copy", campaign_id=source.id))
        db.session.commit()
        flash(_("已复制为《%(title)s》，请核对日期和目标。", title=copy.title), "success")
        return redirect(url_for("outreach_admin.campaign_edit", campaign_id=copy.id))
    return render_template("outreach_admin/campaign_confirm.html", campaign=source, form=form,
                           action="copy", preview=campaigns.copy_preview(source),
                           existing=campaigns.copy_of(source),
                           target_labels=campaigns.TARGET_LABELS,
                           target_units=campaigns.TARGET_UNITS)


@outreach_admin_bp.route("/campaigns/<int:campaign_id>/delete", methods=["GET", "POST"])
def campaign_delete(campaign_id: int):
    """Ask, then delete a campaign that has no events."""
    campaign = campaigns.get_campaign(campaign_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        title = campaign.title
        try:
            campaigns.delete_campaign(current_user, campaign)
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("outreach_admin.campaign_dashboard", campaign_id=campaign.id))
        db.session.commit()
        flash(_("已删除《%(title)s》。", title=title), "success")
        return redirect(url_for("outreach_admin.campaign_list"))
    return render_template("outreach_admin/campaign_confirm.html", campaign=campaign, form=form,
                           action="delete", events=campaigns.event_count(campaign))
