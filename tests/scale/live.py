"""Live sites for the scale and fault tests, shared with bench/bench_faults.py and
bench/bench_servers.py: a database of their own, gunicorn servers configured through
``LAWLEARN_*`` variables as in production, plain HTTP clients, and quiz takers."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from bench.harness import HASH_METHOD, ROOT, start_gunicorn, stop
from bench.harness import server_env as clean_env

PASSWORD = "scale-password-1"
TEST_DATABASE_URL = os.environ.get("LAWLEARN_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("LAWLEARN_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
TIMEOUT = 60  # seconds per request: other test runs may share this machine


# --- databases ---------------------------------------------------------------------------


def is_postgres(url: str | None) -> bool:
    return bool(url) and make_url(url).get_backend_name() == "postgresql"


def _maintenance_dsn(url: str) -> str:
    return (make_url(url).set(drivername="postgresql", database="postgres")
            .render_as_string(hide_password=False))


@contextmanager
def postgres_database(url: str) -> Iterator[str]:
    """A new, empty ``lawlearn_scale_*`` database on the server of ``url``; dropped after."""
    import psycopg
    from psycopg import sql

    name = f"lawlearn_scale_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_maintenance_dsn(url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_maintenance_dsn(url), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                         .format(sql.Identifier(name)))


@contextmanager
def own_database(folder: Path, suite_url: str | None = TEST_DATABASE_URL) -> Iterator[str]:
    """The kind of database the suite runs on: a fresh PostgreSQL database on the suite's
    server, or a SQLite file in ``folder``."""
    if is_postgres(suite_url):
        with postgres_database(suite_url) as url:
            yield url
    else:
        yield f"sqlite:///{folder / 'site.db'}"


def site_config(folder: Path, database_url: str, **extra: str) -> dict[str, str]:
    """One site's settings; every server of the site gets the same ones."""
    return {"DATABASE_URL": database_url, "SECRET_KEY": "scale-secret-shared-by-servers",
            "UPLOAD_FOLDER": str(folder / "uploads"), "PASSWORD_HASH_METHOD": HASH_METHOD,
            "LOGIN_RATE_LIMIT": "100000 per minute", **extra}


def server_env(config: dict[str, str]) -> dict[str, str]:
    return {f"LAWLEARN_{key}": value for key, value in config.items()}


def flask(config: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """``flask --app wsgi ARGS`` in its own process, configured like the site's servers."""
    return subprocess.run([str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", *args],
                          cwd=ROOT, env=clean_env(server_env(config)), capture_output=True,
                          text=True, timeout=timeout, check=False)


def pg_restore(dump: Path, database_url: str) -> None:
    """The README's PostgreSQL restore: pg_restore of a custom-format dump into an empty
    database (the site is then pointed at it)."""
    from lawlearn.cli import libpq_dsn

    url = make_url(database_url)
    dsn = libpq_dsn(url)
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    done = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={dsn}",
                           str(dump)], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@dataclass
class Seed:
    quiz_id: int
    session_id: int
    material_id: int
    staff: list[str]
    question_ids: list[int]


def seed(config: dict[str, str], *, staff: int, questions: int) -> Seed:
    """Schema and data, in this process: ``staff`` accounts, an admin ``root``, a quiz of
    true/false questions (all true), a session open for check-in and an unpublished
    material."""
    from lawlearn import create_app
    from lawlearn.accounts.services import UserFields, create_user
    from lawlearn.database import utcnow
    from lawlearn.extensions import db
    from lawlearn.library.materials import MaterialFields, create_material
    from lawlearn.quiz.authoring import QuizFields, create_quiz
    from lawlearn.quiz.bank import QuestionFields, create_question
    from lawlearn.sessions import services
    from lawlearn.sessions.models import SessionKind

    app = create_app(dict(config))
    with app.app_context():
        try:
            db.create_all()
            names = [f"staff{n:03d}" for n in range(staff)]
            for name in names:
                create_user(None, name, PASSWORD, UserFields(f"职工{name[5:]}", None, {"staff"}),
                            must_change_password=False)
            create_user(None, "root", PASSWORD, UserFields("管理员", None, {"admin", "staff"}),
                        must_change_password=False)
            bank = [create_question(None, QuestionFields("true_false", f"判断题{i}", [], True,
                                                         "", [], "easy"))
                    for i in range(questions)]
            quiz = create_quiz(None, QuizFields(
                title="年度学法考试", question_ids=[q.id for q in bank], attempts_allowed=None,
                opens_at=utcnow() - timedelta(hours=1)), published=True)
            kind = SessionKind(name="集中学法")
            db.session.add(kind)
            db.session.flush()
            start = utcnow() + timedelta(minutes=5)
            session = services.create_sessions(None, services.SessionFields(
                title="全员集中学法", kind_id=kind.id, starts_at=start,
                ends_at=start + timedelta(hours=2)))[0]
            material = create_material(None, MaterialFields(title="宪法学习资料", kind="attachment"))
            db.session.commit()
            return Seed(quiz.id, session.id, material.id, names, [q.id for q in bank])
        finally:
            db.session.remove()
            db.engine.dispose()


def stored_answers(database_url: str, attempt_ids: list[int]) -> dict[tuple[int, int], Any]:
    """(attempt id, question id) → the answer in the database, read directly."""
    from lawlearn.quiz.models import AttemptItem

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(AttemptItem.attempt_id, AttemptItem.question_id,
                                       AttemptItem.response)
                                .where(AttemptItem.attempt_id.in_(attempt_ids),
                                       AttemptItem.response.is_not(None)))
            return {(a, q): response for a, q, response in rows}
    finally:
        engine.dispose()


