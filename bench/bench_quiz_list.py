"""Quiz list throughput: GET /api/v1/quizzes, the 答题 list page (/quizzes) and a quiz's page
(/quizzes/<id>) under gunicorn, each against a floor taken in the same run: a bare Flask +
sqlite3 app, served the same way, doing the same read on the same database file (the open
quizzes for everyone and the caller's attempts at them, or one quiz and the caller's
attempts) and answering JSON, without sign-in. The issue's goal: ≥ 0.5 of the floor.

The office is lawlearn.scale_data's (500 staff, a year of quizzes and attempts) plus a few
quizzes open now, each caller with an attempt in progress at one of them. The floor and
lawlearn take turns for a few short rounds and each figure is the median round, so a
machine whose load drifts during the run slows both alike.

Two more figures show how far a page can get on this stack at all: a signed-in response
that reads nothing more ("ok"), and a staff page with an empty body (the layout alone),
served by lawlearn's app with two extra routes on a separate server.

Prints one JSON object per figure. Run: .venv/bin/python bench/bench_quiz_list.py
(loopback only, about three minutes)
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from harness import ROOT, figure, lawlearn_config, start_gunicorn, stop

from lawlearn import create_app
from lawlearn.extensions import db

STAFF = 500
CLIENTS = 16  # concurrent callers, each a different person on one keep-alive connection
OPEN_QUIZZES = 5
WORKERS, THREADS = 2, 4  # gunicorn gthread, the same for lawlearn and the floor
WARMUP, DURATION = 1.0, 4.0  # seconds of load before each measured window, and the window
ROUNDS = 3  # floor, lawlearn, floor, lawlearn, ...: the median round counts
GOAL = 0.5

FLOOR_APP = '''\
"""The floor: bare Flask + sqlite3 reading what the quiz list and a quiz's page read."""
import os
import sqlite3
import threading
from datetime import UTC, datetime

from flask import Flask, abort, jsonify, request

app = Flask(__name__)
DATABASE = os.environ["FLOOR_DATABASE"]
local = threading.local()
QUIZ = ("SELECT id, title, description, is_exam, opens_at, closes_at, time_limit_minutes, "
        "attempts_allowed, pass_percent FROM quiz")
ATTEMPTS = "SELECT quiz_id, number, submitted_at, score FROM attempt WHERE user_id = ? AND "


