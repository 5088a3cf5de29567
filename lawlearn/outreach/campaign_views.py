"""Campaign pages (list, form, copy from last year, delete, dashboard) and the ledger page
with its exports.

Admins use them under /admin/outreach (outreach_admin_bp, admins only). Leaders (主要负责人)
see the ledger and the campaign dashboards read-only under /outreach/ledger and
/outreach/campaigns (outreach_bp, guarded by ``leader_or_admin``): same content, no
buttons that change anything, in the staff layout.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lawlearn.accounts.departments import department_choices
from lawlearn.accounts.forms import ConfirmForm
from lawlearn.accounts.models import Role
from lawlearn.database import utcnow
from lawlearn.errors import DomainError
from lawlearn.exports import XLSX_MIMETYPE, download
from lawlearn.extensions import db
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
    describe_filters,
    laws_in_ledger,
    ledger_page,
    ledger_totals,
    totals_by_campaign,
    totals_by_category,
)
from lawlearn.outreach.ledger_args import filter_args, filters_from_args, today
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


def _ledger(blueprint: str, template: str):
    filters, problems = filters_from_args()
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
        choices=choices, **_common(blueprint))


def _ledger_export(export_format: str, blueprint: str):
    if export_format not in EXPORT_FORMATS:
        abort(404)
    filters, problems = filters_from_args(export=True)
    if problems:
        # A file for other filters than asked (a date cleared, two swapped) would be taken
        # for the one asked for: refused in words, as the report's exports are.
        admin = blueprint == "outreach_admin"
        page = "outreach_admin.ledger" if admin else "outreach.ledger_readonly"
        return render_template(
            "reports/export_error.html", problems=problems,
            layout="admin_base.html" if admin else "staff_base.html",
            back_url=url_for(page, **filter_args(filters)),
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
                           templates=campaigns.last_year_campaigns(today()),
                           this_year=today().year, **_common(blueprint))


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
                           templates=campaigns.last_year_campaigns(today())
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
