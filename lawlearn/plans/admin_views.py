"""Admin pages of study plans: the list, the plan form, a plan with its stages and items.
Audience, publishing and progress are in :mod:`lawlearn.plans.admin_lifecycle_views`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from lawlearn.accounts.forms import ConfirmForm
from lawlearn.database import utcnow
from lawlearn.errors import (
    DomainError,
    accepted,
    add_service_problems,
    show_beside_fields,
    submitted_with_a_token,
)
from lawlearn.extensions import db
from lawlearn.i18n import display_datetime
from lawlearn.pagination import paginate
from lawlearn.plans import authoring, item_settings, plans_admin_bp, publishing, stages
from lawlearn.plans.admin_forms import (
    KIND_FIELDS,
    ItemForm,
    MoveForm,
    PlanForm,
    StageForm,
)
from lawlearn.plans.kinds import KINDS
from lawlearn.plans.models import PLAN_KINDS, PLAN_STATUSES, Plan, PlanItem
from lawlearn.plans.progress import item_hours
from lawlearn.plans.view_helpers import (
    run_change,
)
from lawlearn.submissions import once_per_submission


def plan_or_404(plan_id: int) -> Plan:
    """A plan by id, or 404."""
    return authoring.get_plan(plan_id)


def back_to_plan(plan: Plan, anchor: str = ""):
    return redirect(url_for("plans_admin.plan_detail", plan_id=plan.id) + anchor)


# --- list and plan form -------------------------------------------------------------------


@plans_admin_bp.route("/")
def plans():
    """Every plan: search by title, filter by status and kind, paginated."""
    query = authoring.plan_query(q=request.args.get("q") or None,
                                status=request.args.get("status") or None,
                                kind=request.args.get("kind") or None)
    pagination = paginate(query)
    counts = authoring.item_counts([plan.id for plan in pagination.items])
    return render_template("plans_admin/plans.html", pagination=pagination, counts=counts,
                           statuses=PLAN_STATUSES, kinds=PLAN_KINDS)


def _plan_fields(form: PlanForm) -> authoring.PlanFields:
    return authoring.PlanFields(title=form.title.data or "", kind=form.kind.data,
                               description=form.description.data or "",
                               starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                               required_hours=form.required_hours.data)


@plans_admin_bp.route("/new", methods=["GET", "POST"])
@plans_admin_bp.route("/<int:plan_id>/edit", methods=["GET", "POST"])
@once_per_submission(lambda: url_for("plans_admin.plans"))
def plan_edit(plan_id: int | None = None):
    """Create a plan (a draft) or edit its title, kind, period and required hours."""
    plan = plan_or_404(plan_id) if plan_id else None
    if plan is not None:
        try:  # a closed plan is frozen: no form to fill in only to be refused
            authoring.check_editable(plan)
        except DomainError as error:
            flash(error.message, "info")
            return back_to_plan(plan)
    form = PlanForm(obj=plan if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        valid = form.validate_on_submit()
        # The service's rules too (end before start, …): every problem shows at once, each
        # under its field, not only the first one found.
        problems = authoring.plan_problems(_plan_fields(form))
        for problem in problems:
            target = getattr(form, problem.field or "title")
            if not target.errors:
                target.errors = [*target.errors, problem.message]
        status = 422
        if valid and not problems:
            try:
                if plan is None:
                    plan = authoring.create_plan(current_user, _plan_fields(form), utcnow())
                else:
                    authoring.update_plan(current_user, plan, _plan_fields(form), utcnow())
            except DomainError as error:
                db.session.rollback()
                show_beside_fields(form, error, "title")
            else:
                db.session.commit()
                flash(_("计划已保存。"), "success")
                return back_to_plan(plan)
    return render_template("plans_admin/plan_form.html", form=form, plan=plan), status


# --- a plan: stages and items ----------------------------------------------------------------


def _item_choices(form: ItemForm, plan: Plan, item: PlanItem | None = None) -> None:
    """Fill the item form's select boxes (one query each)."""
    from lawlearn.library.models import Law, LawDivision, Material
    from lawlearn.library.services import list_laws
    from lawlearn.quiz.models import Quiz
    from lawlearn.sessions.models import StudySession

    none = ("", _("（请选择）"))
    form.stage_id.choices = [("", _("（不分阶段，列入“其他事项”）"))] + [
        (s.id, s.title) for s in plan.stages]
    laws = list_laws()
    form.law_id.choices = [none] + [(law.id, law.display_title) for law in laws]
    titles = {law.id: law.display_title for law in laws}
    divisions = db.session.execute(
        select(LawDivision.id, LawDivision.law_id)
        .join(Law, Law.id == LawDivision.law_id)
        .where(Law.is_current.is_(True), LawDivision.kind.in_(item_settings.ARTICLE_DIVISION_KINDS))
        .order_by(LawDivision.law_id, LawDivision.position)).all()
    # Each chapter under its 编 (民法典 has seven "第一章"), each section under its chapter.
    paths = item_settings.division_paths({d.law_id for d in divisions})
    form.division_id.choices = [none] + [
        (d.id, f"{titles.get(d.law_id, '')} · {paths[d.id]}", {"data-law": d.law_id})
        for d in divisions]
    form.material_id.choices = [none] + [(m.id, m.title) for m in db.session.execute(
        select(Material.id, Material.title).where(Material.published.is_(True))
        .order_by(Material.title))]
    chosen_quiz = item.settings.get("quiz_id") if item is not None else None
    form.quiz_id.choices = [none] + [(q.id, q.title) for q in db.session.execute(
        select(Quiz.id, Quiz.title).where(or_(Quiz.published.is_(True), Quiz.id == chosen_quiz))
        .order_by(Quiz.id.desc()))]
    # Sessions of the plan's period (a day's margin for the time zone), and the chosen one.
    chosen = item.settings.get("session_id") if item is not None else None
    first = datetime.combine(plan.starts_on - timedelta(days=1), time())
    last = datetime.combine(plan.ends_on + timedelta(days=2), time())
    sessions = db.session.execute(
        select(StudySession.id, StudySession.title, StudySession.starts_at)
        .where(StudySession.cancelled_at.is_(None),
               or_(and_(StudySession.starts_at >= first, StudySession.starts_at < last),
                   StudySession.id == (chosen or 0)))
        .order_by(StudySession.starts_at)).all()
    form.session_id.choices = [none] + [
        (s.id, f"{display_datetime(s.starts_at)} {s.title}") for s in sessions]
    if not sessions:
        form.session_id.description = _("计划期间没有学法活动，请先在学法活动中安排。")


