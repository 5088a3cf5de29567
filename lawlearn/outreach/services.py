"""Outreach events (普法活动): validation and the workflow draft → submitted → verified
(changes to verified events are numbered revisions in the audit log). No HTTP here.

The categories events are filed under are in :mod:`lawlearn.outreach.categories`; who may
do what in :mod:`lawlearn.outreach.access`; field labels, snapshots and the event's history
in :mod:`lawlearn.outreach.history`; the list queries in :mod:`lawlearn.outreach.event_lists`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import Department, User
from lawlearn.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import Law
from lawlearn.localtime import local_day
from lawlearn.outreach.access import (
    can_delete_event,
    can_submit_event,
    check_reportable,
    require_edit,
    require_recording,
)
from lawlearn.outreach.history import (
    COUNT_FIELDS,
    COUNT_LABELS,
    changes_since,
    describe_changes,
    material_dicts,
    record_revision,
    snapshot,
)
from lawlearn.outreach.models import (
    AUDIENCES,
    CHANNELS,
    MATERIAL_KINDS,
    Campaign,
    OutreachCategory,
    OutreachEvent,
    OutreachMaterial,
)
from lawlearn.outreach.stall import close_for_verification
from lawlearn.plans.notices import notify

# Counts are stored as 32-bit integers; anything near that is a typing slip anyway.
MAX_COUNT = 100_000_000
MAX_MATERIAL_ROWS = 50


def get_event(event_id: int) -> OutreachEvent:
    event = db.session.get(OutreachEvent, event_id)
    if event is None:
        raise NotFound(_("活动不存在。"))
    return event

# --- fields and their validation --------------------------------------------------------


@dataclass
class MaterialRow:
    """Materials handed out: a kind from MATERIAL_KINDS, how many kinds, how many copies."""

    kind: str
    kinds: int | None
    copies: int | None
    note: str = ""
    line: int | None = None  # its row on the form, for messages (blank rows are left out)


@dataclass
class EventFields:
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    category_id: int | None
    department_id: int | None = None
    place: str = ""
    campaign_id: int | None = None
    partner_units: str = ""
    law_ids: list[int] = field(default_factory=list)
    other_laws: str = ""
    audiences: list[str] = field(default_factory=list)
    channel: str = "onsite"
    participants: int | None = 0
    volunteers: int | None = 0
    consultations: int | None = 0
    online_views: int | None = 0
    materials: list[MaterialRow] = field(default_factory=list)
    summary: str = ""
    follow_up: str = ""


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_count(name: str, value: Any) -> None:
    label = COUNT_LABELS[name]
    if not _is_count(value):
        raise ValidationFailed(_("%(label)s须填写整数（没有请填 0）。", label=label), field=name)
    if value < 0:
        raise ValidationFailed(_("%(label)s不能为负数。", label=label), field=name)
    if value > MAX_COUNT:
        raise ValidationFailed(_("%(label)s数字过大，请核对。", label=label), field=name)


def _material_problems(rows: list[MaterialRow]) -> list[ValidationFailed]:
    """Each row's first problem, every row at once."""
    if len(rows) > MAX_MATERIAL_ROWS:
        return [ValidationFailed(_("宣传资料最多填写 %(n)d 行。", n=MAX_MATERIAL_ROWS),
                                 field="materials")]
    problems = []
    for index, row in enumerate(rows, start=1):
        number = row.line or index
        message = None
        if row.kind not in MATERIAL_KINDS:
            message = _("宣传资料第 %(n)d 行：请选择资料类型。", n=number)
        elif not _is_count(row.kinds) or row.kinds < 1:
            message = _("宣传资料第 %(n)d 行：种数须为不小于 1 的整数。", n=number)
        elif not _is_count(row.copies) or row.copies < 1:
            message = _("宣传资料第 %(n)d 行：数量须为不小于 1 的整数。", n=number)
        elif row.kinds > MAX_COUNT or row.copies > MAX_COUNT:
            message = _("宣传资料第 %(n)d 行：数字过大，请核对。", n=number)
        elif len(row.note or "") > 200:
            message = _("宣传资料第 %(n)d 行：说明不能超过 200 字。", n=number)
        if message:
            problems.append(ValidationFailed(message, field="materials"))
    return problems


