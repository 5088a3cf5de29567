"""Commands that span domains: ``demo load`` and ``backup``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy.engine import make_url

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
    from lawlearn.demo import demo_loaded, demo_password, load_demo

    if demo_loaded():
        message = {"loaded": False, "reason": "accounts already exist"}
        if staff is None:
            click.echo(json.dumps(message) if as_json else
                       "Demo not loaded: the database already has accounts.")
            return
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
        raise click.ClickException(str(error)) from None
    db.session.commit()
    return counts


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path):
    """Write a consistent copy of the SQLite database to PATH (online, no downtime)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        click.echo("PostgreSQL: back up with pg_dump, e.g.\n"
                   f"  pg_dump --format=custom --file={path} '{dsn}'\n"
                   f"and restore with pg_restore --clean --dbname=... {path}")
        return
    if path.exists():
        raise click.ClickException(f"{path} already exists; choose a new file.")
    path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(url.database)
    target = sqlite3.connect(path)
    try:
        # SQLite's backup API copies a consistent snapshot while others keep writing.
        source.backup(target)
    finally:
        target.close()
        source.close()
    click.echo(f"Backed up {url.database} to {path}.")