def _item_fields(form: ItemForm) -> authoring.ItemFields:
    """What the form says, for the service (a value the form refused reads as not given)."""
    settings = {name: accepted(getattr(form, name)) for names in KIND_FIELDS.values()
                for name in names}
    settings["from"] = settings.pop("streak_from")
    hours, points = accepted(form.hours), accepted(form.points)
    return authoring.ItemFields(
        kind=form.kind.data, title=accepted(form.title) or "",
        description=accepted(form.description) or "", stage_id=accepted(form.stage_id),
        due_on=accepted(form.due_on), required=form.required.data,
        hours=hours if hours is not None else 0, points=points if points is not None else 0,
        settings=settings)


def _fill_item_form(form: ItemForm, item: PlanItem) -> None:
    for name in ("kind", "title", "description", "stage_id", "due_on", "required", "hours",
                 "points"):
        getattr(form, name).data = getattr(item, name)
    for names in KIND_FIELDS.values():
        for name in names:
            if name in item.settings:
                getattr(form, name).data = item.settings[name]
    if item.settings.get("from"):
        form.streak_from.data = date.fromisoformat(item.settings["from"])


def _detail(plan: Plan, *, item_form: ItemForm | None = None,
            stage_form: StageForm | None = None, status: int = 200):
    """The plan page: facts, audience, stages with their items, the add forms."""
    plan = db.session.scalar(select(Plan).where(Plan.id == plan.id).options(
        selectinload(Plan.items), selectinload(Plan.stages), selectinload(Plan.audience)))
    item_form = item_form or ItemForm(formdata=None)
    _item_choices(item_form, plan)
    groups: list[tuple[Any, list[PlanItem]]] = [
        (stage, [i for i in plan.items if i.stage_id == stage.id]) for stage in plan.stages]
    ungrouped = [i for i in plan.items if i.stage_id is None]
    if ungrouped or not groups:
        groups.append((None, ungrouped))
    audience_count = len(publishing.audience_ids(plan)) if plan.status == "draft" else None
    return render_template(
        "plans_admin/plan.html", plan=plan, groups=groups, kinds=KINDS,
        targets=item_settings.item_targets(plan.items), item_hours=item_hours(plan.items),
        needing=[i for i in plan.items if item_settings.needs_target(i)],
        audience=publishing.audience_summary(plan), audience_count=audience_count,
        item_form=item_form, stage_form=stage_form or StageForm(formdata=None, prefix="stage"),
        kind_fields=KIND_FIELDS, confirm_form=ConfirmForm(), move_form=MoveForm(),
        editable=plan.status != "closed"), status


@plans_admin_bp.route("/<int:plan_id>")
def plan_detail(plan_id: int):
    """A plan: its items grouped by stage, the forms to add items and stages, its actions."""
    return _detail(plan_or_404(plan_id))


@plans_admin_bp.route("/<int:plan_id>/items", methods=["POST"])
def item_add(plan_id: int):
    """Add an item; with errors the plan page comes back with the form as typed."""
    plan = plan_or_404(plan_id)
    form = ItemForm()
    _item_choices(form, plan)
    if form.validate_on_submit():
        try:
            item = authoring.add_item(current_user, plan, _item_fields(form), utcnow())
        except DomainError as error:
            db.session.rollback()
            show_beside_fields(form, error, "title")
        else:
            db.session.commit()
            flash(_("已添加“%(title)s”。", title=item.title), "success")
            return back_to_plan(plan, f"#item-{item.id}")
    elif submitted_with_a_token(form):
        _add_item_problems(form, plan)
    return _detail(plan, item_form=form, status=422)


