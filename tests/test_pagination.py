"""Paged lists: the ``page`` parameter is clamped (a huge one is no 500 on PostgreSQL), and a
page past the last one redirects to the last one instead of reading as an empty list."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import request
from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from lawlearn.accounts.models import User
from lawlearn.extensions import db
from lawlearn.pagination import MAX_PAGE, Page, page_arg, page_of, redirect_past_last_page
from lawlearn.practice import points

NOW = datetime(2026, 3, 4, 2, 0)
HUGE = "99999999999999999999"


@pytest.mark.parametrize(("raw", "page"), [
    (None, 1), ("", 1), ("abc", 1), ("0", 1), ("-3", 1), ("2", 2), (str(MAX_PAGE), MAX_PAGE),
    (str(MAX_PAGE + 1), MAX_PAGE), (HUGE, MAX_PAGE),
])
def test_page_arg_is_clamped(app, raw, page):
    query = "" if raw is None else f"?page={raw}"
    with app.test_request_context(f"/practice/points{query}"):
        assert page_arg() == page


def test_page_arg_can_read_a_posted_form(app):
    with app.test_request_context("/plans/reviews?page=2", method="POST", data={"page": "5"}):
        assert page_arg() == 2 and page_arg(values=request.form) == 5


def test_only_a_get_is_redirected_past_the_last_page(app, make_user):
    make_user()
    for method, redirected in (("GET", True), ("HEAD", True), ("POST", False)):
        with app.test_request_context("/admin/users?q=x&page=5", method=method):
            pagination = db.paginate(select(User), page=5, per_page=20, error_out=False)
            if redirected:
                with pytest.raises(HTTPException) as raised:
                    redirect_past_last_page(pagination)
                assert raised.value.response.status_code == 302
                assert raised.value.response.location == "/admin/users?q=x&page=1"
            else:
                redirect_past_last_page(pagination)  # a form re-rendered: left alone


def test_page_of_a_list_in_memory():
    rows = list(range(45))
    first = page_of(rows, 1, 20)
    assert (first.items, first.pages, first.total) == (rows[:20], 3, 45)
    assert not first.has_prev and first.has_next and first.next_num == 2
    last = page_of(rows, 3, 20)
    assert last.items == rows[40:] and last.has_prev and last.prev_num == 2 and not last.has_next
    assert page_of(rows, 99, 20) == last  # past the end: the last page
    assert page_of([], 5, 20) == Page([], 1, 1, 0)


STAFF_LISTS = ["/practice/points", "/wrong-answers", "/wrong-answers?status=cleared",
               "/materials"]
ADMIN_LISTS = ["/admin/audit", "/admin/users", "/admin/quiz/questions", "/admin/sessions",
               "/admin/sessions/report", "/admin/library/materials", "/admin/practice/timing"]


@pytest.mark.parametrize("url", STAFF_LISTS)
def test_a_huge_page_on_a_staff_list_is_no_error(client, login, make_user, url):
    login(make_user())
    joiner = "&" if "?" in url else "?"
    response = client.get(f"{url}{joiner}page={HUGE}", follow_redirects=True)
    assert response.status_code == 200, url


@pytest.mark.parametrize("url", ADMIN_LISTS)
def test_a_huge_page_on_an_admin_list_is_no_error(admin_client, url):
    response = admin_client.get(f"{url}?page={HUGE}", follow_redirects=True)
    assert response.status_code == 200, url


def test_a_huge_page_of_quiz_results_is_no_error(admin_client, make_quiz):
    quiz_id = make_quiz(opens_at=None, closes_at=None)
    response = admin_client.get(f"/admin/quiz/quizzes/{quiz_id}/results?page={HUGE}")
    assert response.status_code == 200


def test_a_page_past_the_last_redirects_to_the_last(app, client, login, make_user):
    me = make_user()
    with app.app_context():
        for index in range(3):
            points.award(me.id, "quiz_passed", f"quiz:{100 + index}", NOW)
        db.session.commit()
    login(me)
    response = client.get("/practice/points?page=99")
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["Location"]).query) == {"page": ["1"]}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert page.count("+10") == 3 and "还没有积分" not in page


def test_the_redirect_keeps_the_filters(admin_client, make_user):
    for _ in range(25):
        make_user(active=False)
    response = admin_client.get("/admin/users?status=inactive&q=user&page=7")
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["Location"]).query) == {
        "status": ["inactive"], "q": ["user"], "page": ["2"]}
    last = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "第 2 / 2 页，共 25 条" in last


def test_an_empty_list_past_its_end_is_not_redirected(client, login, make_user):
    login(make_user())
    response = client.get("/practice/points?page=3")
    assert response.status_code == 200
    assert "还没有积分" in response.get_data(as_text=True)


def test_pager_links_keep_filters_but_not_what_url_for_would_obey(app):
    from lawlearn.pagination import pager_url

    with app.test_request_context(
            "/admin/sessions/1/attendance?q=王&status=none&tag=a&tag=b&page=1"
            "&endpoint=x&_external=1&_anchor=top&session_id=99"):
        url = pager_url("sessions_admin.attendance", 2, session_id=1)
    path, query = url.split("?")
    assert path == "/admin/sessions/1/attendance"  # the view's own id, not the query's
    assert parse_qs(query) == {"q": ["王"], "status": ["none"], "tag": ["a", "b"],
                               "page": ["2"]}


def test_a_hand_edited_query_string_does_not_break_a_paged_list(admin_client, make_user):
    for n in range(25):
        make_user(f"person{n:02d}")
    page = admin_client.get("/admin/users?endpoint=x&_external=1&_method=POST&page=1")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'href="/admin/users?page=2"' in html and "http://" not in html.split("pagination")[1]
