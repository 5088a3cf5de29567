"""The outreach event form, shared by the staff pages and the admin pages: its choices, an
event's values in it, and saving it with every problem shown at once."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from flask import flash
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from lawlearn.accounts.departments import department_choices
from lawlearn.accounts.models import Department
from lawlearn.database import utcnow
from lawlearn.errors import DomainError, ValidationFailed
from lawlearn.extensions import db
from lawlearn.localtime import local_day
from lawlearn.outreach import event_lists, services
from lawlearn.outreach.categories import ensure_categories
from lawlearn.outreach.forms import EMPTY_MATERIAL_ROWS, EventForm
from lawlearn.outreach.history import snapshot
from lawlearn.outreach.models import OutreachEvent


def local(value: datetime | None) -> datetime | None:
    return to_user_timezone(value).replace(tzinfo=None) if value else None


def prepare_event_form(form: EventForm, event: OutreachEvent | None, *, admin: bool) -> None:
    """Fill the choices of the event form (active categories, campaigns, laws, departments)."""
    categories = ensure_categories()
    form.category_id.choices = [("", _("请选择"))] + [
        (c.id, c.name) for c in categories if c.active or (event and c.id == event.category_id)]
    campaigns = event_lists.campaign_choices()
    form.campaign_id.choices = [("", _("（无）"))] + [(c.id, c.title) for c in campaigns]
    if event is None and not form.is_submitted():
        # Recorded during Constitution Week, an event is the week's unless said otherwise
        # (left at （无）, it was silently missing from the week's progress).
        today = local_day(utcnow())
        running = [c for c in campaigns if c.starts_on <= today <= c.ends_on]
        if len(running) == 1:
            form.campaign_id.data = running[0].id
    laws = event_lists.law_choices()
    known = {law.id for law in laws}
    if event is not None:  # an older text linked before a newer one was imported
        laws += [law for law in event.laws if law.id not in known]
    form.law_ids.choices = [(law.id, law.title) for law in laws]
    if admin:
        form.department_id.choices = [("", _("请选择"))] + department_choices()
        # Every event belongs to a department (the service refuses one without): marked as
        # the other required fields are, and a new one starts at the admin's own.
        form.department_id.flags.required = True
        if event is None and not form.is_submitted():
            form.department_id.data = current_user.department_id


def _reset_material_rows(form: EventForm, rows: list[dict]) -> None:
    while form.materials.entries:
        form.materials.pop_entry()
    for row in rows:
        form.materials.append_entry(row)
    for _unused in range(max(EMPTY_MATERIAL_ROWS - len(rows), 2)):
        form.materials.append_entry()


def fill_event_form(form: EventForm, event: OutreachEvent) -> None:
    """The event's values in the form (for a GET of the edit page)."""
    for name in ("title", "place", "category_id", "campaign_id", "department_id",
                 "partner_units", "other_laws", "audiences", "channel", "participants",
                 "volunteers", "consultations", "online_views", "summary", "follow_up"):
        getattr(form, name).data = getattr(event, name)
    form.starts_at.data, form.ends_at.data = local(event.starts_at), local(event.ends_at)
    form.law_ids.data = [law.id for law in event.laws]
    _reset_material_rows(form, [{"kind": m.kind, "kinds": str(m.kinds), "copies": str(m.copies),
                                 "note": m.note} for m in event.materials])
    form.seen.data = _as_seen(event)


def _as_seen(event: OutreachEvent) -> str:
    # One query for what the snapshot names, whatever is already loaded (a constant count).
    db.session.execute(select(OutreachEvent).where(OutreachEvent.id == event.id).options(
        joinedload(OutreachEvent.category), joinedload(OutreachEvent.campaign),
        joinedload(OutreachEvent.department).joinedload(Department.parent),
        selectinload(OutreachEvent.laws), selectinload(OutreachEvent.materials))
        .execution_options(populate_existing=True)).unique().one()
    return json.dumps(snapshot(event, refresh=False), ensure_ascii=False, separators=(",", ":"))


def _seen(form: EventForm) -> dict[str, Any] | None:
    """The event as the page showed it; None from a page without it (or altered)."""
    try:
        seen = json.loads(form.seen.data or "null")
    except ValueError:
        return None
    return seen if isinstance(seen, dict) else None