def _add_item_problems(form: ItemForm, plan: Plan) -> None:
    """The service's problems beside the form's own, so that one answer names them all.
    The kind's settings are checked together: with one of them refused by the form, the
    others' messages would be about a value never read (起始条文 "abc" is no range)."""
    problems = authoring.item_problems(plan, _item_fields(form))[1]
    settings = set(KIND_FIELDS.get(form.kind.data, ()))
    if any(form[name].errors for name in settings):
        problems = [p for p in problems if p.field not in settings]
    add_service_problems(form, problems, "title")


@plans_admin_bp.route("/<int:plan_id>/items/<int:item_id>", methods=["GET", "POST"])
def item_edit(plan_id: int, item_id: int):
    """Edit one item: its common fields and its kind's settings."""
    plan = plan_or_404(plan_id)
    item = authoring.get_item(plan, item_id)
    form = ItemForm()
    _item_choices(form, plan, item)
    if request.method == "GET":
        _fill_item_form(form, item)
    status = 200
    if form.validate_on_submit():
        try:
            authoring.update_item(current_user, item, _item_fields(form), utcnow())
        except DomainError as error:
            db.session.rollback()
            show_beside_fields(form, error, "title")
            status = 422
        else:
            db.session.commit()
            flash(_("已保存“%(title)s”。", title=item.title), "success")
            return back_to_plan(plan, f"#item-{item.id}")
    elif request.method == "POST":
        status = 422
        if submitted_with_a_token(form):
            _add_item_problems(form, plan)
    return render_template("plans_admin/item_form.html", plan=plan, item=item, form=form,
                           kind_fields=KIND_FIELDS,
                           needs_target=item_settings.needs_target(item)), status


@plans_admin_bp.route("/<int:plan_id>/items/<int:item_id>/move", methods=["POST"])
def item_move(plan_id: int, item_id: int):
    """Move an item up or down within its stage."""
    plan = plan_or_404(plan_id)
    item = authoring.get_item(plan, item_id)
    form = MoveForm()
    if form.validate_on_submit():
        authoring.move_item(current_user, item, form.offset, utcnow())
        db.session.commit()
    return back_to_plan(plan, f"#item-{item.id}")


@plans_admin_bp.route("/<int:plan_id>/items/<int:item_id>/delete", methods=["POST"])
def item_delete(plan_id: int, item_id: int):
    """Delete an item nobody has done yet (the button asks first)."""
    plan = plan_or_404(plan_id)
    item = authoring.get_item(plan, item_id)
    if ConfirmForm().validate_on_submit():
        title = item.title
        run_change(lambda: authoring.delete_item(current_user, item, utcnow()),
                   lambda _none: _("已删除“%(title)s”。", title=title))
    return back_to_plan(plan, "#items")


@plans_admin_bp.route("/<int:plan_id>/stages", methods=["POST"])
def stage_add(plan_id: int):
    """Add a stage (a month or a phase) at the end."""
    plan = plan_or_404(plan_id)
    form = StageForm(prefix="stage")
    if form.validate_on_submit():
        try:
            stages.add_stage(current_user, plan, form.title.data, utcnow())
        except DomainError as error:
            db.session.rollback()
            show_beside_fields(form, error, "title")
        else:
            db.session.commit()
            flash(_("已添加阶段。"), "success")
            return back_to_plan(plan, "#stages")
    return _detail(plan, stage_form=form, status=422)


@plans_admin_bp.route("/<int:plan_id>/stages/<int:stage_id>/rename", methods=["POST"])
def stage_rename(plan_id: int, stage_id: int):
    """Rename a stage."""
    plan = plan_or_404(plan_id)
    stage = stages.get_stage(plan, stage_id)
    form = StageForm()
    if not form.validate_on_submit():
        flash(_("请填写阶段名称（最多 100 字）。"), "error")
        return back_to_plan(plan, "#stages")
    run_change(lambda: stages.rename_stage(current_user, stage, form.title.data, utcnow()),
               lambda _none: _("已改名。"))
    return back_to_plan(plan, "#stages")


@plans_admin_bp.route("/<int:plan_id>/stages/<int:stage_id>/move", methods=["POST"])
def stage_move(plan_id: int, stage_id: int):
    """Move a stage (with its items) up or down."""
    plan = plan_or_404(plan_id)
    stage = stages.get_stage(plan, stage_id)
    form = MoveForm()
    if form.validate_on_submit():
        stages.move_stage(current_user, stage, form.offset, utcnow())
        db.session.commit()
    return back_to_plan(plan, "#stages")


@plans_admin_bp.route("/<int:plan_id>/stages/<int:stage_id>/delete", methods=["POST"])
def stage_delete(plan_id: int, stage_id: int):
    """Delete a stage; its items stay, ungrouped (the button asks first)."""
    plan = plan_or_404(plan_id)
    stage = stages.get_stage(plan, stage_id)
    if ConfirmForm().validate_on_submit():
        run_change(lambda: stages.delete_stage(current_user, stage, utcnow()),
                   lambda count: _("已删除阶段，其中 %(n)d 项移入“其他事项”。", n=count))
    return back_to_plan(plan, "#stages")
