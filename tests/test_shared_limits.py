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
