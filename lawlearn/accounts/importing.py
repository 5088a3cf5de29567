"""Bulk user import from XLSX or CSV: parse and check everything, then write all or nothing."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.departments import department_choices
from lawlearn.accounts.models import Department, Role, User
from lawlearn.accounts.services import (
    PHONE_PATTERN,
    USERNAME_PATTERN,
    UserFields,
    create_user,
    joined_day_problem,
    normalize_username,
    password_problems,
)
from lawlearn.database import utcnow
from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.localtime import local_day
from lawlearn.spreadsheets import read_table
from lawlearn.unique_keys import duplicate_raises

COLUMNS = ["用户名", "姓名", "部门", "角色", "手机号", "初始密码", "加入日期"]
REQUIRED_COLUMNS = ["用户名", "姓名"]
COLUMN_ALIASES = {"账号": "用户名", "登录名": "用户名", "科室": "部门", "所在部门": "部门",
                  "手机": "手机号", "密码": "初始密码", "入职日期": "加入日期",
                  "到岗日期": "加入日期", "加入时间": "加入日期"}
ROLE_WORDS = {
    "staff": Role.STAFF, "职工": Role.STAFF, "干部职工": Role.STAFF, "员工": Role.STAFF,
    "dept_lead": Role.DEPT_LEAD, "科室负责人": Role.DEPT_LEAD, "负责人": Role.DEPT_LEAD,
    "leader": Role.LEADER, "主要负责人": Role.LEADER, "领导": Role.LEADER,
    "admin": Role.ADMIN, "管理员": Role.ADMIN,
}
ROLE_SEPARATORS = re.compile(r"[;；,，、/\s]+")
MAX_USER_ROWS = 5_000
BETWEEN_HANZI_SPACE = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
# 2026-03-01, 2026/3/1, 2026.3.1 or 2026年3月1日 (a date cell of a workbook reads as the first;
# one with a time as 2026-03-01T09:00:00, whose time does not matter).
JOINED_DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                        r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


def parse_joined_day(text: str) -> date:
    """A joining day as people type it in a sheet; ValueError when it is not one."""
    found = JOINED_DAY.match(text.strip())
    if found is None:
        raise ValueError(text)
    return date(*(int(part) for part in found.groups()))


class DepartmentLookup:
    """Departments by name and by 单位/科室 path, loaded once per import."""

    def __init__(self) -> None:
        self.by_path: dict[str, Department] = {}
        self.by_name: dict[str, list[Department]] = {}
        for department in db.session.scalars(select(Department)):
            self.by_path[department.full_name] = department
            self.by_name.setdefault(department.name, []).append(department)

    def find(self, label: str) -> Department | None:
        label = label.strip().replace("／", "/")
        if "/" in label:
            return self.by_path.get("/".join(part.strip() for part in label.split("/", 1)))
        matches = self.by_name.get(label, [])
        return matches[0] if len(matches) == 1 else None

    def paths_named(self, label: str) -> list[str]:
        """The 单位/科室 paths of every department called ``label`` (several: ambiguous)."""
        return sorted(department.full_name for department in self.by_name.get(label.strip(), []))


@dataclass
class ImportedUser:
    row: int
    username: str
    name: str
    department: Department | None
    roles: set[str]
    phone: str | None
    password: str | None  # None: the batch's default password applies
    joined_on: date | None = None  # None: the day of the import
    typed_as: str | None = None  # the username as typed, when it was lower-cased


@dataclass
class RowProblem:
    row: int
    message: str


@dataclass
class UserImport:
    users: list[ImportedUser] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def lowered(self) -> list[ImportedUser]:
        """The people whose username was typed with capitals (usernames are lower case)."""
        return [user for user in self.users if user.typed_as]

    def lowered_examples(self, limit: int = 5) -> str:
        """"WangWu → wangwu、…": the first few, to say on the preview."""
        shown = [f"{user.typed_as} → {user.username}" for user in self.lowered[:limit]]
        return "、".join(shown) + ("…" if len(self.lowered) > limit else "")

    @property
    def needs_default_password(self) -> bool:
        return any(user.password is None for user in self.users)


def parse_roles(text: str) -> tuple[set[str], list[str]]:
    """Roles named in a cell; everyone is also 干部职工 (staff), who study."""
    roles, unknown = {Role.STAFF.value}, []
    for word in ROLE_SEPARATORS.split(text.strip()):
        if not word:
            continue
        role = ROLE_WORDS.get(word.lower()) or ROLE_WORDS.get(word)
        if role is None:
            unknown.append(word)
        else:
            roles.add(role.value)
    return roles, unknown


def parse_user_import(data: bytes, default_password: str | None = None, *,
                      default_password_checked: bool = False) -> UserImport:
    """Read the file and name every problem by its sheet row; writes nothing.

    ``default_password_checked``: a default password was given and checked at preview
    (only its hash is kept now).
    """
    table = read_table(data, REQUIRED_COLUMNS, COLUMNS, COLUMN_ALIASES, max_rows=MAX_USER_ROWS)
    departments = DepartmentLookup()
    result = UserImport()
    seen: dict[str, int] = {}
    # Only well-formed names can exist (and a NUL would fail the query on PostgreSQL).
    usernames = [username for username in (normalize_username(cells.get("用户名", ""))
                                            for _row, cells in table.rows)
                 if USERNAME_PATTERN.match(username)]
    existing = set(db.session.scalars(select(User.username).where(User.username.in_(usernames))))
    today = local_day(utcnow())

    for row, cells in table.rows:
        # PostgreSQL cannot store a NUL character.
        problems: list[str] = [_("“%(column)s”含有空字符（NUL）", column=column)
                               for column, value in cells.items() if "\x00" in value]
        username = normalize_username(cells.get("用户名", ""))
        # "孙　丽": a Chinese name padded for alignment is one word; 张三 must be found as typed.
        name = BETWEEN_HANZI_SPACE.sub("", cells.get("姓名", "").strip())
        if not username:
            problems.append(_("用户名为空"))
        elif not USERNAME_PATTERN.match(username):
            problems.append(_("用户名“%(username)s”不符合要求（须为 2–64 位小写字母、数字、_ . -，"
                              "并以字母或数字开头）", username=username))
        elif username in seen:
            problems.append(_("用户名“%(username)s”与第 %(other)d 行重复",
                              username=username, other=seen[username]))
        elif username in existing:
            problems.append(_("用户名“%(username)s”已存在", username=username))
        if username and username not in seen:
            seen[username] = row
        if not name:
            problems.append(_("姓名为空"))
        elif len(name) > 64:
            problems.append(_("姓名超过 64 个字"))
        phone = cells.get("手机号", "").strip()
        if phone and not PHONE_PATTERN.match(phone):
            problems.append(_("手机号“%(phone)s”格式不对（须为 7 至 20 位数字）", phone=phone))

        department = None
        department_label = cells.get("部门", "").strip()
        if department_label:
            department = departments.find(department_label)
            same_name = departments.paths_named(department_label)
            if department is None and len(same_name) > 1:
                problems.append(_("部门“%(name)s”有 %(n)d 个同名部门，请写作%(paths)s之一",
                                  name=department_label, n=len(same_name),
                                  paths="、".join(f"“{path}”" for path in same_name)))
            elif department is None:
                problems.append(_("部门“%(name)s”不存在（同名部门请写作“单位/科室”）",
                                  name=department_label))

        joined_on, joined_text = None, cells.get("加入日期", "").strip()
        if joined_text:
            try:
                joined_on = parse_joined_day(joined_text)
            except ValueError:
                problems.append(_("加入日期“%(day)s”格式不对（例如 2026-03-01）", day=joined_text))
            else:
                if (problem := joined_day_problem(joined_on, today)) is not None:
                    problems.append(f"{problem.rstrip('。')}（{joined_text}）")

        roles, unknown_roles = parse_roles(cells.get("角色", ""))
        if unknown_roles:
            problems.append(_("未知角色“%(roles)s”", roles="、".join(unknown_roles)))
        elif Role.DEPT_LEAD.value in roles and department is None and not department_label:
            problems.append(_("科室负责人须填写部门"))

        password = cells.get("初始密码", "") or None
        if password is not None:
            # Sentences of their own elsewhere; here parts of one line joined by "；".
            problems.extend(p.rstrip("。") for p in password_problems(password, username))
        elif default_password_checked or not default_password:
            pass  # no default at all: one problem for the whole file, below
        elif normalize_username(default_password) == username:
            problems.append(_("默认初始密码不能与用户名相同"))

        if problems:
            result.problems.append(RowProblem(row, "；".join(problems)))
        else:
            typed = cells.get("用户名", "").strip()
            result.users.append(ImportedUser(row, username, name, department, roles,
                                             phone or None, password, joined_on,
                                             typed if typed != username else None))
    if default_password and result.needs_default_password:
        for problem in password_problems(default_password, ""):
            result.problems.insert(0, RowProblem(0, _("默认初始密码：%(p)s", p=problem)))
    without = [user.row for user in result.users if user.password is None]
    if without and not default_password and not default_password_checked:
        # Said once for the file, not once per row (a sheet without passwords is usual).
        shown = "、".join(map(str, without[:10]))
        rows = _("第 %(rows)s 等行", rows=shown) if len(without) > 10 \
            else _("第 %(rows)s 行", rows=shown)
        result.problems.insert(0, RowProblem(0, _(
            "%(n)d 行未填写初始密码（%(rows)s）：请填写“默认初始密码”，或在表格中为每人填写初始密码",
            n=len(without), rows=rows)))
    return result


def hash_default_password(default_password: str | None) -> str | None:
    """The batch's default password is kept (between preview and confirm) only as a hash.
    Also hashes each row's own password before the import writes."""
    if not default_password:
        return None
    return generate_password_hash(
        default_password, method=current_app.config.get("PASSWORD_HASH_METHOD", "scrypt"))


