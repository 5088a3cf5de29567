"""Admin pages for users, departments, user import and the audit log."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lawlearn import uploads
from lawlearn.accounts import admin_bp, audit, departments, importing, services
from lawlearn.accounts.forms import (
    ConfirmForm,
    DepartmentForm,
    MergeDepartmentForm,
    MoveDepartmentForm,
    RenameDepartmentForm,
    ResetPasswordForm,
    UserForm,
    UserImportConfirmForm,
    UserImportForm,
)
from lawlearn.accounts.models import ROLE_LABELS, Role, User
from lawlearn.converters import record_id
from lawlearn.database import utcnow
from lawlearn.errors import (
    DomainError,
    accepted,
    add_service_problems,
    show_beside_fields,
    submitted_with_a_token,
)
from lawlearn.exports import XLSX_MIMETYPE, download
from lawlearn.extensions import db
from lawlearn.localtime import local_day, parse_day
from lawlearn.pagination import paginate

# An import preview lists this many rows (a city's file has thousands; all are checked).
PREVIEW_ROWS = 200


@admin_bp.route("/")
def index():
    """Admin home: counts and shortcuts."""
    counts = {
        "users": db.session.scalar(db.select(db.func.count(User.id)).where(User.active)),
        "departments": len(departments.department_choices()),
    }
    recent = db.session.scalars(audit.audit_query().limit(10)).all()
    return render_template("admin/index.html", counts=counts, recent=recent)


# --- users --------------------------------------------------------------------------


@admin_bp.route("/users")
def users():
    """List users with search, filters and pagination."""
    status = request.args.get("status", "active")
    active = {"active": True, "inactive": False}.get(status)
    query = services.user_query(
        q=request.args.get("q"),
        department_id=request.args.get("department", type=record_id),
        role=request.args.get("role") or None,
        active=active,
    )
    pagination = paginate(query)
    return render_template("admin/users.html", pagination=pagination, now=utcnow(),
                           department_choices=departments.department_choices(),
                           role_labels=ROLE_LABELS, status=status)


def _user_form(form: UserForm) -> UserForm:
    form.department_id.choices = [("", _("（无）"))] + departments.department_choices()
    return form


def _fields(form: UserForm) -> services.UserFields:
    return services.UserFields(accepted(form.name) or "", accepted(form.department_id),
                               set(accepted(form.roles) or ()), accepted(form.phone),
                               accepted(form.joined_on))


@admin_bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    """Create one user."""
    form = _user_form(UserForm(roles=[Role.STAFF.value]))
    # Optional on the form (edits have no password field) but not for a new account: the
    # service names it missing with the rest, and the label carries the same * as 姓名.
    form.password.flags.required = True
    if form.validate_on_submit():
        try:
            user = services.create_user(current_user, form.username.data, form.password.data,
                                        _fields(form))
        except DomainError as error:
            show_beside_fields(form, error, "username")
        else:
            db.session.commit()
            flash(_("已创建用户 %(name)s。", name=user.name), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    elif submitted_with_a_token(form):
        add_service_problems(form, services.new_user_problems(
            form.username.data or "", form.password.data, _fields(form)), "username")
    return render_template("admin/user_form.html", form=form, user=None)


@admin_bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    """Edit a user's name, department, roles and phone."""
    user = db.get_or_404(User, user_id)
    form = _user_form(UserForm(obj=user, roles=sorted(user.roles),
                               joined_on=local_day(user.joined_at)))
    form.username.data = user.username
    if form.validate_on_submit():
        try:
            services.update_user(current_user, user, _fields(form))
        except DomainError as error:
            show_beside_fields(form, error, "name")
        else:
            db.session.commit()
            flash(_("已保存。"), "success")
            return redirect(url_for("admin.users"))
    elif submitted_with_a_token(form):
        add_service_problems(form, services.field_problems(_fields(form), user.phone), "name")
    return render_template("admin/user_form.html", form=form, user=user,
                           reset_form=ResetPasswordForm(), confirm_form=ConfirmForm(),
                           locked=bool(user.locked_until and user.locked_until > utcnow()))


