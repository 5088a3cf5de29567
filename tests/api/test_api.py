"""The JSON API foundation: tokens, session + CSRF, JSON errors, the OpenAPI document."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from tests.conftest import PASSWORD, csrf_from


def issue(client, username, password=PASSWORD, **kwargs):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       **kwargs)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_token_lifecycle(client, make_user):
    make_user("alice", name="爱丽丝", roles=("staff", "dept_lead"))
    response = issue(client, "alice")
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "expires_at", "user"}
    assert body["user"]["username"] == "alice" and body["user"]["roles"] == ["dept_lead", "staff"]
    assert body["user"]["must_change_password"] is False
    assert "Set-Cookie" not in response.headers or "session=" not in response.headers["Set-Cookie"]
    me = client.get("/api/v1/me", headers=bearer(body["token"]))
    assert me.status_code == 200 and me.get_json()["name"] == "爱丽丝"
    # Tokens need no CSRF token; revoking one makes it useless.
    revoked = client.delete("/api/v1/auth/token", headers=bearer(body["token"]))
    assert revoked.status_code == 204 and revoked.data == b""
    assert "Content-Type" not in revoked.headers
    gone = client.get("/api/v1/me", headers=bearer(body["token"]))
    assert gone.status_code == 401 and gone.get_json()["error"] == "unauthorized"


def test_errors_are_json_with_the_right_status(client, make_user):
    make_user("bob")
    assert client.get("/api/v1/me").get_json() == {
        "error": "unauthorized", "message": "请先登录或提供有效的令牌。"}
    forged = client.get("/api/v1/me", headers=bearer("forged"))
    assert forged.status_code == 401 and forged.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = issue(client, "bob", "wrong-password")
    assert wrong.status_code == 401 and wrong.get_json() == {
        "error": "invalid_credentials", "message": "用户名或密码错误。"}
    assert wrong.headers["WWW-Authenticate"] == 'Bearer realm="lawlearn"'
    malformed = client.post("/api/v1/auth/token", data="not json",
                            content_type="application/json")
    assert malformed.status_code == 422 and malformed.get_json()["error"] == "invalid_json"
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.is_json
    not_allowed = client.put("/api/v1/me")
    assert not_allowed.status_code == 405 and not_allowed.is_json
    allowed = set(not_allowed.headers["Allow"].split(", "))  # RFC 9110 asks for it
    assert allowed == {"GET", "HEAD", "OPTIONS"}


def test_inactive_user_gets_403(client, make_user):
    make_user("carol", active=False)
    response = issue(client, "carol")
    assert response.status_code == 403 and response.get_json()["error"] == "account_inactive"


def test_token_endpoint_is_throttled_and_locks_accounts(client, make_user):
    make_user("dave")
    statuses = [issue(client, "dave", "bad-password").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    locked = issue(client, "dave")
    assert locked.status_code == 429 and locked.get_json()["error"] == "account_locked"
    # Retry-After tells the lock's time left (15 minutes), not the throttle's minute.
    assert 14 * 60 < int(locked.headers["Retry-After"]) <= 15 * 60


@pytest.mark.app_config(LOGIN_RATE_LIMIT="2 per minute")
def test_token_endpoint_rate_limit(client):
    statuses = [issue(client, "nobody", "whatever-pass").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]
    refused = client.post("/api/v1/auth/token", json={})
    assert refused.get_json()["error"] == "too_many_requests"
    assert "60 秒" in refused.get_json()["message"]
    assert 0 < int(refused.headers["Retry-After"]) <= 60  # whole seconds left in the window


def test_must_change_password_is_reported(client, make_user):
    make_user("erin", must_change_password=True)
    body = issue(client, "erin").get_json()
    assert body["user"]["must_change_password"] is True
    assert client.get("/api/v1/me", headers=bearer(body["token"])).status_code == 200


def test_session_auth_needs_the_csrf_header_for_changes(client, login, make_user):
    login(make_user("frank"))
    assert client.get("/api/v1/me").get_json()["username"] == "frank"
    refused = client.delete("/api/v1/auth/token")
    assert refused.status_code == 403 and refused.get_json()["error"] == "csrf_failed"
    token = csrf_from(client.get("/me"))
    # With the header the CSRF check passes; there is no token to revoke in a session.
    allowed = client.delete("/api/v1/auth/token", headers={"X-CSRFToken": token})
    assert allowed.status_code == 422 and allowed.get_json()["error"] == "no_token"


def test_a_token_beside_a_browser_cookie_is_who_asks(client, login, make_user):
    """An app's web view sends its token with the site's cookie: the cookie's user answered,
    and DELETE /auth/token said "no token" and left the token working."""
    login(make_user("gina"))
    make_user("hank")
    token = issue(client, "hank").get_json()["token"]
    assert client.get("/api/v1/me", headers=bearer(token)).get_json()["username"] == "hank"
    assert client.get("/api/v1/me").get_json()["username"] == "gina"  # the cookie alone
    # The scheme's name is case-insensitive (RFC 9110), and a bearer needs no CSRF token.
    lower = {"Authorization": f"bearer {token}"}
    assert client.get("/api/v1/me", headers=lower).get_json()["username"] == "hank"
    assert client.delete("/api/v1/auth/token", headers=lower).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/me").get_json()["username"] == "gina"


@pytest.mark.app_config(MAX_CONTENT_LENGTH=1024)
def test_a_body_too_large_is_a_json_413_about_the_body(client):
    response = client.post("/api/v1/auth/token", data="{" + " " * 2048 + "}",
                           content_type="application/json")
    assert response.status_code == 413
    assert response.get_json() == {"error": "too_large", "message": "请求内容过大。"}


def test_expired_token_is_refused(app, client, make_user):
    from datetime import timedelta

    app.config["API_TOKEN_LIFETIME"] = timedelta(seconds=-1)
    make_user("grace")
    token = issue(client, "grace").get_json()["token"]
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_openapi_is_valid_and_describes_every_route(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    described = {(path, method) for path, ops in document["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in described, (path, method)


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/openapi.json"])
def test_api_responses_carry_security_headers(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_openapi_names_each_operations_refusals_and_their_codes(client, make_user):
    """A phone client met statuses the document did not list (403 on reading an attempt
    while a password change is owed, 413, 405) and codes it never named."""
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "invalid_characters" in responses["400"]["description"], (path, method)
            if operation.get("security") != []:
                assert "401" in responses, (path, method)
            if "requestBody" in operation:
                assert "413" in responses, (path, method)
    reading = paths["/attempts/{attempt_id}"]["get"]["responses"]
    assert "password_change_required" in reading["403"]["description"]
    assert "csrf_failed" not in reading["403"]["description"]  # a GET needs no CSRF token
    saving = paths["/attempts/{attempt_id}/answers/{question_id}"]["put"]
    assert "invalid_answer" in saving["responses"]["422"]["description"]
    assert saving["responses"]["200"]["content"]["application/json"]["schema"]["required"] == \
        ["question_id", "answer", "saved_at"]
    checkins = paths["/checkins"]["post"]
    assert "429" in checkins["responses"] and "invalid_code" in \
        checkins["responses"]["422"]["description"]
    assert "account_locked" in paths["/auth/token"]["post"]["responses"]["429"]["description"]
    assert document["components"]["schemas"]["Error"]["examples"]
    # What the document says is what a refused client meets.
    make_user("owes", must_change_password=True)
    token = issue(client, "owes").get_json()["token"]
    owed = client.get("/api/v1/attempts/1", headers=bearer(token))
    assert owed.status_code == 403 and owed.get_json()["error"] == "password_change_required"


def test_the_initial_password_is_changed_through_the_api(app, client, make_user):
    """Every endpoint but /me answered 403 password_change_required, and the API had no way
    to change it: a phone app's new user was stuck."""
    make_user("newbie", must_change_password=True)
    old = issue(client, "newbie").get_json()["token"]
    assert client.get("/api/v1/quizzes", headers=bearer(old)).status_code == 403
    url = "/api/v1/me/password"
    wrong = client.post(url, json={"current_password": "not-it-at-all",
                                   "new_password": "fresh-secret-42"}, headers=bearer(old))
    assert wrong.status_code == 422 and wrong.get_json()["error"] == "wrong_password"
    weak = client.post(url, json={"current_password": PASSWORD, "new_password": "123"},
                       headers=bearer(old))
    assert weak.status_code == 422 and weak.get_json()["error"] == "weak_password"
    missing = client.post(url, json={"current_password": PASSWORD}, headers=bearer(old))
    assert missing.status_code == 422 and missing.get_json()["error"] == "invalid"
    changed = client.post(url, json={"current_password": PASSWORD,
                                     "new_password": "fresh-secret-42"}, headers=bearer(old))
    assert changed.status_code == 200
    body = changed.get_json()
    assert body["user"]["must_change_password"] is False and body["token"] != old
    assert client.get("/api/v1/quizzes", headers=bearer(old)).status_code == 401  # revoked
    assert client.get("/api/v1/quizzes", headers=bearer(body["token"])).status_code == 200
    assert issue(client, "newbie", "fresh-secret-42").status_code == 201
    assert client.post(url, json={"current_password": "fresh-secret-42",
                                  "new_password": "another-secret-7"}).status_code == 401
    # Wrong current passwords lock the account as wrong sign-ins do; locked, even the right
    # one is refused (a stolen token cannot go on guessing).
    auth = bearer(body["token"])
    answers = [client.post(url, json={"current_password": f"guess-{n}-wrong",
                                      "new_password": "another-secret-7"},
                           headers=auth).get_json()["error"] for n in range(5)]
    assert answers == ["wrong_password"] * 4 + ["account_locked"]
    locked = client.post(url, json={"current_password": "fresh-secret-42",
                                    "new_password": "another-secret-7"}, headers=auth)
    assert locked.status_code == 429 and locked.get_json()["error"] == "account_locked"
