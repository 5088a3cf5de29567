"""What runs around every request: the headers every response carries (set in one pass
after the view, lawlearn.security), the rate limiter's pass, Flask's async check."""

from __future__ import annotations

import uuid

import pytest

from lawlearn.extensions import db, limiter
from lawlearn.security import CONTENT_SECURITY_POLICY


def test_an_anonymous_page_gets_the_security_headers_but_may_be_cached(client):
    response = client.get("/login")
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Cache-Control" not in response.headers
    assert "Strict-Transport-Security" not in response.headers


def test_a_signed_in_page_is_private_and_each_header_is_sent_once(client, login, make_user):
    login(make_user())
    response = client.get("/quizzes")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    for name in ("Content-Security-Policy", "X-Frame-Options", "Cache-Control"):
        assert len(response.headers.getlist(name)) == 1, name


@pytest.mark.app_config(HTTPS=True)
def test_https_sites_add_strict_transport_security(client):
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_a_header_the_view_set_itself_is_kept(app, client):
    @app.get("/test-own-headers")
    def own_headers():
        return "x", 200, {"X-Frame-Options": "SAMEORIGIN", "cache-control": "no-cache"}

    response = client.get("/test-own-headers")
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_the_limiter_skips_its_empty_pass_but_not_an_operators_default(app_config):
    """RouteLimiter skips Flask-Limiter's before-request pass while there are no default,
    application, meta or blueprint limits; a default limit set in the config still holds."""
    from lawlearn import create_app

    with create_app(app_config).test_request_context():
        assert not limiter.has_app_wide_limits()
    try:
        limited = create_app({**app_config, "RATELIMIT_DEFAULT": "2 per minute"})
        # A route of its own: no count left by another run in a shared (Redis) store.
        path = f"/test-default-limit-{uuid.uuid4().hex}"
        limited.add_url_rule(path, path, lambda: "x")
        client = limited.test_client()
        assert [client.get(path).status_code for _ in range(2)] == [200, 200]
        refused = client.get(path)
        assert refused.status_code == 429
        # Flask-Limiter rewrites the header to the whole seconds left in the window: 60, or
        # 59 once a second boundary has passed since the first request.
        assert 0 < int(refused.headers["Retry-After"]) <= 60
        assert "请 60 秒后再试" in refused.get_data(as_text=True)  # how long, at most
        assert "返回上一页" not in refused.get_data(as_text=True)  # came from nowhere
        came = client.get(path, headers={"Referer": "http://localhost/checkin?x=1"})
        assert came.status_code == 429
        assert '<a class="button primary" href="/checkin?x=1">返回上一页</a>' in \
            came.get_data(as_text=True)
        elsewhere = client.get(path, headers={"Referer": "http://evil.example/checkin"})
        assert "返回上一页" not in elsewhere.get_data(as_text=True)  # not to another site
    finally:
        # The limiter is one object for every app in the process: later tests get none.
        limiter.limit_manager.set_default_limits([])


def test_callbacks_made_per_request_do_not_grow_the_app_without_bound(app, client):
    """LawlearnFlask remembers which functions need no async wrapper; a callback made for
    one request (``after_this_request``) must not fill that memory for ever."""
    from flask import after_this_request

    @app.get("/test-per-request-callback")
    def with_callback():
        @after_this_request
        def mark(response):
            response.headers["X-Marked"] = "yes"
            return response

        return "x"

    for _ in range(app.MAX_REMEMBERED + 50):
        assert client.get("/test-per-request-callback").headers["X-Marked"] == "yes"
    assert len(app._sync_functions) <= app.MAX_REMEMBERED
    assert client.get("/login").status_code == 200  # hooks and views still run after a reset


def test_request_user_is_the_person_signed_in_not_a_proxy(app, client, login, make_user):
    """The hooks read the signed-in person through security.request_user (each read through
    the current_user proxy is a lookup of its own): it is that very User, the anonymous user
    when no one is signed in, and None outside a request."""
    from flask_login import current_user

    from lawlearn.accounts.models import User
    from lawlearn.security import request_user

    seen: dict = {}

    @app.get("/test-request-user")
    def who():
        user = request_user()
        seen.update(user=user, same=user is current_user._get_current_object())
        return "x"

    client.get("/test-request-user")
    assert seen["user"].is_authenticated is False
    person = make_user()
    login(person)
    client.get("/test-request-user")
    assert type(seen["user"]) is User
    assert (seen["user"].id, seen["same"]) == (person.id, True)
    with app.app_context():
        assert request_user() is None


