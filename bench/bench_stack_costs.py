"""Where a quiz-list request's time goes: the CPU cost of one request, in-process (no server,
no network, the WSGI app called directly, one thread), for the floor of bench_quiz_list.py
and for lawlearn's layers one at a time. It explains bench_quiz_list.py's ratios: under
gunicorn both sides also pay the server's own per-request cost, which narrows the gap.

    bare Flask "ok"                     what Flask itself costs
    the floor's quiz list / quiz        bare Flask + sqlite3 doing the reads, no sign-in
    lawlearn, signed out, "ok"          our app's hooks and extensions, nothing read
    lawlearn, signed in, "ok"           + the session cookie and the user with their roles
    lawlearn, empty staff page          + the layout (menu, bell, CSRF token)
    lawlearn API list / list page / quiz page

The office, the floor and the two extra routes are bench_quiz_list.py's.
Prints one JSON object per figure (microseconds per request, median of rounds).
Run: .venv/bin/python bench/bench_stack_costs.py  (about a minute)
"""

from __future__ import annotations

import io
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_quiz_list import FLOOR_APP, LIMITS_APP, set_up
from flask import Flask
from harness import ROOT, figure, lawlearn_config
from werkzeug.test import Client, EnvironBuilder

CALLS = 1000  # requests per round
ROUNDS = 5


def per_request(app, path: str, headers: dict[str, str]) -> float:
    """Median over rounds of the microseconds one GET of ``path`` takes."""
    environ = EnvironBuilder(path=path, headers=headers).get_environ()
    statuses: list[str] = []

    def start_response(status, _headers, _exc_info=None):
        statuses.append(status)

    def call() -> None:
        each = dict(environ)
        each["wsgi.input"] = io.BytesIO()
        body = app(each, start_response)
        b"".join(body)
        getattr(body, "close", lambda: None)()

    for _ in range(CALLS // 10):  # warm caches, the pool and the catalog
        call()
    rounds = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        for _ in range(CALLS):
            call()
        rounds.append((time.perf_counter() - began) / CALLS * 1e6)
    refused = [s for s in statuses if not s.startswith("200")]
    if refused:
        raise RuntimeError(f"{path}: {refused[:3]}")
    return statistics.median(rounds)


def signed_in_cookie(app, username: str, password: str) -> str:
    client = Client(app)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page)
    response = client.post("/login", data={"username": username, "password": password,
                                            "csrf_token": token.group(1) if token else ""})
    if response.status_code != 302:
        raise RuntimeError(f"login {username}: {response.status_code}")
    return "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())


def bearer(app, username: str, password: str) -> str:
    response = Client(app).post("/api/v1/auth/token",
                                json={"username": username, "password": password})
    if response.status_code != 201:
        raise RuntimeError(f"token {username}: {response.status_code}")
    return f"Bearer {response.get_json()['token']}"


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-stack-"))
    try:
        office = set_up(folder)
        os.environ["FLOOR_DATABASE"] = str(folder / "b.db")
        for key, value in lawlearn_config(folder).items():
            os.environ[f"LAWLEARN_{key}"] = value
        (folder / "floorapp.py").write_text(FLOOR_APP)
        (folder / "limitsapp.py").write_text(LIMITS_APP)
        sys.path[:0] = [str(folder), str(ROOT)]  # the two apps, and wsgi.py they import
        import floorapp  # noqa: PLC0415  (written above)
        import limitsapp  # noqa: PLC0415

        bare = Flask("bare")
        bare.add_url_rule("/ok", "ok", lambda: "ok")
        app = limitsapp.app
        app.add_url_rule("/_bench/anonymous", "bench_anonymous", lambda: "ok")
        (user_id, username), quiz_id = office["users"][0], office["quiz"]
        cookie = {"Cookie": signed_in_cookie(app, username, office["password"])}
        token = {"Authorization": bearer(app, username, office["password"])}
        floor_list = per_request(floorapp.app, f"/quizzes?user={user_id}", {})
        figure("in-process: bare Flask \"ok\"", per_request(bare, "/ok", {}), "µs/request")
        figure("in-process: the floor's quiz list (bare Flask + sqlite3, no sign-in)",
               floor_list, "µs/request")
        figure("in-process: the floor's quiz page",
               per_request(floorapp.app, f"/quizzes/{quiz_id}?user={user_id}", {}),
               "µs/request")
        for name, path, headers in (
                ("lawlearn, signed out, \"ok\" (hooks and extensions)", "/_bench/anonymous",
                 {}),
                ("lawlearn, signed in, \"ok\" (+ session cookie, user and roles)",
                 "/_bench/signed-in", cookie),
                ("lawlearn, staff page with an empty body (+ the layout)", "/_bench/layout",
                 cookie),
                ("lawlearn, GET /api/v1/quizzes (bearer token)", "/api/v1/quizzes", token),
                ("lawlearn, quiz list page GET /quizzes", "/quizzes", cookie),
                ("lawlearn, quiz page GET /quizzes/<id>", f"/quizzes/{quiz_id}", cookie)):
            figure(f"in-process: {name} (baseline: the floor's quiz list)",
                   per_request(app, path, headers), "µs/request", floor_list)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