# --- servers -----------------------------------------------------------------------------


class Servers:
    """gunicorn servers of one test; every one is stopped (its process group killed) when
    the ``with`` block ends, whatever happened."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.procs: list = []
        self.logs: list[Path] = []

    def start(self, config: dict[str, str], *, workers: int = 2, threads: int = 4) -> int:
        log = self.folder / f"gunicorn-{uuid.uuid4().hex[:8]}.log"
        self.logs.append(log)
        proc, port = start_gunicorn("wsgi:app", ROOT, server_env(config), log, workers=workers,
                                    threads=threads, probe="/login")
        self.procs.append(proc)
        return port

    def last(self):
        return self.procs[-1]

    def log_text(self) -> str:
        return "\n".join(log.read_text(errors="replace") for log in self.logs if log.exists())

    def stop_all(self) -> None:
        for proc in self.procs:
            stop(proc)

    def __enter__(self) -> Servers:
        return self

    def __exit__(self, *_exc) -> None:
        self.stop_all()


# --- HTTP ----------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    body: bytes
    headers: http.client.HTTPMessage

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def call(port: int, method: str, path: str, body: Any = None,
         headers: dict[str, str] | None = None, *, raw: bytes | None = None) -> Reply:
    """One request on a new connection (a phone on the hall's Wi-Fi does no better)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        sent = {"Content-Type": "application/json"} if body is not None else {}
        data = json.dumps(body).encode() if body is not None else raw
        conn.request(method, path, body=data, headers={**sent, **(headers or {})})
        response = conn.getresponse()
        return Reply(response.status, response.read(), response.headers)
    finally:
        conn.close()


def bearer(port: int, username: str, headers: dict[str, str] | None = None) -> dict[str, str]:
    reply = call(port, "POST", "/api/v1/auth/token",
                 {"username": username, "password": PASSWORD}, headers)
    assert reply.status == 201, (username, reply.status, reply.text[:300])
    return {"Authorization": f"Bearer {reply.json()['token']}"}


# --- quiz takers ---------------------------------------------------------------------------


def answer_for(taker_index: int, question_id: int) -> bool:
    """The answer a taker gives: fixed, so a re-save writes the same value."""
    return (taker_index + question_id) % 3 != 0


@dataclass
class Taker:
    index: int
    username: str
    headers: dict[str, str] = field(default_factory=dict)
    attempt_id: int = 0
    question_ids: list[int] = field(default_factory=list)
    acked: dict[int, Any] = field(default_factory=dict)  # question id → answer acknowledged
    errors: list[str] = field(default_factory=list)

    def answer_path(self, question_id: int) -> str:
        return f"/api/v1/attempts/{self.attempt_id}/answers/{question_id}"


def start_taker(port: int, index: int, username: str, quiz_id: int) -> Taker:
    """Log in through the API and start (or resume) the quiz."""
    taker = Taker(index, username, bearer(port, username))
    reply = call(port, "POST", f"/api/v1/quizzes/{quiz_id}/attempts", headers=taker.headers)
    assert reply.status in (200, 201), (username, reply.status, reply.text[:300])
    attempt = reply.json()
    taker.attempt_id = attempt["id"]
    taker.question_ids = [q["id"] for q in attempt["questions"]]
    return taker


class Progress:
    """Acknowledged answers so far, for a main thread waiting to act mid-way."""

    def __init__(self) -> None:
        self.count = 0
        self._cond = threading.Condition()

    def add(self) -> None:
        with self._cond:
            self.count += 1
            self._cond.notify_all()

    def wait_for(self, count: int, timeout: float,
                 threads: list[threading.Thread] | None = None) -> bool:
        """True once ``count`` answers are in; False after ``timeout``, or as soon as every
        one of ``threads`` has stopped short of it."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self.count < count:
                left = deadline - time.monotonic()
                if left <= 0 or threads is not None and not any(t.is_alive() for t in threads):
                    return False
                self._cond.wait(min(left, 0.5))
            return True


def answer(taker: Taker, port_of, progress: Progress, *, until: threading.Event | None = None,
           passes: int = 1) -> None:
    """Save the taker's answers one after another, ``passes`` times over (or, with ``until``,
    until it is set); stops at the first failure, recorded in ``taker.errors``."""
    done = 0
    while (not until.is_set()) if until is not None else done < passes:
        for question_id in taker.question_ids:
            if until is not None and until.is_set():
                return
            value = answer_for(taker.index, question_id)
            try:
                reply = call(port_of(), "PUT", taker.answer_path(question_id),
                             {"answer": value}, taker.headers)
            except (OSError, http.client.HTTPException) as error:
                taker.errors.append(f"{question_id}: {error!r}")
                return
            if not 200 <= reply.status < 300:
                taker.errors.append(f"{question_id}: {reply.status} {reply.text[:200]}")
                return
            taker.acked[question_id] = reply.json()["answer"]
            progress.add()
        done += 1


def run_takers(takers: list[Taker], target, *args, **kwargs) -> list[threading.Thread]:
    threads = [threading.Thread(target=target, args=(taker, *args), kwargs=kwargs, daemon=True)
               for taker in takers]
    for thread in threads:
        thread.start()
    return threads


def join(threads: list[threading.Thread], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    assert not any(t.is_alive() for t in threads), "clients did not finish in time"


def resume_and_submit(port: int, taker: Taker, quiz_id: int) -> dict:
    """Resume the attempt as a phone would (start again → the same attempt, 200), check the
    saved answers, answer the rest, submit; returns the attempt as the server then shows it."""
    reply = call(port, "POST", f"/api/v1/quizzes/{quiz_id}/attempts", headers=taker.headers)
    assert reply.status == 200, (taker.username, reply.status, reply.text[:300])
    attempt = reply.json()
    assert attempt["id"] == taker.attempt_id
    saved = {int(q): value for q, value in attempt["answers"].items()}
    for question_id, value in taker.acked.items():
        assert saved.get(question_id) == value, (taker.username, question_id, saved)
    for question_id in taker.question_ids:
        if question_id not in saved:
            reply = call(port, "PUT", taker.answer_path(question_id),
                         {"answer": answer_for(taker.index, question_id)}, taker.headers)
            assert reply.status == 200, (taker.username, reply.status, reply.text[:300])
    reply = call(port, "POST", f"/api/v1/attempts/{taker.attempt_id}/submit",
                 headers=taker.headers)
    assert reply.status == 200, (taker.username, reply.status, reply.text[:300])
    return call(port, "GET", f"/api/v1/attempts/{taker.attempt_id}", headers=taker.headers).json()


def expected_score(taker: Taker, attempt: dict) -> float:
    """Every question's right answer is true: the points of those answered true."""
    points = {q["id"]: q["points"] for q in attempt["questions"]}
    return sum(points[q] for q in taker.question_ids if answer_for(taker.index, q))

