"""The fault scenarios, run small by tests/scale and large by bench/bench_faults.py: each
starts its own servers (through ``servers``, which stops them whatever happens) and returns
what happened."""

from __future__ import annotations

import shutil
import sqlite3
import threading
import time
from pathlib import Path

from bench.harness import kill
from tests.scale import live
from tests.scale.browser import Browser


def kill_mid_quiz(servers, database_url: str, folder, *, takers: int, questions: int) -> dict:
    """Start a server, let ``takers`` answer concurrently, SIGKILL it half-way through the
    answers, restart it and resume every attempt. Returns what happened, for the figures."""
    config = live.site_config(folder, database_url)
    data = live.seed(config, staff=takers, questions=questions)
    port = servers.start(config)
    people = [live.start_taker(port, n, name, data.quiz_id) for n, name in enumerate(data.staff)]
    progress = live.Progress()
    threads = live.run_takers(people, live.answer, lambda: port, progress)
    total = takers * questions
    assert progress.wait_for(total // 2, 180, threads), (
        [t.errors for t in people if t.errors][:3], servers.log_text()[-2000:])
    kill(servers.last())
    live.join(threads)
    acked_at_kill = sum(len(t.acked) for t in people)

    stored = live.stored_answers(database_url, [t.attempt_id for t in people])
    lost = [(t.username, q) for t in people for q, value in t.acked.items()
            if stored.get((t.attempt_id, q)) != value]

    began = time.monotonic()
    port = servers.start(config)
    restart = time.monotonic() - began
    results = [live.resume_and_submit(port, t, data.quiz_id) for t in people]
    return {"people": people, "acked": acked_at_kill, "total": total, "lost": lost,
            "results": results, "stored": len(stored), "restart_seconds": restart,
            "resume_seconds": time.monotonic() - began - restart}


def write_storm(servers, folder, *, staff: int, questions: int) -> dict:
    """Every person logs in, starts the quiz, saves every answer and checks in, all people at
    once (released together) against one server of 2 workers x 4 threads on SQLite."""
    database_url = f"sqlite:///{folder / 'storm.db'}"
    config = live.site_config(folder, database_url)
    data = live.seed(config, staff=staff, questions=questions)
    port = servers.start(config, workers=2, threads=4)
    admin = live.bearer(port, "root")
    barrier = threading.Barrier(staff)
    progress = live.Progress()
    people: list = [None] * staff
    failures: list[str] = []
    statuses: list[int] = []

    def person(n: int) -> None:
        try:
            barrier.wait(timeout=120)
            taker = people[n] = live.start_taker(port, n, data.staff[n], data.quiz_id)
            live.answer(taker, lambda: port, progress)
            failures.extend(taker.errors)
            # A fresh code, as the projector shows: one is good for 10 to 20 seconds.
            checkin = live.call(port, "GET", f"/api/v1/sessions/{data.session_id}/checkin-token",
                                headers=admin).json()["token"]
            reply = live.call(port, "POST", "/api/v1/checkins", {"token": checkin}, taker.headers)
            statuses.append(reply.status)
            if reply.status != 201:
                failures.append(f"check-in {reply.status} {reply.text[:200]}")
        except Exception as error:  # noqa: BLE001  (reported by the test)
            failures.append(repr(error))

    threads = [threading.Thread(target=person, args=(n,), daemon=True) for n in range(staff)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    live.join(threads, timeout=600)
    seconds = time.monotonic() - began
    attempts = [t.attempt_id for t in people if t is not None]
    return {"failures": failures, "saves": progress.count, "seconds": seconds,
            "checkins": statuses.count(201), "people": people, "log": servers.log_text(),
            "stored": live.stored_answers(database_url, attempts)}


def backup_during_answers(servers, database_url: str, folder: Path, *, takers: int,
                          questions: int) -> dict:
    """Takers answer (and keep re-saving) while the backup command runs; returns the backup,
    the answers acknowledged before it began and the takers, with timings."""
    config = live.site_config(folder, database_url)
    data = live.seed(config, staff=takers, questions=questions)
    port = servers.start(config)
    people = [live.start_taker(port, n, name, data.quiz_id) for n, name in enumerate(data.staff)]
    progress, until = live.Progress(), threading.Event()
    threads = live.run_takers(people, live.answer, lambda: port, progress, until=until)
    try:
        assert progress.wait_for(takers * questions // 3, 180, threads), (
            [t.errors for t in people if t.errors][:3], servers.log_text()[-2000:])
        # dict() copies at once, while the takers go on adding answers.
        before = {(t.attempt_id, q): value for t in people for q, value in dict(t.acked).items()}
        acked_before = progress.count
        target = folder / "backups" / ("lawlearn.dump" if live.is_postgres(database_url)
                                       else "lawlearn.db")
        began = time.monotonic()
        done = live.flask(config, "backup", str(target))
        seconds = time.monotonic() - began
        acked_during = progress.count - acked_before
    finally:
        until.set()
        live.join(threads)
    assert done.returncode == 0, done.stdout + done.stderr
    assert all(not t.errors for t in people), [t.errors for t in people]
    servers.stop_all()
    return {"config": config, "data": data, "people": people, "before": before,
            "target": target, "seconds": seconds, "acked_during": acked_during}


def check_sqlite_copy(target: Path) -> None:
    with sqlite3.connect(f"file:{target}?mode=ro", uri=True) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert not Path(f"{target}-wal").exists()  # one self-contained file


def restore_sqlite(database_url: str, target: Path, folder: Path) -> str:
    """The README's restore: servers stopped, the database and its -wal/-shm moved aside, the
    backup copied in their place."""
    database = Path(database_url.removeprefix("sqlite:///"))
    aside = folder / "replaced"
    aside.mkdir()
    for suffix in ("", "-wal", "-shm"):
        old = Path(f"{database}{suffix}")
        if old.exists():
            old.rename(aside / old.name)
    shutil.copy2(target, database)
    return database_url


def check_restored_site(servers, restored_url: str, outcome: dict) -> None:
    """Start the site on the restored database: log in through the form, see one's answers;
    every answer acknowledged before the backup is there and every attempt can be finished."""
    config = {**outcome["config"], "DATABASE_URL": restored_url}
    port = servers.start(config)
    people, before = outcome["people"], outcome["before"]
    stored = live.stored_answers(restored_url, [t.attempt_id for t in people])
    missing = {key: value for key, value in before.items() if stored.get(key) != value}
    assert missing == {}
    browser = Browser()
    browser.login(port, people[0].username)
    page = browser.request(port, "GET", f"/api/v1/attempts/{people[0].attempt_id}").json()
    mine = {(people[0].attempt_id, int(q)): value for q, value in page["answers"].items()}
    assert {k: v for k, v in before.items() if k[0] == people[0].attempt_id}.items() <= mine.items()
    for taker in people:
        taker.acked = {q: v for (a, q), v in before.items() if a == taker.attempt_id}
        attempt = live.resume_and_submit(port, taker, outcome["data"].quiz_id)
        assert attempt["result"]["score"] == live.expected_score(taker, attempt)