def apply_user_import(actor: User | None, parsed: UserImport,
                      default_password_hash: str | None) -> list[User]:
    """Create every user of a problem-free import; the caller commits once."""
    if not parsed.ok:
        raise ValidationFailed(_("导入文件有错误，未导入任何用户。"), code="import_failed")
    if default_password_hash is None and any(e.password is None for e in parsed.users):
        raise ValidationFailed(_("未设置默认初始密码。"), code="import_failed")
    # Each row's own password (checked at preview) is hashed before anything is written:
    # hashing is slow, and on SQLite the first write holds the database's write lock.
    hashes = [hash_default_password(entry.password) if entry.password
              else default_password_hash for entry in parsed.users]
    created = []
    # One savepoint for the batch, not one per row (thousands of subtransactions slow
    # PostgreSQL down): a username created meanwhile refuses the whole import.
    with duplicate_raises(ValidationFailed(
            _("导入期间另有用户以文件中的用户名创建，未导入任何用户。请重新上传文件核对。"),
            code="import_failed")):
        for entry, password_hash in zip(parsed.users, hashes, strict=True):
            fields = UserFields(entry.name, entry.department.id if entry.department else None,
                                entry.roles, entry.phone, entry.joined_on)
            created.append(create_user(actor, entry.username, None, fields, audit=False,
                                       password_hash=password_hash))
    # Powers beyond 干部职工 are named in the summary, as an edit's are.
    powers = [f"{user.username}（{'、'.join(Role(role).label for role in sorted(extra))}）"
              for user in created if (extra := set(user.roles) - {Role.STAFF.value})]
    summary = _("批量导入用户 %(n)d 人", n=len(created))
    if powers:
        summary += _("，其中授予角色：%(people)s", people="；".join(powers))
    record_audit(actor, "user.import", None, summary,
                 {"usernames": [user.username for user in created]})
    return created