def _whole_number(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if re.fullmatch(r"\d{1,12}", value) else None


def event_fields(form: EventForm) -> services.EventFields:
    """The form's values for the service; blank material rows are left out."""
    materials = []
    for line, entry in enumerate(form.materials.entries, start=1):
        row = entry.form
        kind, kinds, copies = row.kind.data or "", row.kinds.data or "", row.copies.data or ""
        note = (row.note.data or "").strip()
        if not (kind or kinds or copies or note):
            continue
        # 种数 left blank is one kind: a banner's or a board's is never counted (only what is
        # handed out is, HANDED_OUT_KINDS), and every stall's banner row was refused for it.
        materials.append(services.MaterialRow(
            kind, _whole_number(kinds) if kinds.strip() else 1, _whole_number(copies), note,
            line=line))
    return services.EventFields(
        title=form.title.data or "",
        # A date the form refused (year 1, say) is not read: converting it may overflow.
        starts_at=to_utc(form.starts_at.data)
        if form.starts_at.data and not form.starts_at.errors else None,
        ends_at=to_utc(form.ends_at.data) if form.ends_at.data and not form.ends_at.errors
        else None,
        category_id=form.category_id.data, department_id=form.department_id.data,
        place=form.place.data or "", campaign_id=form.campaign_id.data,
        partner_units=form.partner_units.data or "", law_ids=form.law_ids.data or [],
        other_laws=form.other_laws.data or "", audiences=form.audiences.data or [],
        channel=form.channel.data or "",
        participants=_zero_if_blank(form.participants.data),
        volunteers=_zero_if_blank(form.volunteers.data),
        consultations=_zero_if_blank(form.consultations.data),
        online_views=_zero_if_blank(form.online_views.data),
        materials=materials, summary=form.summary.data or "", follow_up=form.follow_up.data or "")


def _zero_if_blank(value: int | None) -> int:
    return 0 if value is None else value


def save_event_form(form: EventForm, event: OutreachEvent | None) -> tuple[
        OutreachEvent | None, list[str], list[str]]:
    """Validate and save; returns (event or None, material errors, general errors). Commits
    on success; on a refusal everything is rolled back and every problem is placed on the
    form at once (a long form on a phone is not fixed one message per try)."""
    material_errors: list[str] = []
    general_errors: list[str] = []
    if not form.validate_on_submit():
        if form.is_submitted():
            _place(form, _problems(form, event), material_errors, general_errors)
        return None, material_errors, general_errors
    now = utcnow()
    try:
        fields = event_fields(form)
        if event is None:
            event = services.create_event(current_user, fields, now)
            changed = ["created"]
        else:
            changed = services.update_event(current_user, event, fields, now, _seen(form))
    except DomainError as error:  # a refused value, or the event locked or changed meanwhile
        db.session.rollback()
        if error.code == "changed_meanwhile":  # told once: saving again keeps this page's
            form.seen.data = _as_seen(event)
        problems = _problems(form, event) if isinstance(error, ValidationFailed) else []
        _place(form, problems or [error], material_errors, general_errors)
        return None, material_errors, general_errors
    db.session.commit()
    flash(_("已保存。") if changed else _("没有需要保存的修改。"), "success")
    return event, material_errors, general_errors


def _problems(form: EventForm, event: OutreachEvent | None) -> list[ValidationFailed]:
    """What the service would refuse in the form, all of it: the department as the service
    settles it (staff record for their own; only an admin moves an event)."""
    fields = event_fields(form)
    if event is not None and (not current_user.is_admin or fields.department_id is None):
        fields.department_id = event.department_id
    elif event is None and not current_user.is_admin:
        fields.department_id = current_user.department_id
    problems, _laws = services.event_problems(fields, event)
    return problems


def _place(form: EventForm, problems: list, material_errors: list[str],
           general_errors: list[str]) -> None:
    """Each problem under its field, unless the field already says what is wrong with it."""
    for problem in problems:
        name = problem.field or ""
        shown = hasattr(form, name) and (name != "department_id" or form.department_id.choices)
        if name == "materials":
            material_errors.append(problem.message)
        elif shown:
            target = getattr(form, name)
            if not target.errors:
                target.errors = [*target.errors, problem.message]
        elif problem.message not in general_errors:
            general_errors.append(problem.message)