def connection():
    conn = getattr(local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(DATABASE)
        conn.execute("PRAGMA busy_timeout=10000")
        local.conn = conn
    return conn


def cards(quizzes, attempts):
    mine = {}
    for quiz_id, number, submitted_at, score in attempts:
        mine.setdefault(quiz_id, []).append((number, submitted_at, score))
    out = []
    for (quiz_id, title, description, is_exam, opens_at, closes_at, limit, allowed,
         pass_percent) in quizzes:
        tries = mine.get(quiz_id, [])
        scores = [s for _n, done, s in tries if done is not None and s is not None]
        out.append({"id": quiz_id, "title": title, "description": description,
                    "is_exam": bool(is_exam), "opens_at": opens_at, "closes_at": closes_at,
                    "time_limit_minutes": limit, "attempts_allowed": allowed,
                    "attempts_used": len(tries),
                    "in_progress": any(done is None for _n, done, _s in tries),
                    "score": max(scores) if scores else None, "pass_percent": pass_percent})
    return out


@app.get("/quizzes")
def quizzes():
    user_id = int(request.args["user"])
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
    conn = connection()
    rows = conn.execute(QUIZ + " WHERE published = 1 AND audience_all = 1 AND "
                        "(opens_at IS NULL OR opens_at <= ?) AND "
                        "(closes_at IS NULL OR closes_at > ?) "
                        "ORDER BY is_exam DESC, closes_at IS NULL, closes_at, id",
                        (now, now)).fetchall()
    ids = [row[0] for row in rows]
    attempts = conn.execute(ATTEMPTS + f"quiz_id IN ({','.join('?' * len(ids))})",
                            (user_id, *ids)).fetchall() if ids else []
    return jsonify(cards(rows, attempts))


@app.get("/quizzes/<int:quiz_id>")
def quiz(quiz_id):
    user_id = int(request.args["user"])
    conn = connection()
    rows = conn.execute(QUIZ + " WHERE id = ? AND published = 1", (quiz_id,)).fetchall()
    if not rows:
        abort(404)
    attempts = conn.execute(ATTEMPTS + "quiz_id = ? ORDER BY number",
                            (user_id, quiz_id)).fetchall()
    return jsonify(cards(rows, attempts)[0])
'''


# lawlearn's app plus two routes that show the cost of the stack itself (see the docstring).
LIMITS_APP = '''\
from flask import render_template
from flask_login import current_user, login_required

from wsgi import app

EMPTY_PAGE = app.jinja_env.from_string(
    '{% extends "staff_base.html" %}{% block content %}{% endblock %}')


@app.get("/_bench/signed-in")
@login_required
def signed_in():
    return str(current_user.id)


@app.get("/_bench/layout")
@login_required
def layout():
    return render_template(EMPTY_PAGE)
'''


# --- setup ----------------------------------------------------------------------------


def set_up(folder: Path) -> dict:
    """The office, open quizzes and the callers: {"quiz": id, "users": [(id, username)],
    "password"}."""
    from sqlalchemy import select

    from lawlearn.accounts.models import User
    from lawlearn.database import utcnow
    from lawlearn.demo import demo_password
    from lawlearn.localtime import local_day
    from lawlearn.quiz.authoring import QuizFields, create_quiz
    from lawlearn.quiz.models import Question
    from lawlearn.quiz.services import start_attempt
    from lawlearn.scale_data import generate

    app = create_app({**lawlearn_config(folder), "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        now = utcnow()
        today = local_day(now)
        generate(STAFF, year=today.year if (today.month, today.day) != (1, 1) else today.year - 1)
        question_ids = list(db.session.scalars(select(Question.id).where(
            Question.status == "active").order_by(Question.id).limit(5)))
        quizzes = [create_quiz(None, QuizFields(
            title=f"基准测验（第{n + 1}期）", opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=7 + n), attempts_allowed=3,
            question_ids=question_ids), published=True) for n in range(OPEN_QUIZZES)]
        db.session.flush()
        people = list(db.session.scalars(select(User).where(
            User.username.like("scale%"), User.active.is_(True)).order_by(User.id)
            .limit(CLIENTS)))
        for person in people:
            start_attempt(person, quizzes[0], now)
        db.session.commit()
        found = {"quiz": quizzes[0].id, "users": [(p.id, p.username) for p in people],
                 "password": demo_password()}
        db.engine.dispose()
    return found


# --- callers --------------------------------------------------------------------------


def request_(conn: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes, list[str]]:
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return response.status, response.read(), response.headers.get_all("Set-Cookie") or []


def api_headers(port: int, username: str, password: str) -> dict[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        status, data, _c = request_(conn, "POST", "/api/v1/auth/token", json.dumps(
            {"username": username, "password": password}).encode(),
            {"Content-Type": "application/json"})
    finally:
        conn.close()
    if status != 201:
        raise RuntimeError(f"token for {username}: {status} {data[:200]!r}")
    return {"Authorization": f"Bearer {json.loads(data)['token']}"}


def page_headers(port: int, username: str, password: str) -> dict[str, str]:
    """A signed-in session cookie, through the real login form."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        status, data, cookies = request_(conn, "GET", "/login")
        token = re.search(rb'<meta name="csrf-token" content="([^"]+)"', data)
        jar = "; ".join(c.split(";", 1)[0] for c in cookies)
        form = urlencode({"username": username, "password": password,
                          "csrf_token": token.group(1).decode() if token else ""}).encode()
        status, data, cookies = request_(conn, "POST", "/login", form, {
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": jar})
    finally:
        conn.close()
    if status != 302 or not cookies:
        raise RuntimeError(f"login {username}: {status} {data[:200]!r}")
    return {"Cookie": "; ".join(c.split(";", 1)[0] for c in cookies)}


def call_loop(port: int, path: str, headers: dict[str, str], barrier: threading.Barrier,
              window: list[float], result: dict) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        try:
            barrier.wait(timeout=60)
        except threading.BrokenBarrierError:
            return
        start, end = window
        while (began := time.perf_counter()) < end:
            try:
                status, data, _c = request_(conn, "GET", path, headers=headers)
            except (OSError, http.client.HTTPException) as error:
                conn.close()  # reconnects on the next request
                if began >= start:
                    result["errors"].append(repr(error))
                continue
            done = time.perf_counter()
            if began < start or done > end:
                continue
            if status == 200:
                result["latencies"].append(done - began)
            else:
                result["errors"].append(f"{status} {data[:200]!r}")
    finally:
        conn.close()


def compare(floor_port: int, floor_calls: list, port: int, calls: list) -> tuple[dict, dict]:
    """Rounds of the floor then lawlearn on the same load; the median of each."""
    rounds = [(load(floor_port, floor_calls), load(port, calls)) for _ in range(ROUNDS)]

    def median(side: int) -> dict:
        return {key: statistics.median(r[side][key] for r in rounds)
                for key in ("rate", "p95", "errors")}

    return median(0), median(1)


def load(port: int, calls: list[tuple[str, dict[str, str]]]) -> dict[str, float]:
    """Every caller GETs its path back to back; requests per second in the window."""
    window = [0.0, 0.0]

    def open_window() -> None:
        window[0] = time.perf_counter() + WARMUP
        window[1] = window[0] + DURATION

    barrier = threading.Barrier(len(calls), action=open_window)
    results = [{"latencies": [], "errors": []} for _ in calls]
    threads = [threading.Thread(target=call_loop, args=(port, path, headers, barrier, window,
                                                        result), daemon=True)
               for (path, headers), result in zip(calls, results, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90 + WARMUP + DURATION)
    errors = [e for r in results for e in r["errors"]]
    if errors:
        print("errors (first few):", *errors[:5], sep="\n  ", file=sys.stderr)
    latencies = sorted(x for r in results for x in r["latencies"])
    if len(latencies) < 2:
        raise RuntimeError(f"no measurements: {errors[:3]}")
    return {"rate": len(latencies) / DURATION, "errors": len(errors),
            "p95": statistics.quantiles(latencies, n=100)[94] * 1000}


# --- the run --------------------------------------------------------------------------


def main() -> int:
    figure("machine: CPU cores", os.cpu_count() or 0, "cores")
    figure("machine: load average (1 min) at the start", os.getloadavg()[0], "load")
    folder = Path(tempfile.mkdtemp(prefix="bench-quiz-list-"))
    servers = []
    try:
        office = set_up(folder)
        (folder / "floorapp.py").write_text(FLOOR_APP)
        floor, floor_port = start_gunicorn("floorapp:app", folder,
                                           {"FLOOR_DATABASE": str(folder / "b.db")},
                                           folder / "floor.log", workers=WORKERS,
                                           threads=THREADS, probe="/quizzes?user=0")
        servers.append(floor)
        env = {f"LAWLEARN_{key}": value for key, value in lawlearn_config(folder).items()}
        lawlearn, port = start_gunicorn("wsgi:app", ROOT, env, folder / "lawlearn.log",
                                        workers=WORKERS, threads=THREADS, probe="/login")
        servers.append(lawlearn)
        users, password, quiz_id = office["users"], office["password"], office["quiz"]
        tokens = [api_headers(port, name, password) for _id, name in users]
        cookies = [page_headers(port, name, password) for _id, name in users]
        floor_list = [(f"/quizzes?user={uid}", {}) for uid, _name in users]
        floor_quiz = [(f"/quizzes/{quiz_id}?user={uid}", {}) for uid, _name in users]
        runs = [
            ("GET /api/v1/quizzes", [("/api/v1/quizzes", h) for h in tokens], floor_list),
            ("quiz list page GET /quizzes", [("/quizzes", c) for c in cookies], floor_list),
            ("quiz page GET /quizzes/<id>", [(f"/quizzes/{quiz_id}", c) for c in cookies],
             floor_quiz),
        ]
        failed = []
        setting = (f"gunicorn {WORKERS} workers x {THREADS} threads, {CLIENTS} callers, median "
                   f"of {ROUNDS} rounds")
        for name, calls, floor_calls in runs:
            base, ours = compare(floor_port, floor_calls, port, calls)
            figure(f"{name} requests per second ({setting}, {STAFF} staff; baseline: bare "
                   f"Flask+sqlite3 doing the same read; goal ratio ≥ {GOAL})", ours["rate"],
                   "requests/s", base["rate"])
            figure(f"{name} p95 latency (baseline: floor)", ours["p95"], "ms", base["p95"])
            if ours["errors"] or base["errors"]:
                failed.append(f"{name}: {ours['errors']} errors, floor {base['errors']}")
            if ours["rate"] < GOAL * base["rate"]:
                print(f"BELOW GOAL: {name} at {ours['rate'] / base['rate']:.2f} of the floor",
                      file=sys.stderr)
        stop(lawlearn)  # the stack's own limits, on a server of its own
        (folder / "limitsapp.py").write_text(LIMITS_APP)
        limits, limits_port = start_gunicorn("limitsapp:app", folder,
                                             {**env, "PYTHONPATH": str(ROOT)},
                                             folder / "limits.log", workers=WORKERS,
                                             threads=THREADS, probe="/login")
        servers.append(limits)
        cookies = [page_headers(limits_port, name, password) for _id, name in users]
        for name, path in (("signed-in response with nothing to read (\"ok\")",
                            "/_bench/signed-in"),
                           ("staff page with an empty body (the layout alone)",
                            "/_bench/layout")):
            base, ours = compare(floor_port, floor_list, limits_port,
                                 [(path, c) for c in cookies])
            figure(f"stack limit: {name} requests per second (baseline: the floor of the quiz "
                   f"list)", ours["rate"], "requests/s", base["rate"])
    finally:
        for server in servers:
            stop(server)
        shutil.rmtree(folder, ignore_errors=True)
    for reason in failed:
        print("FAILED:", reason, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
