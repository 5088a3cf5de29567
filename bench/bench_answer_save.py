"""Answer-save benchmark: 50 takers saving answers through the JSON API under gunicorn
(2 workers), against a floor taken in the same run: a bare Flask + sqlite3 app whose
endpoint does one UPDATE of one row in a WAL-mode SQLite file, served the same way.
Also counts the SQL statements one answer save issues (in-process, test client); the
issue asks for one small write. Prints one JSON object per figure.

Run: .venv/bin/python bench/bench_answer_save.py  (loopback only, about 40 s)
"""

from __future__ import annotations

import http.client
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness import ROOT, figure, lawlearn_config, start_gunicorn, stop
from sqlalchemy import event

from lawlearn import create_app
from lawlearn.accounts.services import UserFields, create_user
from lawlearn.extensions import db
from lawlearn.quiz.authoring import QuizFields, create_quiz
from lawlearn.quiz.bank import QuestionFields, create_question

TAKERS = 50
QUESTIONS = 50
WORKERS = 2
THREADS = 4  # gthread workers, the same for lawlearn and the floor
WARMUP = 2.0  # seconds of load before the measured window (second worker booting, caches)
DURATION = 10.0  # measured window, seconds
PASSWORD = "bench-password"
WRITE_VERBS = ("UPDATE", "INSERT", "DELETE")

FLOOR_APP = '''\
"""The floor: bare Flask + sqlite3, one UPDATE of one row per request."""
import json
import os
import sqlite3
import threading
from datetime import UTC, datetime

from flask import Flask, jsonify, request

app = Flask(__name__)
DATABASE = os.environ["FLOOR_DATABASE"]
local = threading.local()


def connection():
    conn = getattr(local, "conn", None)
    if conn is None:
        conn = sqlite3.connect(DATABASE)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA busy_timeout=10000")
        local.conn = conn
    return conn


@app.put("/items/<int:item_id>")
def save(item_id):
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "answer" not in body:
        return jsonify(error="invalid_json"), 400
    now = datetime.now(UTC).replace(tzinfo=None)
    conn = connection()
    conn.execute("UPDATE answers SET response = ?, answered_at = ? WHERE id = ?",
                 (json.dumps(body["answer"]), now.isoformat(" "), item_id))
    conn.commit()
    return jsonify(item_id=item_id, answer=body["answer"], saved_at=now.isoformat() + "Z")
'''


# --- setup ----------------------------------------------------------------------------

def set_up_lawlearn(folder: Path) -> tuple[int, dict[str, float]]:
    """Schema and data for the run; returns the quiz id and the SQL counts per answer save."""
    app = create_app({**lawlearn_config(folder), "WTF_CSRF_ENABLED": False})
    with app.app_context():
        db.create_all()
        for n in range(TAKERS + 1):  # the extra user is the in-process probe
            create_user(None, f"taker{n}", PASSWORD, UserFields(f"考生{n}", None, {"staff"}),
                        must_change_password=False)
        questions = [create_question(None, QuestionFields("true_false", f"题{i}", [], True, "",
                                                          [], "easy"))
                     for i in range(QUESTIONS)]
        quiz = create_quiz(None, QuizFields(title="bench", question_ids=[q.id for q in questions],
                                            attempts_allowed=None), published=True)
        db.session.commit()
        quiz_id = quiz.id
        engine = db.engine
    try:
        return quiz_id, count_statements(app, engine, quiz_id)
    finally:
        with app.app_context():
            db.engine.dispose()


