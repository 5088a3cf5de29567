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
def load_demo_command(as_json):
    """Load the demo office once; does nothing if accounts already exist."""
    from lawlearn.demo import demo_loaded, demo_password, load_demo

    if demo_loaded():
        message = {"loaded": False, "reason": "accounts already exist"}
        click.echo(json.dumps(message) if as_json else
                   "Demo not loaded: the database already has accounts.")
        return
    counts = load_demo()
    db.session.commit()
    if as_json:
        click.echo(json.dumps({"loaded": True, **counts}))
    else:
        click.echo(f"Demo loaded: {counts['departments']} departments, {counts['users']} users "
                   f"(admin, leader, lead01, staff01…staff30; password {demo_password()!r}), "
                   f"{counts['laws']} statutes, {counts['materials']} materials, "
                   f"{counts['questions']} questions, {counts['quizzes']} quizzes, "
                   f"{counts['sessions']} sessions, {counts['daily_sets']} daily practice sets, "
                   f"{counts['challenge_runs']} challenge runs, {counts['plans']} study plan, "
                   f"{counts['outreach_events']} outreach events, {counts['campaigns']} campaigns.")


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
