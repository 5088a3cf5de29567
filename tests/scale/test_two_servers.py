"""Two gunicorn instances (two ports, as behind a load balancer) on one PostgreSQL database,
one Redis and one upload folder: whichever server a request lands on, nothing is lost and
every limit holds. bench/bench_servers.py runs the quiz part with 50 takers."""

from __future__ import annotations

import io
import itertools
import os
import re
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.scale import live
from tests.scale.browser import Browser

pytestmark = pytest.mark.skipif(
    not live.is_postgres(live.TEST_DATABASE_URL),
    reason="several app servers need PostgreSQL: set LAWLEARN_TEST_DATABASE_URL=postgresql+…")

LOGIN_LIMIT = 4  # failed logins per minute and client address


@dataclass
class Site:
    a: int
    b: int
    config: dict[str, str]
    data: live.Seed
    folder: Path
    redis: bool
    servers: live.Servers


def redis_client():
    import redis

    client = redis.Redis.from_url(live.REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        return None
    return client


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("two-servers")
    redis = redis_client()
    prefix = f"scale-{uuid.uuid4().hex}"
    shared = {"RATELIMIT_KEY_PREFIX": prefix, "LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per minute",
              "PROXY_HOPS": "1"}  # behind one proxy: the client address is X-Forwarded-For
    if redis is not None:
        shared["REDIS_URL"] = live.REDIS_URL
    with live.postgres_database(live.TEST_DATABASE_URL) as url, live.Servers(folder) as servers:
        config = live.site_config(folder, url, **shared)
        data = live.seed(config, staff=12, questions=6)
        a = servers.start(config, workers=2, threads=2)
        b = servers.start(config, workers=2, threads=2)
        try:
            yield Site(a, b, config, data, folder, redis is not None, servers)
        finally:
            servers.stop_all()
            if redis is not None:
                keys = redis.keys(f"*{prefix}*")
                if keys:
                    redis.delete(*keys)


def require_redis(site: Site) -> None:
    if not site.redis:
        if os.environ.get("LAWLEARN_REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is not reachable at {live.REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {live.REDIS_URL}")


def both_at_once(*calls) -> list:
    """Run the calls at the same instant (a double tap that reaches two servers)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(n: int) -> None:
        barrier.wait(timeout=60)
        results[n] = calls[n]()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    live.join(threads)
    return results


def test_quiz_started_on_one_server_is_answered_and_submitted_on_the_other(site):
    taker = live.start_taker(site.a, 0, site.data.staff[0], site.data.quiz_id)
    ports = itertools.cycle([site.b, site.a])
    live.answer(taker, lambda: next(ports), live.Progress())
    assert taker.errors == [], site.servers.log_text()[-3000:]
    assert len(taker.acked) == len(taker.question_ids)
    seen = live.call(site.b, "GET", f"/api/v1/attempts/{taker.attempt_id}",
                     headers=taker.headers).json()
    assert {int(q): v for q, v in seen["answers"].items()} == taker.acked
    result = live.call(site.b, "POST", f"/api/v1/attempts/{taker.attempt_id}/submit",
                       headers=taker.headers).json()
    on_a = live.call(site.a, "GET", f"/api/v1/attempts/{taker.attempt_id}",
                     headers=taker.headers).json()
    assert on_a["submitted"] and on_a["result"] == result
    assert result["score"] == live.expected_score(taker, on_a)

    # A double tap on "start" that reaches both servers starts one attempt, not two.
    headers = live.bearer(site.b, site.data.staff[1])
    path = f"/api/v1/quizzes/{site.data.quiz_id}/attempts"
    replies = both_at_once(lambda: live.call(site.a, "POST", path, headers=headers),
                           lambda: live.call(site.b, "POST", path, headers=headers))
    assert sorted(r.status for r in replies) == [200, 201]
    assert replies[0].json()["id"] == replies[1].json()["id"]


def failed_login(port: int, address: str, username: str | None = None) -> int:
    """A wrong password from ``address``; a new unknown username each time by default, so
    only the address budget counts (5 failures of one name lock that name everywhere)."""
    body = {"username": username or f"nobody-{uuid.uuid4().hex[:8]}", "password": "wrong-pw"}
    return live.call(port, "POST", "/api/v1/auth/token", body,
                     {"X-Forwarded-For": address}).status


def test_login_throttling_holds_across_servers_with_redis(site):
    require_redis(site)
    address = "203.0.113.10"
    ports = itertools.islice(itertools.cycle([site.a, site.b]), LOGIN_LIMIT + 2)
    statuses = [failed_login(port, address) for port in ports]
    assert statuses == [401] * LOGIN_LIMIT + [429, 429]
    # The address is throttled on both servers, even with the right password; others are not.
    right = {"username": site.data.staff[2], "password": live.PASSWORD}
    assert live.call(site.a, "POST", "/api/v1/auth/token", right,
                     {"X-Forwarded-For": address}).status == 429
    assert live.call(site.b, "POST", "/api/v1/auth/token", right,
                     {"X-Forwarded-For": "203.0.113.11"}).status == 201


def test_without_redis_each_server_counts_alone(site):
    """Memory storage: every server (every worker, even) keeps its own count, which is why
    several workers or servers need LAWLEARN_REDIS_URL."""
    config = {key: value for key, value in site.config.items() if key != "REDIS_URL"}
    with live.Servers(site.folder) as servers:
        c = servers.start(config, workers=1, threads=2)
        d = servers.start(config, workers=1, threads=2)
        address = "203.0.113.20"
        statuses_c = [failed_login(c, address) for _ in range(LOGIN_LIMIT + 1)]
        assert statuses_c == [401] * LOGIN_LIMIT + [429]
        assert failed_login(d, address) == 401


def test_account_lockout_holds_across_servers(site):
    """Five wrong passwords for one account, spread over both servers and five addresses,
    lock it on both (the count is in the database)."""
    username = site.data.staff[8]
    ports = itertools.islice(itertools.cycle([site.a, site.b]), 5)
    statuses = [failed_login(port, f"198.51.100.{n}", username) for n, port in enumerate(ports)]
    assert statuses == [401] * 4 + [429]
    right = {"username": username, "password": live.PASSWORD}
    for port in (site.a, site.b):
        reply = live.call(port, "POST", "/api/v1/auth/token", right,
                          {"X-Forwarded-For": "198.51.100.99"})
        assert reply.status == 429 and reply.json()["error"] == "account_locked"


def test_checkin_flags_hold_across_servers(site):
    admin = live.bearer(site.a, "root")
    sid = site.data.session_id
    token = live.call(site.a, "GET", f"/api/v1/sessions/{sid}/checkin-token",
                      headers=admin).json()["token"]
    staff = site.data.staff
    phone_x, phone_y = {"User-Agent": "PhoneX/1.0"}, {"User-Agent": "PhoneY/2.0"}

    def check_in(port: int, username: str, device: dict) -> live.Reply:
        headers = {**live.bearer(port, username), **device}
        return live.call(port, "POST", "/api/v1/checkins", {"token": token}, headers)

    # A token shown by one server is good on the other (one secret key for the site).
    first = check_in(site.b, staff[3], phone_x)
    assert first.status == 201
    again = check_in(site.a, staff[3], phone_x)  # the same person, through the other server
    assert again.status == 200 and again.json() == first.json()
    assert check_in(site.a, staff[4], phone_x).status == 201  # a second account, same phone
    assert check_in(site.b, staff[5], phone_y).status == 201
    # One person's double tap reaching both servers at once: one record, the same answer twice.
    headers = {**live.bearer(site.a, staff[6]), **phone_y, "X-Forwarded-For": "198.51.100.6"}
    replies = both_at_once(
        lambda: live.call(site.a, "POST", "/api/v1/checkins", {"token": token}, headers),
        lambda: live.call(site.b, "POST", "/api/v1/checkins", {"token": token}, headers))
    assert sorted(r.status for r in replies) == [200, 201]
    assert replies[0].json() == replies[1].json()

    browser = Browser()
    browser.login(site.b, "root")
    page = browser.request(site.b, "GET", f"/admin/sessions/{sid}/attendance").text
    flagged = set(re.findall(
        r'<td>(职工\d+) <span class="muted small">[^<]*</span> <span class="badge warn"', page))
    assert flagged == {f"职工{staff[3][5:]}", f"职工{staff[4][5:]}"}


def test_checkin_code_guesses_are_counted_across_servers(site):
    require_redis(site)
    browser = Browser()
    browser.login(site.a, site.data.staff[7])
    token = browser.csrf(site.a, "/checkin")
    ports = itertools.islice(itertools.cycle([site.b, site.a]), 11)
    statuses = [browser.request(port, "POST", "/checkin/code",
                                form={"code": "000000", "csrf_token": token}).status
                for port in ports]
    # Ten wrong codes a minute (CODE_RATE_LIMIT) from both servers together, then refused.
    assert statuses[:10] in ([422] * 10, [409] * 10) and statuses[10] == 429


def test_upload_through_one_server_is_served_by_the_other(site):
    from PIL import Image

    picture = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(picture, format="PNG")
    data = picture.getvalue()
    browser = Browser()
    browser.login(site.a, "root")
    edit = f"/admin/library/materials/{site.data.material_id}"
    token = browser.csrf(site.a, edit)
    reply = browser.request(site.a, "POST", f"{edit}/attachments",
                            form={"attach-csrf_token": token},
                            files={"attach-file": ("宪法.png", data, "image/png")})
    assert reply.status == 302, reply.text[:500]
    ids = re.findall(r"/materials/attachments/(\d+)", browser.request(site.b, "GET", edit).text)
    assert len(ids) == 1
    served = browser.request(site.b, "GET", f"/materials/attachments/{ids[0]}")
    assert served.status == 200 and served.body == data
    stored = list((Path(site.config["UPLOAD_FOLDER"]) / "attachments").iterdir())
    assert [path.read_bytes() for path in stored] == [data]