def _day_label(day: date) -> str:
    return _("%(year)d年%(month)d月%(day)d日", year=day.year, month=day.month, day=day.day)


def _check_title(fields: EventFields, _event: OutreachEvent | None) -> None:
    if not (fields.title or "").strip():
        raise ValidationFailed(_("请填写活动名称。"), field="title")
    if len(fields.title.strip()) > 200:
        raise ValidationFailed(_("活动名称不能超过 200 字。"), field="title")


def _check_place(fields: EventFields, _event: OutreachEvent | None) -> None:
    if len(fields.place or "") > 200:
        raise ValidationFailed(_("地点不能超过 200 字。"), field="place")


def _check_times(fields: EventFields, _event: OutreachEvent | None) -> None:
    if fields.starts_at is None:
        raise ValidationFailed(_("请填写开始时间。"), field="starts_at")
    if fields.ends_at is None:
        raise ValidationFailed(_("请填写结束时间。"), field="ends_at")
    if fields.ends_at < fields.starts_at:
        raise ValidationFailed(_("结束时间不能早于开始时间。"), field="ends_at")


def _check_category(fields: EventFields, event: OutreachEvent | None) -> None:
    category = db.session.get(OutreachCategory, fields.category_id) \
        if fields.category_id else None
    if category is None:
        raise ValidationFailed(_("请选择活动类别。"), field="category_id")
    if not category.active and (event is None or event.category_id != category.id):
        raise ValidationFailed(_("类别“%(name)s”已停用，请另选。", name=category.name),
                               field="category_id")


def _check_department(fields: EventFields, _event: OutreachEvent | None) -> None:
    if fields.department_id is None or db.session.get(Department, fields.department_id) is None:
        raise ValidationFailed(_("请选择组织部门。"), field="department_id")


def _check_campaign(fields: EventFields, _event: OutreachEvent | None) -> None:
    if fields.campaign_id is None:
        return
    campaign = db.session.get(Campaign, fields.campaign_id)
    if campaign is None:
        raise ValidationFailed(_("所选主题宣传不存在。"), field="campaign_id")
    if fields.starts_at is not None \
            and not campaign.starts_on <= local_day(fields.starts_at) <= campaign.ends_on:
        raise ValidationFailed(_("活动日期不在《%(title)s》期间（%(start)s至%(end)s）内。",
                                 title=campaign.title, start=_day_label(campaign.starts_on),
                                 end=_day_label(campaign.ends_on)), field="campaign_id")


def _check_audiences(fields: EventFields, _event: OutreachEvent | None) -> None:
    if any(key not in AUDIENCES for key in fields.audiences):
        raise ValidationFailed(_("未知的宣传对象。"), field="audiences")


def _check_channel(fields: EventFields, _event: OutreachEvent | None) -> None:
    if fields.channel not in CHANNELS:
        raise ValidationFailed(_("请选择宣传渠道。"), field="channel")


def _chosen_laws(fields: EventFields) -> list[Law]:
    law_ids = list(dict.fromkeys(fields.law_ids))
    laws = list(db.session.scalars(select(Law).where(Law.id.in_(law_ids)))) if law_ids else []
    if len(laws) != len(law_ids):
        raise ValidationFailed(_("所选法律法规不在法规库中。"), field="law_ids")
    return sorted(laws, key=lambda law: law_ids.index(law.id))


def event_problems(fields: EventFields, event: OutreachEvent | None
                   ) -> tuple[list[ValidationFailed], list[Law]]:
    """Every broken rule, the first of each field and of each material row, so that the
    form shows them all at once; and the laws chosen."""
    problems: list[ValidationFailed] = []
    checks = [_check_title, _check_times, _check_place, _check_category,
              _check_department, _check_campaign, _check_audiences, _check_channel,
              *[lambda f, _e, name=name: _check_count(name, getattr(f, name))
                for name in COUNT_FIELDS]]
    for check in checks:
        try:
            check(fields, event)
        except ValidationFailed as problem:
            problems.append(problem)
    problems.extend(_material_problems(fields.materials))
    laws: list[Law] = []
    try:
        laws = _chosen_laws(fields)
    except ValidationFailed as problem:
        problems.append(problem)
    return problems, laws


