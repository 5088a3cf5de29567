"""The accounts and maintenance commands, on real files."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import User
from lawlearn.extensions import db
from tests.accounts.test_importing import csv_bytes, xlsx_bytes


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def test_create_first_admin(runner, app):
    result = runner.invoke(args=["users", "create", "--username", "boss", "--name", "主任",
                                 "--password", "first-admin-pw", "--role", "admin"])
    assert result.exit_code == 0, result.output
    assert "已创建用户 boss（管理员）。" in result.output
    assert "不计入学法统计；如本人也参加学习，请再加 --role staff。" in result.output
    listed = json.loads(runner.invoke(args=["users", "list", "--json"]).output)
    assert listed == [{"id": 1, "username": "boss", "name": "主任", "department": None,
                       "department_id": None, "roles": ["admin"], "active": True,
                       "must_change_password": False}]


def test_create_asks_in_chinese(runner, app):
    result = runner.invoke(args=["users", "create", "--role", "admin", "--role", "staff"],
                           input="chief\n王主任\nfirst-admin-pw\nfirst-admin-pw\n")
    assert result.exit_code == 0, result.output
    assert "用户名: " in result.output and "姓名: " in result.output
    assert "密码: " in result.output and "再次输入密码: " in result.output
    assert "已创建用户 chief（干部职工、管理员）。" in result.output
    assert "不计入学法统计" not in result.output  # it studies too


def test_create_refuses_bad_input(runner, app):
    result = runner.invoke(args=["users", "create", "--username", "x y", "--name", "甲",
                                 "--password", "short", "--role", "admin"])
    assert result.exit_code != 0 and "用户名" in result.output
    assert count_users(app) == 0


def test_import_xlsx_json(runner, app, make_department, tmp_path):
    make_department("法制科")
    path = tmp_path / "users.xlsx"
    path.write_bytes(xlsx_bytes([["amy", "艾米", "法制科", "职工", "", ""],
                                 ["ben", "本", "法制科", "管理员", "", "own-password"]]))
    result = runner.invoke(args=["users", "import", str(path), "--json",
                                 "--default-password", "batch-password"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"imported": 2, "usernames": ["amy", "ben"]}
    users = {u["username"]: u for u in json.loads(
        runner.invoke(args=["users", "list", "--json"]).output)}
    assert users["ben"]["roles"] == ["admin", "staff"] and users["amy"]["department"] == "法制科"


def test_import_gbk_csv(runner, app, make_department, tmp_path):
    make_department("综合科")
    path = tmp_path / "users.csv"
    path.write_bytes(csv_bytes([["cat", "凯特", "综合科", "职工", "", "initial-pass"]], "gbk"))
    result = runner.invoke(args=["users", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert count_users(app) == 1


def test_import_refuses_bad_rows_and_writes_nothing(runner, app, tmp_path):
    path = tmp_path / "users.xlsx"
    path.write_bytes(xlsx_bytes([["dan", "丹", "", "", "", "initial-pass"],
                                 ["dan", "丹二", "", "", "", "initial-pass"],
                                 ["eve", "", "无此部门", "", "", ""]]))
    result = runner.invoke(args=["users", "import", str(path), "--json"])
    assert result.exit_code == 1
    body = json.loads(result.output)
    assert body["imported"] == 0
    assert [p["row"] for p in body["problems"]] == [3, 4]
    assert "姓名为空" in body["problems"][1]["message"]
    assert count_users(app) == 0
    plain = runner.invoke(args=["users", "import", str(path)])
    assert plain.exit_code == 1 and "第 3 行" in plain.output and "未写入任何用户" in plain.output


def test_import_refuses_a_file_that_is_not_a_table(runner, app, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(100))
    result = runner.invoke(args=["users", "import", str(path), "--json"])
    assert result.exit_code == 1 and "不是表格" in result.output
    assert count_users(app) == 0


def test_demo_load_runs_once(runner, app, monkeypatch):
    monkeypatch.setenv("LAWLEARN_DEMO_PASSWORD", "another-demo-pw")
    first = runner.invoke(args=["demo", "load", "--json"])
    loaded = json.loads(first.output)
    assert {k: loaded[k] for k in ("loaded", "departments", "users")} == {
        "loaded": True, "departments": 9, "users": 33}
    assert loaded["materials"] == 12
    assert (loaded["questions"], loaded["quizzes"], loaded["attempts"]) == (66, 2, 20)
    assert loaded["sessions"] == 6
    second = runner.invoke(args=["demo", "load", "--json"])
    assert json.loads(second.output)["loaded"] is False
    assert count_users(app) == 33
    users = {u["username"]: u for u in json.loads(
        runner.invoke(args=["users", "list", "--json"]).output)}
    assert {"admin", "leader", "lead01", "staff01", "staff30"} <= set(users)
    assert "admin" in users["admin"]["roles"] and "leader" in users["leader"]["roles"]
    assert "dept_lead" in users["lead01"]["roles"]
    assert not users["staff01"]["must_change_password"]
    with app.app_context():
        staff = db.session.scalar(select(User).filter_by(username="staff01"))
        assert staff.check_password("another-demo-pw")


def test_backup_copies_the_sqlite_database(runner, app, make_user, tmp_path):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        result = runner.invoke(args=["backup", str(tmp_path / "x.dump")])
        assert result.exit_code == 0 and "pg_dump" in result.output
        return
    make_user("backed-up")
    target = tmp_path / "copy" / "lawlearn.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(target) as copy:
        assert copy.execute("select username from user").fetchall() == [("backed-up",)]
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code != 0 and "already exists" in again.output


@pytest.mark.parametrize("args", [["users", "list"], ["users", "list", "--json"]])
def test_list_shows_inactive_users(runner, app, make_user, args):
    make_user("gone", active=False)
    output = runner.invoke(args=args).output
    assert "gone" in output


def test_departments_lists_the_ids_the_other_commands_take(runner, app, make_department,
                                                           make_user):
    """`users create --department`, `report participation --department ID`: no command
    showed a department's id (nor one without people, absent from `users list`)."""
    office = make_department("区司法局")
    section = make_department("普法科", office)
    empty = make_department("区档案馆")
    make_user(department_id=office)
    make_user(department_id=section)
    make_user(department_id=section)
    make_user(department_id=section, active=False)
    listed = json.loads(runner.invoke(args=["users", "departments", "--json"]).output)
    assert sorted(listed, key=lambda row: row["id"]) == [
        {"id": office, "name": "区司法局", "parent_id": None, "members": 3},
        {"id": section, "name": "区司法局/普法科", "parent_id": office, "members": 2},
        {"id": empty, "name": "区档案馆", "parent_id": None, "members": 0}]
    text = runner.invoke(args=["users", "departments"]).output.splitlines()
    assert f"{section}\t区司法局/普法科\t2 人" in text and len(text) == 3
    # A section comes right under its unit.
    assert [row["id"] for row in listed].index(section) == \
        [row["id"] for row in listed].index(office) + 1
