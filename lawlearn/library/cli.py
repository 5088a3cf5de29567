"""``flask law ...``: import and list statutes from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from lawlearn.errors import DomainError, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library import services
from lawlearn.library.parsing import parse_law

law_cli = AppGroup("law", help="Statutes in the library.")


@law_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--title", default=None, help="Title to use instead of the one in the text.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--force", is_flag=True,
              help="Replace the current version even with a much shorter text.")
def import_law_command(path: Path, title, as_json, force):
    """Import a statute from .docx, .txt or .md (a new version if already present). A text
    with far fewer articles than the current version (one book of a code, say) is refused
    without --force."""
    data = path.read_bytes()
    try:
        parsed = parse_law(data, title)
        dropped = services.articles_dropped(services.current_version(parsed.title), parsed)
        if dropped and not force:
            raise ValidationFailed(_(
                "新文本只有 %(n)d 条，比现行版本少 %(drop)d 条，未导入。如果这只是其中一编或一章，"
                "请改用全文；确要以它取代现行版本，请加 --force。", n=len(parsed.articles),
                drop=dropped), code="much_shorter")
        law = services.import_law(None, data, title=title, source_name=path.name, parsed=parsed)
    except DomainError as error:
        db.session.rollback()
        if as_json:
            click.echo(json.dumps({"error": error.code, "message": error.message},
                                  ensure_ascii=False))
        else:
            click.echo(error.message, err=True)
        sys.exit(1)
    db.session.commit()
    summary = services.import_summary(law, parsed)
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
    else:
        click.echo(f"Imported {law.title} (version {law.version}): {summary['parts']} 编, "
                   f"{summary['subparts']} 分编, {summary['chapters']} 章, "
                   f"{summary['sections']} 节, {summary['articles']} 条.")


@law_cli.command("list")
@click.option("--json", "as_json", is_flag=True)
@click.option("--all", "include_old", is_flag=True, help="Include superseded versions.")
def list_laws_command(as_json, include_old):
    """List the statutes with their article counts."""
    laws = services.list_laws(include_old=include_old)
    rows = [{"law_id": law.id, "title": law.title, "short_title": law.short_title,
             "category": law.category, "status": law.status, "version": law.version,
             "current": law.is_current, "articles": law.article_count} for law in laws]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['law_id']}\t{row['title']}\tv{row['version']}\t{row['articles']} 条")