def count_statements(app, engine, quiz_id: int, saves: int = 10) -> dict[str, float]:
    """Statements per PUT of an answer, through the Flask test client on the app's engine."""
    client = app.test_client()
    reply = client.post("/api/v1/auth/token", json={"username": f"taker{TAKERS}",
                                                     "password": PASSWORD})
    assert reply.status_code == 201, reply.get_data(as_text=True)
    headers = {"Authorization": f"Bearer {reply.get_json()['token']}"}
    reply = client.post(f"/api/v1/quizzes/{quiz_id}/attempts", headers=headers)
    assert reply.status_code == 201, reply.get_data(as_text=True)
    attempt = reply.get_json()
    paths = [f"/api/v1/attempts/{attempt['id']}/answers/{q['id']}" for q in attempt["questions"]]
    assert client.put(paths[0], json={"answer": False}, headers=headers).status_code == 200
    statements: list[str] = []

    def listener(_conn, _cursor, statement, *_rest) -> None:
        statements.append(statement)

    reads, writes = [], []
    for i in range(saves):
        statements.clear()
        event.listen(engine, "before_cursor_execute", listener)
        try:
            reply = client.put(paths[i % len(paths)], json={"answer": i % 2 == 0}, headers=headers)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        assert reply.status_code == 200, reply.get_data(as_text=True)
        written = [s for s in statements if s.lstrip().upper().startswith(WRITE_VERBS)]
        writes.append(len(written))
        reads.append(len(statements) - len(written))
        if i == 0:
            for statement in written:
                print("write:", " ".join(statement.split()), file=sys.stderr)
    return {"reads": statistics.mean(reads), "writes": statistics.mean(writes),
            "max_writes": max(writes)}


def set_up_floor(folder: Path) -> Path:
    (folder / "floorapp.py").write_text(FLOOR_APP)
    path = folder / "floor.db"
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("CREATE TABLE answers (id INTEGER PRIMARY KEY, response TEXT, "
                     "answered_at TEXT)")
        conn.executemany("INSERT INTO answers (id) VALUES (?)",
                         [(n,) for n in range(1, TAKERS * QUESTIONS + 1)])
        conn.commit()
    finally:
        conn.close()
    return path


# --- gunicorn -------------------------------------------------------------------------

# --- load -----------------------------------------------------------------------------

@dataclass
class Taker:
    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    errors: int = 0
    messages: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        self.errors += 1
        if len(self.messages) < 3:
            self.messages.append(message)


def call(conn: http.client.HTTPConnection, method: str, path: str, body: object | None,
         headers: dict[str, str]) -> tuple[int, bytes]:
    data = json.dumps(body).encode() if body is not None else None
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def lawlearn_prepare(quiz_id: int, n: int):
    def prepare(conn: http.client.HTTPConnection) -> tuple[dict[str, str], list[str]]:
        json_header = {"Content-Type": "application/json"}
        status, data = call(conn, "POST", "/api/v1/auth/token",
                            {"username": f"taker{n}", "password": PASSWORD}, json_header)
        if status != 201:
            raise RuntimeError(f"token: {status} {data[:200]!r}")
        headers = {**json_header, "Authorization": f"Bearer {json.loads(data)['token']}"}
        status, data = call(conn, "POST", f"/api/v1/quizzes/{quiz_id}/attempts", None, headers)
        if status != 201:
            raise RuntimeError(f"start attempt: {status} {data[:200]!r}")
        attempt = json.loads(data)
        return headers, [f"/api/v1/attempts/{attempt['id']}/answers/{q['id']}"
                         for q in attempt["questions"]]
    return prepare


def floor_prepare(n: int):
    def prepare(_conn: http.client.HTTPConnection) -> tuple[dict[str, str], list[str]]:
        return ({"Content-Type": "application/json"},
                [f"/items/{n * QUESTIONS + q + 1}" for q in range(QUESTIONS)])
    return prepare


