"""What runs around every request: the headers every response carries (set in one pass
after the view, lawlearn.security), the rate limiter's pass, Flask's async check."""

from __future__ import annotations

import uuid

import pytest

from lawlearn.extensions import limiter
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
        assert "请在 60 秒内稍候再试" in refused.get_data(as_text=True)  # how long, at most
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