def test_templates_speak_the_readers_language_with_and_without_context(app, client, login,
                                                                         make_user):
    """A render's ``_()`` is bound to the request's catalog (i18n.bound_template_gettext);
    a macro imported without context uses the global one, which finds it: both speak the
    reader's language, with variables and escaping as Jinja's newstyle gettext."""
    from flask import render_template_string

    from lawlearn.accounts.models import User

    macros = app.jinja_env.from_string(
        '{% macro notices(n) %}{{ _("通知，%(n)d 条未读", n=n) }}{% endmacro %}')

    @app.get("/test-template-gettext")
    def page():
        return render_template_string(
            '{% import macros as m %}{{ _("通知") }}|{{ m.notices(2) }}|'
            '{{ _("通知，%(n)d 条未读", n=3) }}|{{ _("%(x)s", x="<b>") }}', macros=macros)

    person = make_user()
    login(person)
    assert client.get("/test-template-gettext").get_data(as_text=True) == (
        "通知|通知，2 条未读|通知，3 条未读|&lt;b&gt;")
    with app.app_context():
        db.session.get(User, person.id).locale = "en"
        db.session.commit()
    assert client.get("/test-template-gettext").get_data(as_text=True) == (
        "Notices|Notices, 2 unread|Notices, 3 unread|&lt;b&gt;")


@pytest.mark.app_config(PROPAGATE_EXCEPTIONS=False)
def test_a_server_error_names_a_reference_the_log_has_too(app, client, caplog):
    """"服务器出错了" alone could not be told apart from the day's other errors: the page and
    the API give a reference, and the log's traceback starts with it."""
    import re

    @app.get("/test-fails")
    @app.get("/api/v1/test-fails")
    def fails():
        raise RuntimeError("a bug")

    with caplog.at_level("ERROR"):
        page = client.get("/test-fails")
        api = client.get("/api/v1/test-fails")
    assert page.status_code == api.status_code == 500
    shown = re.search(r"错误编号：([0-9A-F]{8})", page.get_data(as_text=True)).group(1)
    assert api.json["error"] == "server_error" and re.fullmatch(r"[0-9A-F]{8}",
                                                                api.json["reference"])
    assert shown != api.json["reference"]
    logged = [record for record in caplog.records if record.exc_info]
    assert [record.getMessage() for record in logged] == [
        f"Unhandled error {shown} on GET /test-fails",
        f"Unhandled error {api.json['reference']} on GET /api/v1/test-fails"]
    assert "RuntimeError: a bug" not in page.get_data(as_text=True)


def test_a_post_only_address_opened_leads_to_its_page_but_the_api_says_405(app, client):
    """A form's POST-only address, opened (the address bar after an error re-rendered
    there, a reload, a shared link), went to a bare 405 page."""

    @app.get("/test-forms/<int:number>")
    def form_page(number):
        return f"form {number}"

    @app.post("/test-forms/<int:number>/steps/send")
    def form_send(number):
        return "sent"

    opened = client.get("/test-forms/7/steps/send")
    assert opened.status_code == 302 and opened.headers["Location"] == "/test-forms/7"
    assert client.head("/test-forms/7/steps/send").headers["Location"] == "/test-forms/7"
    # Served under a path prefix (a proxy's location /lawlearn/), the prefix is kept.
    prefixed = client.get("/test-forms/7/steps/send",
                          environ_overrides={"SCRIPT_NAME": "/lawlearn"})
    assert prefixed.headers["Location"] == "/lawlearn/test-forms/7"
    api = client.get("/api/v1/auth/token")  # POST only: a program is told, not redirected
    assert api.status_code == 405 and api.json["error"] == "method_not_allowed"
    assert client.put("/test-forms/7/steps/send").status_code == 405
