"""Several app servers share login throttling through Redis when LAWLEARN_REDIS_URL is set."""

from __future__ import annotations

import os
import uuid

import pytest

from lawlearn import create_app

REDIS_URL = os.environ.get("LAWLEARN_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def test_two_servers_share_one_login_budget(app, app_config):
    if not redis_reachable():
        if os.environ.get("LAWLEARN_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    config = {**app_config, "REDIS_URL": REDIS_URL, "LOGIN_RATE_LIMIT": "3 per minute",
              "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    config.pop("RATELIMIT_STORAGE_URI")
    import redis

    store = redis.Redis.from_url(REDIS_URL)
    keys_before = set(store.keys("*"))
    apps = [create_app(config), create_app(config)]
    first, second = apps[0].test_client(), apps[1].test_client()
    body = {"username": f"nobody-{uuid.uuid4().hex[:8]}", "password": "not-a-password"}
    statuses = [first.post("/api/v1/auth/token", json=body).status_code,
                second.post("/api/v1/auth/token", json=body).status_code,
                first.post("/api/v1/auth/token", json=body).status_code,
                second.post("/api/v1/auth/token", json=body).status_code]
    assert statuses == [401, 401, 401, 429]
    # The counts live in Redis (shared by every server), not in this process. (Not found
    # by the key prefix: Flask-Limiter keeps some settings of the first app a process made.)
    assert set(store.keys("*")) - keys_before
    for each in apps:
        with each.app_context():
            from lawlearn.extensions import db

            db.engine.dispose()


def test_with_redis_down_each_server_counts_on_its_own_and_sign_in_works(app, app_config,
                                                                         make_user):
    """Redis unreachable (stopped, restarting, a wrong port) took sign-in down with it: every
    login and token request was a 500. The counts fall back to the server's own memory."""
    from lawlearn.extensions import db, limiter

    person = make_user("someone")
    config = {**app_config, "REDIS_URL": "redis://127.0.0.1:1/15",  # nothing listens there
              "LOGIN_RATE_LIMIT": "3 per minute",
              "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    config.pop("RATELIMIT_STORAGE_URI")
    down = create_app(config)
    try:
        client = down.test_client()
        body = {"username": person.username, "password": "not-the-password"}
        statuses = [client.post("/api/v1/auth/token", json=body).status_code
                    for _ in range(4)]
        assert statuses == [401, 401, 401, 429]
        signed_in = down.test_client().post("/api/v1/auth/token", json={
            "username": person.username, "password": person.password},
            environ_base={"REMOTE_ADDR": "10.0.0.2"})
        assert signed_in.status_code == 201
    finally:
        limiter._storage_dead = False  # the limiter is one object for every app of a process
        with down.app_context():
            db.engine.dispose()
