"""Two app servers on one PostgreSQL database, the heavy version of
tests/scale/test_two_servers.py: 50 staff each start the quiz on one server and save their
answers (twice over) through both in turn, then check in and submit through the other one.
Figures: answer saves per second through two servers against one server with the same
workers (baseline, same run), errors, and acknowledged answers missing from the database.

Needs PostgreSQL: LAWLEARN_BENCH_DATABASE_URL (or LAWLEARN_TEST_DATABASE_URL) naming a
database on the server where fresh lawlearn_scale_* databases may be created; without one it
prints why and exits 0. Prints one JSON object per figure; exits 1 when anything is lost.

Run: LAWLEARN_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
     .venv/bin/python bench/bench_servers.py  (loopback only, about a minute)
"""

from __future__ import annotations

import itertools
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from harness import ROOT, figure

sys.path.insert(0, str(ROOT))  # the live-site helpers live with the tests

from tests.scale import live  # noqa: E402

TAKERS = 50
QUESTIONS = 20
PASSES = 2
WORKERS = 2
THREADS = 4


def run(server_count: int, base_url: str) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"bench-servers-{server_count}-"))
    try:
        with live.postgres_database(base_url) as url, live.Servers(folder) as servers:
            config = live.site_config(folder, url)
            data = live.seed(config, staff=TAKERS, questions=QUESTIONS)
            ports = [servers.start(config, workers=WORKERS, threads=THREADS)
                     for _ in range(server_count)]

            def rotation(n: int) -> list[int]:
                return ports[n % server_count:] + ports[:n % server_count]

            people = [live.start_taker(rotation(n)[0], n, name, data.quiz_id)
                      for n, name in enumerate(data.staff)]
            admin = live.bearer(ports[0], "root")
            progress = live.Progress()

            def take(taker: live.Taker) -> None:
                # The first answer goes to the other server than the one that started it.
                turn = itertools.cycle(rotation(taker.index + 1))
                live.answer(taker, lambda: next(turn), progress, passes=PASSES)

            began = time.monotonic()
            live.join(live.run_takers(people, take), timeout=600)
            seconds = time.monotonic() - began
            errors = [e for t in people for e in t.errors]
            stored = live.stored_answers(url, [t.attempt_id for t in people])
            lost = [(t.username, q) for t in people for q, value in t.acked.items()
                    if stored.get((t.attempt_id, q)) != value]
            checkins = submitted = 0
            for taker in people:
                port = rotation(taker.index + 1)[0]
                token = live.call(port, "GET", f"/api/v1/sessions/{data.session_id}/checkin-token",
                                  headers=admin).json()["token"]
                checkins += live.call(port, "POST", "/api/v1/checkins", {"token": token},
                                      taker.headers).status == 201
                submitted += live.call(port, "POST", f"/api/v1/attempts/{taker.attempt_id}/submit",
                                       headers=taker.headers).status == 200
            return {"rate": progress.count / seconds, "errors": errors, "lost": lost,
                    "checkins": checkins, "submitted": submitted,
                    "tracebacks": servers.log_text().count("Traceback")}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    base_url = os.environ.get("LAWLEARN_BENCH_DATABASE_URL") or os.environ.get(
        "LAWLEARN_TEST_DATABASE_URL")
    if not live.is_postgres(base_url):
        print("bench_servers: skipped, set LAWLEARN_BENCH_DATABASE_URL=postgresql+psycopg://…",
              file=sys.stderr)
        return 0
    one = run(1, base_url)
    two = run(2, base_url)
    setting = f"{WORKERS} workers x {THREADS} threads each, {TAKERS} takers, {os.cpu_count()} CPUs"
    figure(f"answer saves per second through 2 servers ({setting}; baseline: 1 server)",
           two["rate"], "saves/s", one["rate"])
    figure("2 servers: failed requests (answer saves)", len(two["errors"]), "errors")
    figure("2 servers: acknowledged answers missing from the database", len(two["lost"]), "answers")
    figure("2 servers: check-ins and submissions on the other server (baseline: 2 per taker)",
           two["checkins"] + two["submitted"], "requests", 2 * TAKERS)
    figure("2 servers: tracebacks in the server logs", two["tracebacks"], "tracebacks")
    failed = [f"{name}: {outcome['errors'][:3]} lost {outcome['lost'][:3]}"
              for name, outcome in (("1 server", one), ("2 servers", two))
              if outcome["errors"] or outcome["lost"] or outcome["tracebacks"]
              or outcome["checkins"] + outcome["submitted"] != 2 * TAKERS]
    for reason in failed:
        print("FAILED:", reason, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
