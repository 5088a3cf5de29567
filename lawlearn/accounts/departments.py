"""Departments: a tree of units and their sections, at most two levels deep."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, case, func, literal, select, update
from sqlalchemy.orm import selectinload

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import Department, User
from lawlearn.errors import Conflict, NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.unique_keys import duplicate_raises


def department_tree() -> list[Department]:
    """Top-level units with their sections loaded, in display order."""
    return list(
        db.session.scalars(
            select(Department)
            .where(Department.parent_id.is_(None))
            .options(selectinload(Department.children))
            .order_by(Department.sort_order, Department.name)
        )
    )


def department_choices() -> list[tuple[int, str]]:
    """(id, label) for select boxes: units, then their sections indented."""
    choices: list[tuple[int, str]] = []
    for unit in department_tree():
        choices.append((unit.id, unit.name))
        choices.extend((section.id, f"{unit.name} / {section.name}") for section in unit.children)
    return choices


def member_counts() -> dict[int, int]:
    rows = db.session.execute(
        select(User.department_id, func.count()).where(User.active.is_(True))
        .group_by(User.department_id)
    )
    return {dept_id: count for dept_id, count in rows if dept_id is not None}


def members_with_sections(department: Department, counts: dict[int, int]) -> int:
    """Active people in ``department`` and its sections (``counts``: :func:`member_counts`),
    as the list of departments and its members link count them."""
    return counts.get(department.id, 0) + sum(counts.get(s.id, 0) for s in department.children)


def get_department(department_id: int) -> Department:
    department = db.session.get(Department, department_id)
    if department is None:
        raise NotFound(_("部门不存在。"))
    return department


def find_department(label: str) -> Department | None:
    """A department by "单位/科室" path or by a name that is unique."""
    label = label.strip().replace("／", "/")
    if "/" in label:
        parent_name, _sep, name = (part.strip() for part in label.partition("/"))
        parent = db.session.scalar(
            select(Department).where(Department.parent_id.is_(None), Department.name == parent_name)
        )
        if parent is None:
            return None
        return db.session.scalar(
            select(Department).where(Department.parent_id == parent.id, Department.name == name)
        )
    matches = list(db.session.scalars(select(Department).where(Department.name == label)))
    return matches[0] if len(matches) == 1 else None


def _check_parent(parent_id: int | None, moving: Department | None = None) -> Department | None:
    if parent_id is None:
        return None
    parent = db.session.get(Department, parent_id)
    if parent is None:
        raise ValidationFailed(_("上级部门不存在。"), field="parent_id")
    if parent.parent_id is not None:
        raise ValidationFailed(_("部门最多两级：科室下不能再设科室。"), field="parent_id")
    if moving is not None:
        if parent.id == moving.id:
            raise ValidationFailed(_("部门不能成为自己的上级。"), field="parent_id")
        if moving.children:
            raise ValidationFailed(_("该部门下设科室，不能移到其他部门之下。"), field="parent_id")
    return parent


def _name_taken(name: str) -> ValidationFailed:
    return ValidationFailed(_("同一上级下已有名为“%(name)s”的部门。", name=name), field="name")


def _check_name_free(name: str, parent_id: int | None, except_id: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationFailed(_("请填写部门名称。"), field="name")
    if "/" in name or "／" in name:
        # "/" joins a unit and its section in full names and in the user import's 部门.
        raise ValidationFailed(_("部门名称不能含有“/”：它用来分隔单位和科室（如“区司法局/办公室”）。"),
                               field="name")
    query = select(Department.id).where(Department.name == name)
    query = query.where(Department.parent_id.is_(None) if parent_id is None
                        else Department.parent_id == parent_id)
    if except_id is not None:
        query = query.where(Department.id != except_id)
    if db.session.scalar(query) is not None:
        raise _name_taken(name)
    return name


def create_department(actor: User | None, name: str, parent_id: int | None = None) -> Department:
    parent = _check_parent(parent_id)
    name = _check_name_free(name, parent_id)
    with duplicate_raises(_name_taken(name)):
        department = Department(name=name, parent=parent)
        db.session.add(department)
    record_audit(actor, "department.create", department,
                 _("创建部门 %(name)s", name=department.full_name))
    return department


def rename_department(actor: User, department: Department, name: str) -> None:
    old = department.full_name
    name = _check_name_free(name, department.parent_id, except_id=department.id)
    with duplicate_raises(_name_taken(name)):
        department.name = name
    record_audit(actor, "department.rename", department,
                 _("部门 %(old)s 更名为 %(new)s", old=old, new=department.name))


def move_department(actor: User, department: Department, parent_id: int | None) -> None:
    parent = _check_parent(parent_id, moving=department)
    _check_name_free(department.name, parent_id, except_id=department.id)
    old = department.full_name
    with duplicate_raises(_name_taken(department.name)):
        department.parent = parent
    record_audit(actor, "department.move", department,
                 _("部门 %(old)s 移至 %(new)s", old=old,
                   new=parent.name if parent else _("一级部门")))


# Audience tables (table: the column naming what the audience is of): a row the target
# already has for the same quiz, session or plan is dropped rather than doubled.
AUDIENCE_OWNERS = {"quiz_audience": "quiz_id", "session_audience": "session_id",
                   "plan_audience": "plan_id"}


def _naming_columns():
    """(table, column) of every other domain's column naming a department: outreach events,
    audiences, challenge runs. Found from the schema (without importing those domains), so
    a reference added later is seen too. Sections and people are not among them."""
    department = db.metadata.tables["department"]
    for table in db.metadata.sorted_tables:
        if table.name in ("department", "user"):
            continue
        for key in table.foreign_keys:
            if key.column.table is department:
                yield table, key.parent


def _move_references(source_id: int, target_id: int) -> None:
    """Point every row that names the source department at the target (a reference added
    later moves too instead of blocking the merge)."""
    for table, column in _naming_columns():
        owner = AUDIENCE_OWNERS.get(table.name)
        if owner is not None:
            kept = table.alias("kept")
            db.session.execute(table.delete().where(column == source_id, select(
                kept.c.id).where(kept.c[column.name] == target_id,
                                 kept.c[owner] == table.c[owner]).exists()))
        db.session.execute(table.update().where(column == source_id)
                           .values({column.name: target_id}))


def merge_departments(actor: User, source: Department, target: Department) -> int:
    """Move the source's people (and sections) into the target, then remove the source.

    Returns the number of people moved.
    """
    if source.id == target.id:
        raise ValidationFailed(_("不能把部门合并到它自己。"), field="target_id")
    if target.parent_id == source.id:
        raise ValidationFailed(_("不能把部门合并到它的下级科室。"), field="target_id")
    if source.children and target.parent_id is not None:
        raise ValidationFailed(_("该部门下设科室，只能合并到一级部门。"), field="target_id")
    for section in source.children:  # check every name before changing anything
        _check_name_free(section.name, target.id)
    for section in list(source.children):
        section.parent = target
    moved = db.session.execute(
        update(User).where(User.department_id == source.id).values(department_id=target.id)
    ).rowcount
    _move_references(source.id, target.id)
    summary = _("部门 %(source)s 合并入 %(target)s，转移 %(n)d 人",
                source=source.full_name, target=target.full_name, n=moved)
    record_audit(actor, "department.merge", target, summary, {"source_id": source.id})
    db.session.flush()
    db.session.delete(source)
    db.session.flush()
    return moved


def _references(department_id: int) -> int:
    """Rows of other domains that name the department (as a merge would move them)."""
    return sum(db.session.scalar(select(func.count()).select_from(table).where(
        column == department_id)) or 0 for table, column in _naming_columns())


def deletion_blockers(department: Department) -> list[str]:
    """Why ``department`` may not be deleted, in words (empty: it may). Only a department
    made by mistake goes: one with people, sections or records is merged instead."""
    reasons = []
    if department.children:
        reasons.append(_("下设 %(n)d 个科室", n=len(department.children)))
    people = db.session.scalar(select(func.count(User.id)).where(
        User.department_id == department.id)) or 0
    if people:
        reasons.append(_("有 %(n)d 名人员（含已停用的）", n=people))
    if (records := _references(department.id)):
        reasons.append(_("有 %(n)d 条测验、学法活动、学习计划或普法活动等记录与之关联", n=records))
    return reasons


def delete_department(actor: User, department: Department) -> None:
    """Delete a department made by mistake; refused, with every reason, otherwise."""
    reasons = deletion_blockers(department)
    if reasons:
        raise Conflict(_("不能删除：%(reasons)s。请改用“合并”。", reasons="；".join(reasons)),
                       code="department_in_use")
    record_audit(actor, "department.delete", department,
                 _("删除部门 %(name)s", name=department.full_name))
    db.session.delete(department)
    db.session.flush()


# --- the order reports list departments in ---------------------------------------------


def department_sort_key(department: Department | None) -> tuple:
    """Units in their display order, each followed by its sections; no department last."""
    if department is None:
        return (1,)
    top = department.parent or department
    if department.parent is None:
        return (0, top.sort_order, top.name, top.id, 0, 0, "")
    return (0, top.sort_order, top.name, top.id, 1, department.sort_order, department.name)


def tree_rank(departments: list[Department], department_id) -> ColumnElement[int]:
    """SQL: where ``department_id`` comes in the tree order of ``department_sort_key`` (no
    department last). Ranked here, not by the database: PostgreSQL's collation and SQLite's
    would order the names differently. One number per department, none per person."""
    ordered = sorted(departments, key=department_sort_key)
    if not ordered:
        return literal(0)
    return case({department.id: rank for rank, department in enumerate(ordered)},
                value=department_id, else_=len(ordered))


def own_staff_sort_key(unit: Department) -> tuple:
    """A unit's own staff (本级) come right after the unit, before its sections."""
    return (*department_sort_key(unit)[:5], 1, "")


def own_staff_name(unit: Department) -> str:
    """The row of the people placed in a unit itself, not in one of its sections: with it,
    a unit's sections and its 本级 add up to the unit."""
    return _("%(unit)s/本级", unit=unit.full_name)


def units_with_sections(departments, scope_id: int | None) -> set[int]:
    """The units (ids) among ``departments`` whose sections are listed under them: the ones
    that get a 本级 row (not a section reported alone, ``scope_id``)."""
    return {d.parent_id for d in departments
            if d is not None and d.parent_id is not None and d.id != scope_id}
