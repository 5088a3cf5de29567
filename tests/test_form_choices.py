"""A form's choice of one row that names no row (a number past the id column's range, a
choice left out, an unknown role) gets the form's Chinese message and changes nothing; it
never reaches the database as a number PostgreSQL refuses (a 500). Found by fuzzing every
form (see lawlearn/converters.optional_record_id and database.all_exist)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import User
from lawlearn.converters import MAX_ID, NO_ROW, optional_record_id
from lawlearn.database import utcnow
from lawlearn.extensions import db
from lawlearn.outreach.models import OutreachEvent
from lawlearn.sessions.models import SessionKind, StudySession
from tests.conftest import csrf_from, post_with_csrf
from tests.outreach.test_events import categories_ready, form_data, make_people

TOO_BIG = [str(MAX_ID + 1), "99999999999999999999"]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_optional_record_id():
    assert optional_record_id("") is None and optional_record_id(None) is None
    assert optional_record_id("12") == 12 and optional_record_id(str(MAX_ID)) == MAX_ID
    assert optional_record_id(str(MAX_ID + 1)) == NO_ROW
    with pytest.raises(ValueError):
        optional_record_id("abc")  # wtforms says 不是有效的选择


@pytest.mark.parametrize("number", TOO_BIG)
def test_a_user_in_a_department_no_row_can_be_is_refused(app, admin_client, number):
    with app.app_context():
        before = count(User)
    response = post_with_csrf(admin_client, "/admin/users/new", "/admin/users/new", {
        "username": "judy", "name": "朱迪", "department_id": number, "roles": ["staff"],
        "password": "first-pass-41"})
    assert response.status_code in (200, 422)
    assert "部门不存在。" in response.get_data(as_text=True)
    with app.app_context():
        assert count(User) == before


def test_an_unknown_role_is_named_in_chinese(app, admin_client):
    response = post_with_csrf(admin_client, "/admin/users/new", "/admin/users/new", {
        "username": "judy", "name": "朱迪", "roles": ["superuser"], "password": "first-pass-41"})
    html = response.get_data(as_text=True)
    assert "未知角色：superuser" in html and "not a valid choice" not in html
    with app.app_context():
        assert db.session.scalar(select(User).filter_by(username="judy")) is None


@pytest.mark.parametrize("field", ["campaign_id", "category_id"])
@pytest.mark.parametrize("number", TOO_BIG)
def test_staff_naming_a_campaign_or_category_no_row_can_be_get_a_message(
        app, client, login, make_department, make_user, admin, field, number):
    people = make_people(make_department, make_user, admin)
    school = categories_ready(app)
    login(people.author)
    page = client.get("/outreach/events/new")
    response = client.post("/outreach/events/new", data={
        **form_data(school), field: number, "csrf_token": csrf_from(page)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "所选主题宣传不存在。" in html or "请选择活动类别。" in html
    with app.app_context():
        assert count(OutreachEvent) == 0


def test_a_long_material_note_is_refused_in_chinese(app, client, login, make_department,
                                                    make_user, admin):
    people = make_people(make_department, make_user, admin)
    school = categories_ready(app)
    login(people.author)
    page = client.get("/outreach/events/new")
    response = client.post("/outreach/events/new", data={
        **form_data(school), "materials-0-note": "说" * 201, "csrf_token": csrf_from(page)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "资料说明最多 200 字。" in html
    assert "Field cannot be longer" not in html


def test_a_session_form_without_its_kind_is_a_form_error(app, admin_client):
    with app.app_context():
        db.session.add(SessionKind(name="集中学法"))
        db.session.commit()
    day = utcnow() + timedelta(days=2)
    response = post_with_csrf(admin_client, "/admin/sessions/new", "/admin/sessions/new", {
        "title": "宪法学习", "starts_at": day.strftime("%Y-%m-%dT09:00"),
        "ends_at": day.strftime("%Y-%m-%dT10:00"), "study_hours": "1",
        "checkin_opens_minutes": "30", "late_after_minutes": "10", "audience_all": "y"})
    assert response.status_code == 422 and "请选择活动类型。" in response.get_data(as_text=True)
    with app.app_context():
        assert count(StudySession) == 0


@pytest.mark.parametrize(("url", "field"), [("/admin/sessions/new", "department_ids"),
                                            ("/admin/sessions/new", "material_ids"),
                                            ("/admin/quiz/quizzes/new", "department_ids")])
def test_multiple_selects_say_how_to_pick_several(admin_client, url, field):
    """A computer's multiple select takes a second choice only with Ctrl: the field says so."""
    page = admin_client.get(url).get_data(as_text=True)
    help_block = page.split(f'id="{field}-help"', 1)[1].split("</div>", 1)[0]
    assert "可多选：手机上逐个点选；电脑上按住 Ctrl 键点选。" in help_block