@admin_bp.route("/users/<int:user_id>/reset-password", methods=["POST"])
def user_reset_password(user_id: int):
    """Set a temporary password (also lifts a lockout)."""
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(current_user, user, form.new_password.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            db.session.commit()
            flash(_("已重置 %(name)s 的密码，其下次登录时须修改。", name=user.name), "success")
    else:
        flash(_("请填写临时密码。"), "error")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@admin_bp.route("/users/<int:user_id>/active", methods=["POST"])
def user_set_active(user_id: int):
    """Deactivate or reactivate an account (people are never deleted)."""
    user = db.get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    try:
        services.set_user_active(current_user, user, active)
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("已启用 %(name)s。", name=user.name) if active
              else _("已停用 %(name)s。", name=user.name), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


# --- departments --------------------------------------------------------------------


@admin_bp.route("/departments", methods=["GET", "POST"])
def departments_page():
    """The department tree; create a unit or a section."""
    form = DepartmentForm()
    units = departments.department_tree()
    form.parent_id.choices = [("", _("（作为一级部门）"))] + [(u.id, u.name) for u in units]
    if form.validate_on_submit():
        try:
            created = departments.create_department(current_user, form.name.data,
                                                    form.parent_id.data)
        except DomainError as error:
            show_beside_fields(form, error, "name")
        else:
            db.session.commit()
            flash(_("已创建部门 %(name)s。", name=created.full_name), "success")
            return redirect(url_for("admin.departments_page"))
    counts = departments.member_counts()
    totals = {unit.id: departments.members_with_sections(unit, counts) for unit in units}
    return render_template("admin/departments.html", form=form, units=units,
                           counts=counts, totals=totals)


@admin_bp.route("/departments/<int:department_id>", methods=["GET", "POST"])
def department_edit(department_id: int):
    """Rename, move, merge or delete (made by mistake) one department."""
    department = departments.get_department(department_id)
    rename_form = RenameDepartmentForm(prefix="rename", name=department.name)
    move_form = MoveDepartmentForm(prefix="move", parent_id=department.parent_id)
    merge_form = MergeDepartmentForm(prefix="merge")
    units = [u for u in departments.department_tree() if u.id != department.id]
    move_form.parent_id.choices = [("", _("（作为一级部门）"))] + [(u.id, u.name) for u in units]
    own_sections = {section.id for section in department.children}
    merge_form.target_id.choices = [("", _("请选择"))] + [
        (i, label) for i, label in departments.department_choices()
        if i != department.id and i not in own_sections
    ]
    delete_form = ConfirmForm(prefix="delete")
    action = request.form.get("action")
    forms = {"rename": rename_form, "move": move_form, "merge": merge_form,
             "delete": delete_form}
    form = forms.get(action or "")
    if request.method == "POST" and form is not None and form.validate_on_submit():
        try:
            if action == "rename":
                departments.rename_department(current_user, department, rename_form.name.data)
            elif action == "move":
                departments.move_department(current_user, department, move_form.parent_id.data)
            elif action == "delete":
                name = department.full_name
                departments.delete_department(current_user, department)
                db.session.commit()
                flash(_("已删除部门 %(name)s。", name=name), "success")
                return redirect(url_for("admin.departments_page"))
            else:
                target = departments.get_department(merge_form.target_id.data)
                moved = departments.merge_departments(current_user, department, target)
                db.session.commit()
                flash(_("已合并，转移 %(n)d 人。", n=moved), "success")
                return redirect(url_for("admin.departments_page"))
        except DomainError as error:
            db.session.rollback()
            department = departments.get_department(department_id)
            if action == "delete":  # no field of its own: said at the top
                flash(error.message, "error")
            else:
                show_beside_fields(form, error, next(iter(form.data)))
        else:
            db.session.commit()
            flash(_("已保存。"), "success")
            return redirect(url_for("admin.departments_page"))
    return render_template("admin/department_edit.html", department=department,
                           rename_form=rename_form, move_form=move_form, merge_form=merge_form,
                           delete_form=delete_form,
                           blockers=departments.deletion_blockers(department),
                           members=departments.members_with_sections(
                               department, departments.member_counts()))


# --- user import --------------------------------------------------------------------

@admin_bp.route("/users/import", methods=["GET", "POST"])
def user_import():
    """Upload a user table and preview it; nothing is written yet."""
    form = UserImportForm()
    parsed = None
    token = None
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            parsed = importing.parse_user_import(data, form.default_password.data or None)
        except DomainError as error:
            form.file.errors = [*form.file.errors, error.message]
        else:
            if parsed.ok:
                # The default password is kept only as a hash until confirmation.
                token = uploads.stash("users", current_user.id, data, {
                    "default_password_hash": importing.hash_default_password(
                        form.default_password.data)})
    confirm_form = UserImportConfirmForm(token=token)
    return render_template("admin/user_import.html", form=form, parsed=parsed,
                           confirm_form=confirm_form, token=token, preview_rows=PREVIEW_ROWS)


@admin_bp.route("/users/import/confirm", methods=["POST"])
def user_import_confirm():
    """Create every user of the previewed file, or none."""
    form = UserImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        stashed = uploads.claim("users", current_user.id, form.token.data)
    except uploads.AlreadyClaimed:
        flash(_("这份文件已提交导入，请勿重复提交；稍后在用户列表中查看结果。"), "info")
        return redirect(url_for("admin.users"))
    if stashed is None:
        flash(_("预览已过期，请重新上传文件。"), "error")
        return redirect(url_for("admin.user_import"))
    data, meta = stashed
    password_hash = meta.get("default_password_hash")
    try:
        # Re-checked at confirmation: the database may have changed since the preview.
        parsed = importing.parse_user_import(
            data, default_password_checked=password_hash is not None)
        if not parsed.ok:  # each row's problem, as the preview shows them
            db.session.rollback()
            uploads.drop("users", current_user.id, form.token.data)
            flash(_("确认导入时发现以下问题（预览之后数据有了变化），未导入任何用户。请改正后重新上传。"),
                  "error")
            return render_template("admin/user_import.html", form=UserImportForm(),
                                   parsed=parsed, confirm_form=UserImportConfirmForm(),
                                   token=None, preview_rows=PREVIEW_ROWS), 409
        created = importing.apply_user_import(current_user, parsed, password_hash)
    except DomainError as error:
        db.session.rollback()
        uploads.release("users", current_user.id, form.token.data)
        flash(error.message, "error")
        return redirect(url_for("admin.user_import"))
    db.session.commit()
    uploads.drop("users", current_user.id, form.token.data)
    flash(_("已导入 %(n)d 个用户。", n=len(created)), "success")
    return redirect(url_for("admin.users"))


@admin_bp.route("/users/import/template.xlsx")
def user_import_template():
    """Download the import template."""
    return download(importing.template_workbook(), _("用户导入模板.xlsx"), XLSX_MIMETYPE,
                    fallback="user-import-template.xlsx")


# --- audit log ----------------------------------------------------------------------


@admin_bp.route("/audit")
def audit_log():
    """Who changed what and when."""
    # None when missing or not a day, as on the other lists; reversed, they are swapped.
    first_day = request.args.get("from", type=parse_day)
    last_day = request.args.get("to", type=parse_day)
    swapped = bool(first_day and last_day and last_day < first_day)
    if swapped:  # said on the page, and the fields show the period listed
        first_day, last_day = last_day, first_day
    query = audit.audit_query(action=request.args.get("action") or None,
                              actor_id=request.args.get("actor", type=record_id),
                              q=(request.args.get("q") or "").strip()[:100] or None,
                              first_day=first_day, last_day=last_day)
    pagination = paginate(query, per_page=50)
    actor_id = request.args.get("actor", type=record_id)
    return render_template("admin/audit.html", pagination=pagination,
                           actions=audit.audit_actions(), swapped=swapped,
                           first_day=first_day, last_day=last_day,
                           actor=db.session.get(User, actor_id) if actor_id else None)
