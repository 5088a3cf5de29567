"""``flask users ...``: create, import and list accounts from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from lawlearn.accounts import importing, services
from lawlearn.accounts.departments import (
    department_tree,
    find_department,
    member_counts,
    members_with_sections,
)
from lawlearn.accounts.models import Role
from lawlearn.errors import DomainError
from lawlearn.extensions import db

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
# Prompts in Chinese, as the site and the importers speak.
@click.option("--username", prompt="用户名")
@click.option("--name", prompt="姓名")
@click.option("--password", prompt="密码", hide_input=True, confirmation_prompt="再次输入密码")
@click.option("--role", "roles", multiple=True, default=["staff"],
              type=click.Choice([r.value for r in Role]), show_default=True)
@click.option("--department", default=None, help="Department name or 单位/科室 path.")
@click.option("--must-change-password/--no-must-change-password", default=False,
              help="Require a new password at first login.")
def create_user_command(username, name, password, roles, department, must_change_password):
    """Create a user; e.g. the first admin with --role admin."""
    department_id = None
    if department:
        found = find_department(department)
        if found is None:
            raise click.ClickException(f"部门“{department}”不存在。")
        department_id = found.id
    try:
        user = services.create_user(None, username, password,
                                    services.UserFields(name, department_id, set(roles)),
                                    must_change_password=must_change_password)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException("\n".join(message for _field, message in error.problems)) \
            from error
    db.session.commit()
    click.echo(f"已创建用户 {user.username}（{'、'.join(str(label) for label in user.role_labels)}）。")
    if not user.studies:
        click.echo("该账号没有“干部职工”角色，不计入学法统计；如本人也参加学习，请再加 --role staff。")


@users_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--default-password", default=None,
              help="Initial password for rows without one (changed at first login).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def import_users_command(path: Path, default_password, as_json):
    """Import users from an XLSX or CSV file: all rows or none."""
    try:
        parsed = importing.parse_user_import(path.read_bytes(), default_password)
        if not parsed.ok:
            problems = [{"row": p.row, "message": p.message} for p in parsed.problems]
            if as_json:
                click.echo(json.dumps({"imported": 0, "problems": problems}, ensure_ascii=False))
            else:
                for p in parsed.problems:
                    click.echo(f"第 {p.row} 行：{p.message}" if p.row else p.message, err=True)
                click.echo("导入失败，未写入任何用户。", err=True)
            sys.exit(1)
        created = importing.apply_user_import(
            None, parsed, importing.hash_default_password(default_password))
    except DomainError as error:
        db.session.rollback()
        if as_json:
            click.echo(json.dumps({"imported": 0, "problems": [{"row": 0, "message": error.message}]},
                                  ensure_ascii=False))
        else:
            click.echo(error.message, err=True)
        sys.exit(1)
    db.session.commit()
    if as_json:
        click.echo(json.dumps({"imported": len(created),
                               "usernames": [u.username for u in created]}, ensure_ascii=False))
    else:
        click.echo(f"已导入 {len(created)} 个用户。")


@users_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def list_users_command(as_json):
    """List every account."""
    users = services.all_users()
    if as_json:
        click.echo(json.dumps([services.user_summary(u) for u in users], ensure_ascii=False))
        return
    for user in users:
        department = user.department.full_name if user.department else "-"
        state = "" if user.active else " (停用)"
        click.echo(f"{user.username}\t{user.name}\t{department}\t{','.join(sorted(user.roles))}"
                   f"{state}")


@users_cli.command("departments")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def list_departments_command(as_json):
    """List the departments with their ids (for --department of `users create` and
    `report participation`) and how many active people each has, sections included."""
    counts = member_counts()
    rows = [(unit, members_with_sections(unit, counts)) for unit in department_tree()]
    rows = [row for unit, total in rows
            for row in [(unit, total), *((s, counts.get(s.id, 0)) for s in unit.children)]]
    if as_json:
        click.echo(json.dumps([{"id": d.id, "name": d.full_name, "parent_id": d.parent_id,
                                "members": members} for d, members in rows],
                              ensure_ascii=False))
        return
    for department, members in rows:
        click.echo(f"{department.id}\t{department.full_name}\t{members} 人")
