"""``flask --app wsgi backup PATH`` (the real command, in its own process) while staff keep
saving answers: the copy passes its integrity check and holds every answer acknowledged
before the backup began; then the documented restore brings the site back with that data.
SQLite in the suite's SQLite pass, PostgreSQL (pg_dump → pg_restore) in its PostgreSQL pass.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.scale import live
from tests.scale.scenarios import (
    backup_during_answers,
    check_restored_site,
    check_sqlite_copy,
    restore_sqlite,
)

TAKERS = 8
QUESTIONS = 15


@pytest.mark.skipif(live.is_postgres(live.TEST_DATABASE_URL),
                    reason="the SQLite backup; the suite's PostgreSQL pass tests pg_dump")
def test_sqlite_backup_while_answering_then_restore(site_database, servers, tmp_path):
    outcome = backup_during_answers(servers, site_database, tmp_path, takers=TAKERS,
                                    questions=QUESTIONS)
    assert outcome["acked_during"] > 0  # the staff went on answering while it ran
    check_sqlite_copy(outcome["target"])
    restored = restore_sqlite(site_database, outcome["target"], tmp_path)
    check_restored_site(servers, restored, outcome)


@pytest.mark.skipif(not live.is_postgres(live.TEST_DATABASE_URL),
                    reason="pg_dump needs the suite to run on PostgreSQL")
@pytest.mark.skipif(not shutil.which("pg_dump") or not shutil.which("pg_restore"),
                    reason="pg_dump/pg_restore (the PostgreSQL client) are not on PATH")
def test_postgresql_backup_while_answering_then_restore(site_database, servers, tmp_path):
    outcome = backup_during_answers(servers, site_database, tmp_path, takers=TAKERS,
                                    questions=QUESTIONS)
    assert outcome["acked_during"] > 0
    target = outcome["target"]
    listed = subprocess.run(["pg_restore", "--list", str(target)], capture_output=True, text=True,
                            check=False)
    assert listed.returncode == 0 and "TABLE DATA public attempt_item" in listed.stdout
    with live.postgres_database(live.TEST_DATABASE_URL) as restored:
        live.pg_restore(target, restored)
        try:
            check_restored_site(servers, restored, outcome)
        finally:
            servers.stop_all()  # before the restored database is dropped


@pytest.mark.skipif(not live.is_postgres(live.TEST_DATABASE_URL),
                    reason="the PostgreSQL branch of the backup command")
def test_postgresql_backup_without_pg_dump_fails_and_says_how(runner, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump there
    target = tmp_path / "lawlearn.dump"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code != 0  # a cron job must notice that nothing was backed up
    assert "pg_dump --format=custom" in result.output and not target.exists()


def test_a_backup_path_that_cannot_be_written_is_one_line_not_a_traceback(runner, tmp_path):
    """A typo'd or unwritable folder (a file where a folder should be, /proc) printed a
    Python traceback; cron mails the line and the exit status."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file")
    target = blocker / "lawlearn.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 1 and not target.exists()
    assert f"cannot write {target}" in result.output and "Traceback" not in result.output