def _check(fields: EventFields, event: OutreachEvent | None) -> list[Law]:
    """Raise ValidationFailed for the first broken rule; returns the laws chosen."""
    problems, laws = event_problems(fields, event)
    if problems:
        raise problems[0]
    return laws


def _apply(event: OutreachEvent, fields: EventFields, laws: list[Law]) -> None:
    event.title = fields.title.strip()
    event.starts_at, event.ends_at = fields.starts_at, fields.ends_at
    event.place = (fields.place or "").strip()
    event.category_id = fields.category_id
    event.campaign_id = fields.campaign_id
    event.department_id = fields.department_id
    event.partner_units = (fields.partner_units or "").strip()
    event.other_laws = (fields.other_laws or "").strip()
    event.audiences = [key for key in AUDIENCES if key in fields.audiences]
    event.channel = fields.channel
    for name in COUNT_FIELDS:
        setattr(event, name, getattr(fields, name))
    event.summary = (fields.summary or "").strip()
    event.follow_up = (fields.follow_up or "").strip()
    if [law.id for law in event.laws] != [law.id for law in laws]:
        event.laws = laws
    wanted = material_dicts(fields.materials)
    if material_dicts(event.materials) != wanted:
        event.materials = [OutreachMaterial(**row) for row in wanted]


# --- create, edit, workflow ---------------------------------------------------------------


def create_event(actor: User, fields: EventFields, now: datetime) -> OutreachEvent:
    """A draft for the actor's department (an admin may pick any department)."""
    require_recording(actor)
    if not actor.is_admin:
        if actor.department_id is None:
            raise ValidationFailed(_("您还没有所属部门，不能登记活动，请联系管理员。"),
                                   field="department_id")
        fields.department_id = actor.department_id
    laws = _check(fields, None)
    event = OutreachEvent(status="draft", created_by_id=actor.id, created_at=now, updated_at=now)
    _apply(event, fields, laws)
    db.session.add(event)
    db.session.flush()
    record_audit(actor, "outreach.event.create", event,
                 _("登记普法活动《%(title)s》", title=event.title))
    return event


def update_event(actor: User, event: OutreachEvent, fields: EventFields,
                 now: datetime, seen: dict[str, Any] | None = None) -> list[str]:
    """Save changes; returns the fields changed (on a verified event, a numbered revision).
    ``seen``: the event's snapshot as the editor's page showed it; changed since (another
    tab, the lead), the save is refused naming the changes, not made over them."""
    require_edit(actor, event)
    if not actor.is_admin or fields.department_id is None:
        fields.department_id = event.department_id  # only an admin moves an event
    laws, before = _check(fields, event), snapshot(event)
    if seen is not None and set(seen) == set(before) and seen != before:
        raise Conflict(_("你打开本页后，这条活动已被修改：%(changes)s。为免覆盖，本次未保存。请核对后"
                         "再点保存：再次保存将以本页内容为准。", changes="；".join(
                             changes_since(seen, before))), code="changed_meanwhile")
    _apply(event, fields, laws)
    after = snapshot(event)
    changed = [name for name in after if before[name] != after[name]]
    if not changed:
        return []
    event.updated_at = now
    lines = describe_changes(before, after)
    if event.status == "verified":
        record_revision(actor, event, lines,
                        {"changed": changed, "before": before, "after": after})
    else:
        record_audit(actor, "outreach.event.update", event,
                     _("修改普法活动《%(title)s》：%(changes)s", title=event.title,
                       changes="；".join(lines)),
                     {"changed": changed, "before": {k: before[k] for k in changed},
                      "after": {k: after[k] for k in changed}})
    return changed


