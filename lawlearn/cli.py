"""Commands that span domains: ``demo load`` and ``backup``."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 - runs pg_dump only, see _backup_postgresql
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.engine import URL, make_url

from lawlearn.extensions import db

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
@click.option("--json", "as_json", is_flag=True)
@click.option("--staff", type=click.IntRange(min=1), default=None,
              help="After the demo, add generated people up to this many accounts, with a "
                   "year of activity (for benchmarks: --staff 5000).")
@click.option("--year", type=int, default=None,
              help="With --staff: the year of activity (default: this year, up to yesterday).")
def load_demo_command(as_json, staff, year):
    """Load the demo office once; does nothing if accounts already exist. With --staff N,
    then add a generated office of N accounts with a year of activity (once)."""
    from lawlearn.demo import demo_loaded, demo_password, is_demo_database, load_demo

    if demo_loaded():
        message = {"loaded": False, "reason": "accounts already exist"}
        if staff is None:
            click.echo(json.dumps(message) if as_json else
                       "Demo not loaded: the database already has accounts.")
            return
        if not is_demo_database():
            raise click.ClickException(
                "This database has accounts that are not the demo's: --staff adds generated "
                "people only to a new database or to the demo. Nothing was written.")
        counts = {}
    else:
        counts = load_demo()
        db.session.commit()
        message = {"loaded": True, **counts}
    if staff is not None:
        message["generated"] = _generate_office(staff, year)
    if as_json:
        click.echo(json.dumps(message))
        return
    if counts:
        click.echo(f"Demo loaded: {counts['departments']} departments, {counts['users']} users "
                   f"(admin, leader, lead01, staff01…staff30; password {demo_password()!r}), "
                   f"{counts['laws']} statutes, {counts['materials']} materials, "
                   f"{counts['questions']} questions, {counts['quizzes']} quizzes, "
                   f"{counts['sessions']} sessions, {counts['daily_sets']} daily practice sets, "
                   f"{counts['challenge_runs']} challenge runs, {counts['plans']} study plan, "
                   f"{counts['outreach_events']} outreach events, {counts['campaigns']} campaigns.")
    if staff is not None:
        generated = message["generated"]
        click.echo("Generated office: " + ", ".join(f"{n} {key.replace('_', ' ')}"
                                                    for key, n in generated.items()) + ".")


def _generate_office(staff: int, year: int | None) -> dict:
    """``demo load --staff N``: people up to N with a year of activity, committed once."""
    from lawlearn.database import utcnow
    from lawlearn.localtime import local_day
    from lawlearn.scale_data import already_generated, generate

    if already_generated():
        raise click.ClickException("A generated office is already in this database.")
    now = utcnow()
    if year is None:
        today = local_day(now)
        # On 1 January this year has no day over yet: use last year.
        year = today.year if today.month > 1 or today.day > 1 else today.year - 1
    try:
        counts = generate(staff, year=year, now=now)
    except ValueError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    return counts


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path):
    """Write a consistent copy of the database to PATH while the site keeps running: SQLite's
    online backup API, or pg_dump (custom format, for pg_restore) on PostgreSQL."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if path.exists():
        raise click.ClickException(f"{path} already exists; choose a new file.")
    # Written beside PATH and renamed at the end: PATH never holds half a backup.
    partial = path.with_name(f".{path.name}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        if url.get_backend_name() == "sqlite":
            source = _backup_sqlite(url.database, partial)
        else:
            source = _backup_postgresql(url, partial, path)
        partial.replace(path)
    except (OSError, sqlite3.Error) as error:
        # A folder that cannot be written (a typo, /proc, a full disk): said in a line, not
        # a traceback.
        raise click.ClickException(f"cannot write {path}: {error}") from error
    finally:
        try:
            partial.unlink(missing_ok=True)
        except OSError:
            pass  # nothing was made there
    click.echo(f"Backed up {source} to {path} ({path.stat().st_size} bytes).")


def _backup_sqlite(database: str | None, target_path: Path) -> str:
    if not database or not Path(database).is_file():
        raise click.ClickException(f"No SQLite database at {database}.")
    source = sqlite3.connect(database, timeout=30)
    target = sqlite3.connect(target_path)
    try:
        # One step (pages=-1): a consistent snapshot even while other connections write.
        source.backup(target)
        # A self-contained file (no -wal beside it); the app turns WAL on again when it opens it.
        target.execute("PRAGMA journal_mode=DELETE")
        problems = [row[0] for row in target.execute("PRAGMA integrity_check")]
    finally:
        target.close()
        source.close()
    if problems != ["ok"]:
        raise click.ClickException("The copy failed its integrity check: " + "; ".join(problems[:5]))
    return database


def libpq_dsn(url: URL) -> str:
    """The libpq URI of a SQLAlchemy PostgreSQL URL, without its password."""
    return URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                      database=url.database, query=url.query).render_as_string()


def _backup_postgresql(url: URL, target_path: Path, shown_path: Path) -> str:
    dsn = libpq_dsn(url)
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise click.ClickException(
            "pg_dump is not on PATH (install the PostgreSQL client), or back up with\n"
            f"  pg_dump --format=custom --file={shown_path} '{dsn}'")
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password  # not on the command line, where ps shows it
    # An argument list, no shell: the path and the database URL come from the admin who
    # runs the command and cannot become shell syntax.
    done = subprocess.run(  # nosec B603
        [pg_dump, "--format=custom", f"--file={target_path}", f"--dbname={dsn}"],
        env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise click.ClickException(f"pg_dump failed: {done.stderr.strip()[-2000:]}")
    return f"{url.database} (pg_dump, custom format; restore with pg_restore)"
