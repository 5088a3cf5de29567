"""Fault benchmarks, the heavy versions of tests/scale (same scenarios, more people):

- SIGKILL of the whole app server (arbiter and workers) half-way through 50 staff answering
  a 20-question quiz: acknowledged answers lost (must be 0), attempts that resume (must be
  all), time to restart and to finish every attempt;
- SQLite under a write storm from 2 workers x 4 threads: 100 people logging in, starting the
  quiz, saving 20 answers each and checking in, all at once: errors (must be 0);
- ``flask --app wsgi backup`` while 50 staff keep saving answers: answers acknowledged before
  the backup that the copy lacks (must be 0), its integrity check, then a restore.

The database is SQLite, or fresh PostgreSQL databases on the server of
LAWLEARN_BENCH_DATABASE_URL (postgresql+psycopg://…) for the kill and backup scenarios.
Prints one JSON object per figure; exits 1 when a requirement is missed.

Run: .venv/bin/python bench/bench_faults.py  (loopback only, about 2 minutes)
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from harness import ROOT, figure

sys.path.insert(0, str(ROOT))  # the scenarios live with the tests that run them small

from tests.scale import live, scenarios  # noqa: E402

TAKERS = 50
QUESTIONS = 20
STORM_STAFF = 100
DATABASE_URL = os.environ.get("LAWLEARN_BENCH_DATABASE_URL")


def sigkill(folder: Path, failed: list[str]) -> None:
    with live.own_database(folder, DATABASE_URL) as url, live.Servers(folder) as servers:
        outcome = scenarios.kill_mid_quiz(servers, url, folder, takers=TAKERS,
                                          questions=QUESTIONS)
    kind = "PostgreSQL" if live.is_postgres(url) else "SQLite"
    people = outcome["people"]
    resumed = sum(1 for taker, attempt in zip(people, outcome["results"], strict=True)
                  if attempt["submitted"]
                  and attempt["result"]["score"] == live.expected_score(taker, attempt))
    figure(f"SIGKILL mid-quiz ({kind}, {TAKERS} takers x {QUESTIONS} questions): answers "
           f"acknowledged before the kill (baseline: all answers)", outcome["acked"], "answers",
           outcome["total"])
    figure("SIGKILL mid-quiz: acknowledged answers missing after the kill", len(outcome["lost"]),
           "answers")
    figure("SIGKILL mid-quiz: attempts resumed and submitted with the right score (baseline: "
           "takers)", resumed, "attempts", TAKERS)
    figure("SIGKILL mid-quiz: restart until the server answers", outcome["restart_seconds"], "s")
    figure(f"SIGKILL mid-quiz: resuming and finishing all {TAKERS} attempts",
           outcome["resume_seconds"], "s")
    if outcome["lost"]:
        failed.append(f"lost answers after SIGKILL: {outcome['lost'][:5]}")
    if resumed != TAKERS:
        failed.append(f"only {resumed} of {TAKERS} attempts resumed")


def storm(folder: Path, failed: list[str]) -> None:
    with live.Servers(folder) as servers:
        outcome = scenarios.write_storm(servers, folder, staff=STORM_STAFF, questions=QUESTIONS)
    writes = outcome["saves"] + outcome["checkins"] + 2 * STORM_STAFF  # + logins, quiz starts
    figure(f"SQLite write storm ({STORM_STAFF} people at once, 2 workers x 4 threads): errors "
           f"(baseline: requests)", len(outcome["failures"]), "errors",
           writes + STORM_STAFF)  # + one check-in code fetch each
    figure("SQLite write storm: writes per second", writes / outcome["seconds"], "writes/s")
    locked = outcome["log"].count("database is locked")
    figure("SQLite write storm: 'database is locked' in the server log", locked, "lines")
    if outcome["failures"] or locked:
        failed.append(f"write storm: {outcome['failures'][:5]}, {locked} locked")
    if len(outcome["stored"]) != STORM_STAFF * QUESTIONS:
        failed.append(f"write storm stored {len(outcome['stored'])} answers")


def backup(folder: Path, failed: list[str]) -> None:
    with live.own_database(folder, DATABASE_URL) as url, live.Servers(folder) as servers:
        outcome = scenarios.backup_during_answers(servers, url, folder, takers=TAKERS,
                                                  questions=QUESTIONS)
        kind = "PostgreSQL, pg_dump" if live.is_postgres(url) else "SQLite"
        target = outcome["target"]
        if live.is_postgres(url):
            with live.postgres_database(url) as restored:
                live.pg_restore(target, restored)
                stored = live.stored_answers(restored, [t.attempt_id for t in outcome["people"]])
        else:
            scenarios.check_sqlite_copy(target)
            stored = live.stored_answers(f"sqlite:///{target}",
                                         [t.attempt_id for t in outcome["people"]])
    missing = [key for key, value in outcome["before"].items() if stored.get(key) != value]
    figure(f"backup while {TAKERS} staff answer ({kind}): seconds for the command",
           outcome["seconds"], "s")
    figure("backup: answers saved while the command ran", outcome["acked_during"], "answers")
    figure("backup: answers acknowledged before it began that the copy lacks (baseline: "
           "answers before it began)", len(missing), "answers", len(outcome["before"]))
    figure("backup: size", target.stat().st_size / 1024, "KiB")
    if missing:
        failed.append(f"the backup lacks {len(missing)} answers")


def main() -> int:
    failed: list[str] = []
    for scenario in (sigkill, storm, backup):
        folder = Path(tempfile.mkdtemp(prefix=f"bench-faults-{scenario.__name__}-"))
        try:
            scenario(folder, failed)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    for reason in failed:
        print("FAILED:", reason, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