def _move(event: OutreachEvent, expected: str, new: str, refusal: str) -> None:
    """Change the event's status in one conditional UPDATE: of two requests doing the same
    at once (a double click, two admins) the second finds the status changed and is refused,
    so nobody is notified twice and no step is audited twice."""
    moved = db.session.execute(
        update(OutreachEvent).where(OutreachEvent.id == event.id,
                                    OutreachEvent.status == expected)
        .values(status=new).execution_options(synchronize_session=False)).rowcount
    if not moved:
        raise Conflict(refusal, code="wrong_status")
    set_committed_value(event, "status", new)


def submit_event(actor: User, event: OutreachEvent, now: datetime) -> None:
    """draft → submitted, by the department's dept_lead (or an admin)."""
    if event.status != "draft":
        raise Conflict(_("只有草稿可以提交。"), code="wrong_status")
    require_recording(actor)
    if not can_submit_event(actor, event):
        raise PermissionDenied(_("只有本部门负责人或管理员可以提交活动；部门没有负责人时，"
                                 "本部门工作人员也可以提交。"))
    check_reportable(event, now)
    _move(event, "draft", "submitted", _("只有草稿可以提交。"))
    event.submitted_by_id, event.submitted_at = actor.id, now
    record_audit(actor, "outreach.event.submit", event,
                 _("提交普法活动《%(title)s》待审核", title=event.title))


def verify_event(actor: User, event: OutreachEvent, now: datetime) -> None:
    """submitted → verified; the event is locked from then on, and its stall quiz closed so
    that no completion changes the verified figures."""
    if not actor.is_admin:
        raise PermissionDenied(_("只有管理员可以审核活动。"))
    if event.status != "submitted":
        raise Conflict(_("只有已提交的活动可以审核。"), code="wrong_status")
    check_reportable(event, now)
    _move(event, "submitted", "verified", _("只有已提交的活动可以审核。"))
    event.verified_by_id, event.verified_at = actor.id, now
    record_audit(actor, "outreach.event.verify", event,
                 _("审核通过普法活动《%(title)s》", title=event.title))
    close_for_verification(actor, event, now)


def return_event(actor: User, event: OutreachEvent, comment: str, now: datetime) -> None:
    """submitted → draft, with a comment the department sees on the event."""
    if not actor.is_admin:
        raise PermissionDenied(_("只有管理员可以退回活动。"))
    if event.status != "submitted":
        raise Conflict(_("只有已提交的活动可以退回。"), code="wrong_status")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed(_("请填写退回原因，部门会看到。"), field="comment")
    if len(comment) > 1000:
        raise ValidationFailed(_("退回原因不能超过 1000 字。"), field="comment")
    told = {event.created_by_id, event.submitted_by_id} - {None, actor.id}
    _move(event, "submitted", "draft", _("只有已提交的活动可以退回。"))
    event.submitted_by_id, event.submitted_at = None, None
    event.updated_at = now
    notify(told, _("普法活动被退回：%(title)s", title=event.title),
           _("退回原因：%(comment)s", comment=comment), f"/outreach/events/{event.id}", now)
    record_audit(actor, "outreach.event.return", event,
                 _("退回普法活动《%(title)s》：%(comment)s", title=event.title, comment=comment),
                 {"comment": comment})


def delete_event(actor: User, event: OutreachEvent) -> Path:
    """Delete a draft; returns its photo folder, for the caller to remove after commit."""
    if event.status != "draft":
        raise Conflict(_("只有草稿可以删除。"), code="wrong_status")
    if not can_delete_event(actor, event):
        raise PermissionDenied(_("只有登记人、本部门负责人或管理员可以删除草稿。"))
    from lawlearn.outreach.photos import event_folder

    folder = event_folder(event.id, create=False)
    record_audit(actor, "outreach.event.delete", event,
                 _("删除普法活动草稿《%(title)s》", title=event.title),
                 {"event": snapshot(event)})
    db.session.delete(event)
    db.session.flush()
    return folder