def template_workbook() -> bytes:
    """The downloadable import template, with an example row and the valid choices."""
    import xlsxwriter

    buffer = io.BytesIO()
    # Department names are typed by admins: text, never a formula.
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    header = workbook.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1})
    sheet = workbook.add_worksheet(_("用户"))
    sheet.write_row(0, 0, COLUMNS, header)
    sheet.set_column(0, len(COLUMNS) - 1, 18)
    sheet.freeze_panes(1, 0)
    notes = workbook.add_worksheet(_("说明"))
    lines = [
        _("用户名、姓名必填；用户名限小写字母、数字、_ . -，不可重复。"),
        _("部门填写部门名称；同名科室请写作“单位/科室”。"),
        _("角色可填：干部职工、科室负责人、主要负责人、管理员，多个用顿号分隔；"
          "每个人都具有干部职工角色。"),
        _("初始密码可不填，导入时统一设置默认初始密码；首次登录须修改密码。"),
        _("加入日期可不填（即导入当天），格式如 2026-03-01；此日期前结束的学习计划、学法活动"
          "和统计期间不计入此人。"),
        _("示例（请在“用户”表中从第 2 行起填写）："),
    ]
    for index, line in enumerate(lines):
        notes.write(index, 0, line)
    example_row = len(lines)
    notes.write_row(example_row, 0, COLUMNS, header)
    notes.write_row(example_row + 1, 0, ["zhangsan", "张三", "区政府办公室/法制科",
                                         "干部职工、科室负责人", "13800000000", "",
                                         "2024-09-01"])
    notes.write(example_row + 3, 0, _("现有部门："))
    for offset, (_id, label) in enumerate(department_choices(), start=example_row + 4):
        notes.write(offset, 0, label.replace(" / ", "/"))
    notes.set_column(0, 0, 70)
    workbook.close()
    return buffer.getvalue()
