"""People are listed in pinyin order: the key, and the key kept with the name."""

import re
from datetime import date, datetime

from sqlalchemy import insert, select

from lawlearn.accounts.models import User
from lawlearn.extensions import db
from lawlearn.name_order import name_sort_key
from tests.sessions.test_leave_and_attendance import make_session


def test_names_sort_by_pinyin_syllable_by_syllable():
    names = ["孙燕", "罗军", "唐亮", "陈静", "李明", "连红", "吕方", "栾平", "Alice 王"]
    assert sorted(names, key=name_sort_key) == [
        "Alice 王", "陈静", "李明", "连红", "吕方", "栾平", "罗军", "孙燕", "唐亮"]
    # ü counts as u (卢 lu and 吕 lü tie: the caller breaks it by the name).
    assert name_sort_key("吕方") == name_sort_key("卢方") == "lu0fang"
    # Code-point order, which no reader can follow, was different.
    assert sorted(names) != sorted(names, key=name_sort_key)


def test_surnames_take_their_surname_reading():
    assert name_sort_key("曾国藩") == "zeng0guo0fan"
    assert name_sort_key("单田芳") == "shan0tian0fang"
    assert name_sort_key("尉迟恭") == "yu0chi0gong"
    # Only as the surname: 曾 elsewhere in a name keeps its commonest reading.
    assert name_sort_key("王曾") == "wang0ceng"
    assert name_sort_key("  陈静 ") == name_sort_key("陈静")
    assert [name_sort_key(n) for n in ("卜凡", "阚萍", "万俟卨", "澹台灭明")] == [
        "bu0fan", "kan0ping", "mo0qi0xie", "tan0tai0mie0ming"]


def test_letters_and_marks_in_a_name_follow_the_same_rule():
    """Latin letters word by word as pinyin is (so "Li Ming" sorts with 李明 on every
    database: a space is ignored by PostgreSQL's language collations), full-width letters as
    half-width, accents and marks such as · left out."""
    assert name_sort_key("Li Ming") == name_sort_key("李明") == "li0ming"
    assert name_sort_key("Ｌｉ Ｍｉｎｇ") == "li0ming"
    assert name_sort_key("阿依古丽·买买提") == "a0yi0gu0li0mai0mai0ti"
    assert name_sort_key("José 王") == "jose0wang"
    assert name_sort_key("") == ""


def test_the_key_follows_the_name_through_the_orm_and_core_inserts(ctx):
    user = User(username="zeng", name="曾敏", password_hash="x")
    db.session.add(user)
    db.session.flush()
    assert user.name_key == "zeng0min"
    user.name = "陈静"
    db.session.flush()
    assert db.session.scalar(select(User.name_key).where(User.id == user.id)) == "chen0jing"
    # A bulk insert without the key (the scale data) gets it from the column's default, row
    # by row.
    db.session.execute(insert(User), [
        {"username": "bulk1", "name": "唐亮", "password_hash": "x", "login_nonce": "n"},
        {"username": "bulk2", "name": "孙燕", "password_hash": "x", "login_nonce": "n"}])
    assert db.session.execute(select(User.username, User.name_key).where(
        User.username.like("bulk%")).order_by(User.username)).all() == [
        ("bulk1", "tang0liang"), ("bulk2", "sun0yan")]


def test_a_sessions_roster_and_the_attendance_summary_list_people_in_pinyin(
        app, make_department, make_user):
    from lawlearn.sessions.attendance import attendance_summary
    from lawlearn.sessions.roster import roster_query

    section = make_department("法制科")
    for username, name in (("u1", "唐亮"), ("u2", "孙燕"), ("u3", "罗军"), ("u4", "陈静")):
        make_user(username, name=name, department_id=section)
    with app.app_context():
        session = make_session(datetime(2026, 3, 2, 1, 0), department_ids=(section,))
        in_pinyin = ["陈静", "罗军", "孙燕", "唐亮"]  # code points: 唐 孙 罗 陈
        assert [u.name for u in db.session.scalars(roster_query(session))] == in_pinyin
        summary = attendance_summary(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31),
                                     now=datetime(2026, 4, 1))
        assert [p.name for p in summary.people] == in_pinyin


def test_people_by_department_follow_the_offices_department_order(app, make_department,
                                                                   make_user, admin_client):
    """区政府办公室 is set before 区政务服务中心: its people come first on 出勤统计 and in
    the progress matrix, though 务 comes before 府 by code point and 区政务服务中心 was made
    first."""
    from lawlearn.accounts.models import Department
    from lawlearn.plans.matrix import matrix
    from tests.plans.test_kinds import make_plan

    service, office = make_department("区政务服务中心"), make_department("区政府办公室")
    make_user("u1", name="唐亮", department_id=service)
    make_user("u2", name="孙燕", department_id=office)
    make_user("u3", name="陈静", department_id=office)
    with app.app_context():
        db.session.get(Department, office).sort_order = 1
        db.session.get(Department, service).sort_order = 2
        make_session(datetime(2026, 3, 2, 1, 0))
        plan = make_plan()
        db.session.commit()
        in_order = ["陈静", "孙燕", "唐亮"]
        # The admin, in no department, last.
        assert [p.name for p in matrix(plan, datetime(2026, 6, 1)).people] == [*in_order,
                                                                               "管理员甲"]
    page = admin_client.get("/admin/sessions/report?from=2026-03-01&to=2026-03-31")
    names = re.findall(r"<td>(陈静|孙燕|唐亮)</td>", page.get_data(as_text=True))
    assert names == in_order