def take(port: int, prepare, barrier: threading.Barrier, window: list[float], result: Taker) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        try:
            headers, paths = prepare(conn)
        except Exception as error:  # noqa: BLE001  (reported, and the run is aborted)
            result.error(f"setup: {error!r}")
            barrier.abort()
            return
        try:
            barrier.wait(timeout=60)
        except threading.BrokenBarrierError:
            return
        start, end = window
        i = 0
        while (began := time.perf_counter()) < end:
            path = paths[i % len(paths)]
            answer = (i + i // len(paths)) % 2 == 0  # alternate, and flip on every pass
            i += 1
            try:
                status, data = call(conn, "PUT", path, {"answer": answer}, headers)
            except (OSError, http.client.HTTPException) as error:
                conn.close()  # reconnects on the next request
                if began >= start:
                    result.error(f"{path}: {error!r}")
                continue
            done = time.perf_counter()
            if began < start or done > end:
                continue  # warm-up, or finished after the window
            if status == 200:
                result.ok += 1
                result.latencies.append(done - began)
            else:
                result.error(f"{path}: {status} {data[:200]!r}")
    finally:
        conn.close()


def run_load(port: int, prepares: list) -> dict[str, float]:
    window = [0.0, 0.0]

    def open_window() -> None:
        window[0] = time.perf_counter() + WARMUP
        window[1] = window[0] + DURATION

    barrier = threading.Barrier(len(prepares), action=open_window)
    results = [Taker() for _ in prepares]
    threads = [threading.Thread(target=take, args=(port, prepare, barrier, window, result),
                                daemon=True)
               for prepare, result in zip(prepares, results, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90 + WARMUP + DURATION)
    if any(thread.is_alive() for thread in threads):
        raise RuntimeError("takers did not finish in time")
    messages = [m for r in results for m in r.messages]
    if messages:
        print("errors (first few):", *messages[:5], sep="\n  ", file=sys.stderr)
    latencies = sorted(x for r in results for x in r.latencies)
    if len(latencies) < 2:
        raise RuntimeError(f"no measurements: {messages[:3]}")
    cuts = statistics.quantiles(latencies, n=100)
    return {"rate": sum(r.ok for r in results) / DURATION, "p50": cuts[49] * 1000,
            "p95": cuts[94] * 1000, "errors": sum(r.errors for r in results),
            "count": sum(r.ok for r in results)}


def measure(app: str, cwd: Path, env: dict[str, str], log: Path, prepares: list) -> dict[str, float]:
    proc, port = start_gunicorn(app, cwd, env, log, workers=WORKERS, threads=THREADS)
    try:
        return run_load(port, prepares)
    finally:
        stop(proc)


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="bench-answer-save-"))
    try:
        quiz_id, sql = set_up_lawlearn(folder)
        floor_db = set_up_floor(folder)
        floor = measure("floorapp:app", folder, {"FLOOR_DATABASE": str(floor_db)},
                        folder / "floor.log", [floor_prepare(n) for n in range(TAKERS)])
        env = {f"LAWLEARN_{key}": value for key, value in lawlearn_config(folder).items()}
        saves = measure("wsgi:app", ROOT, env, folder / "lawlearn.log",
                        [lawlearn_prepare(quiz_id, n) for n in range(TAKERS)])
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    setting = f"gunicorn {WORKERS} workers x {THREADS} threads, {TAKERS} takers"
    figure(f"answer saves per second ({setting}; baseline: bare Flask+sqlite3 UPDATE)",
           saves["rate"], "saves/s", floor["rate"])
    figure("answer save p50 latency (baseline: floor)", saves["p50"], "ms", floor["p50"])
    figure("answer save p95 latency (baseline: floor)", saves["p95"], "ms", floor["p95"])
    figure(f"answer save errors ({saves['count']:.0f} saves in {DURATION:.0f} s; "
           f"baseline: floor errors)", saves["errors"], "errors", floor["errors"])
    figure("SQL writes per answer save (baseline: the floor's one UPDATE)", sql["writes"],
           "statements", 1)
    figure("SQL reads per answer save", sql["reads"], "statements")
    failed = []
    if saves["errors"] or floor["errors"]:
        failed.append(f"errors: lawlearn {saves['errors']}, floor {floor['errors']}")
    if sql["max_writes"] != 1:
        failed.append(f"an answer save issued {sql['max_writes']} writes, not 1")
    for reason in failed:
        print("FAILED:", reason, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
