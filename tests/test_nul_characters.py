"""A NUL character anywhere in a request is refused before it reaches the database
(PostgreSQL cannot store one; it used to surface as a 500 deep in a query)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lawlearn.accounts.models import User
from lawlearn.extensions import db


def test_nul_in_the_query_string_is_a_clear_400(client):
    response = client.get("/search?q=宪法%00")
    assert response.status_code == 400
    assert "空字符" in response.get_data(as_text=True)
    # In a repeated field's later value, and in a field's name.
    assert client.get("/search?q=宪法&q=民法典%00").status_code == 400
    assert client.get("/search?q%00=宪法").status_code == 400


@pytest.mark.app_config(WTF_CSRF_ENABLED=False)
def test_nul_in_a_form_is_refused_and_changes_nothing(app, client, make_user):
    make_user("someone")
    response = client.post("/login", data={"username": "some\x00one", "password": "x"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1
        assert db.session.scalar(select(User.failed_logins)) == 0


def test_nul_in_api_json_is_a_json_error(client):
    response = client.post("/api/v1/auth/token", json={"username": {"k\x00": ["a"]},
                                                       "password": "x"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid_characters"


def test_nul_in_the_path_is_refused(client):
    response = client.get("/s/abc%00def")
    assert response.status_code == 400


def test_ordinary_requests_pass(client):
    assert client.get("/login").status_code == 200
    assert client.post("/api/v1/auth/token", json={"username": "nobody",
                                                   "password": "not-a-password"}
                       ).status_code == 401


def test_a_huge_article_number_searches_the_text(client, make_user, login):
    login(make_user("reader"))
    for query in ("宪法 99999999999999999999", "宪法 9999999999", "第一千零一百万条"):
        assert client.get("/search", query_string={"q": query}).status_code == 200


@pytest.mark.parametrize("depth", [350, 5000])
def test_json_nested_too_deep_is_a_json_error_not_a_500(client, depth):
    """``[[[…]]]`` 350 levels deep (a 700-byte body) was a RecursionError and a 500 on
    every JSON endpoint, before sign-in."""
    body = "[" * depth + "]" * depth
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert response.status_code in (400, 422) and response.is_json
    if depth > 900:  # past what the parser reads: refused as unreadable JSON
        assert response.get_json()["error"] == "invalid_json"
    nested_nul = '{"username": ' + "[" * 600 + '"a\\u0000"' + "]" * 600 + "}"
    refused = client.post("/api/v1/auth/token", data=nested_nul,
                          content_type="application/json")
    assert (refused.status_code, refused.get_json()["error"]) == (400, "invalid_characters")


def test_other_control_characters_are_cleaned_from_forms_but_not_from_passwords(app):
    """NUL refuses the request (above); the rest of C0 is taken out of form text, Word's line
    and page breaks read as line breaks; tab, newline and CR stay; a password stays exact."""
    from lawlearn.text_input import clean_text

    assert clean_text("a\x0bb\x0cc\x07d\x1fe\tf\ng\rh") == "a\nb\nc" + "de\tf\ng\rh"
    body = "title=%E5%AE%AA%01%E6%B3%95&title=x%0By&new_password=p%01w&q=plain"
    later_only = "blank=one&blank=two%07"  # only a later value of a repeated field
    with app.test_request_context("/", method="POST", data=later_only,
                                  content_type="application/x-www-form-urlencoded"):
        from flask import request

        assert request.form.getlist("blank") == ["one", "two"]
    with app.test_request_context("/", method="POST", data=body,
                                  content_type="application/x-www-form-urlencoded"):
        from flask import request

        assert request.form.getlist("title") == ["宪法", "x\ny"]
        assert request.form["new_password"] == "p\x01w" and request.form["q"] == "plain"
