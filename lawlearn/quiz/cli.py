"""``flask questions ...``: import a question bank, export it, count what it holds."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import NoReturn

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from lawlearn.errors import DomainError
from lawlearn.extensions import db
from lawlearn.quiz import bank_export, importing
from lawlearn.quiz.bank import bank_stats, question_query
from lawlearn.quiz.models import QUESTION_TYPES

questions_cli = AppGroup("questions", help="Manage the question bank.")


def _refuse(problems: list[importing.RowProblem], as_json: bool) -> NoReturn:
    if as_json:
        click.echo(json.dumps({"imported": 0, "problems": [
            {"row": p.row, "message": p.message, "stem": p.stem} for p in problems]},
            ensure_ascii=False))
    else:
        for p in problems:
            where = f"第 {p.row} 行（{p.stem}）" if p.stem else f"第 {p.row} 行"
            click.echo(f"{where}：{p.message}" if p.row else p.message, err=True)
        click.echo("导入失败，未写入任何试题。", err=True)
    sys.exit(1)


@questions_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def import_questions_command(path: Path, as_json: bool):
    """Import questions from an XLSX or CSV file: all rows or none."""
    try:
        parsed = importing.parse_question_import(path.read_bytes())
        if not parsed.ok:
            _refuse(parsed.problems, as_json)
        imported = importing.apply_question_import(None, parsed)
    except DomainError as error:
        db.session.rollback()
        _refuse([importing.RowProblem(0, error.message)], as_json)
    db.session.commit()
    duplicates = [d.row for d in parsed.duplicates]
    changed = [{"row": d.row, "question_id": d.question_id, "changes": list(d.changes)}
               for d in parsed.changed_duplicates]
    if as_json:
        click.echo(json.dumps({"imported": imported, "duplicates": duplicates,
                               "changed_duplicates": changed}, ensure_ascii=False))
        return
    click.echo(f"已导入 {imported} 道试题。")
    if duplicates:
        rows = "、".join(str(row) for row in duplicates[:50])
        more = f" 等 {len(duplicates)} 行" if len(duplicates) > 50 else ""
        click.echo(f"跳过 {len(duplicates)} 道与题库中已有试题重复的试题（第 {rows} 行{more}）。")
    for duplicate in parsed.changed_duplicates:  # an import never changes the bank: say so
        click.echo(_("第 %(row)d 行的%(parts)s与题库中试题 #%(id)d 不同，未修改题库；"
                     "如需更正请在题库中编辑该题。", row=duplicate.row,
                     parts=duplicate.change_labels, id=duplicate.question_id))


@questions_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--all", "everything", is_flag=True, help="Retired questions too.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def export_questions_command(path: Path, everything: bool, as_json: bool):
    """Write the bank (questions in use; --all: retired ones too) as XLSX in the import
    template's columns: `questions import` reads it back."""
    if not path.parent.is_dir():
        raise click.ClickException(f"文件夹 {path.parent} 不存在，未导出。")
    questions = bank_export.questions_for_export(
        question_query(status=None if everything else "active"))
    path.write_bytes(bank_export.bank_workbook(questions))
    if as_json:
        click.echo(json.dumps({"exported": len(questions), "path": str(path)},
                              ensure_ascii=False))
        return
    click.echo(f"已导出 {len(questions)} 道试题到 {path}。")


@questions_cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
def stats_command(as_json: bool):
    """Count the active questions by type and difficulty."""
    stats = bank_stats()
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False))
        return
    click.echo(f"题库共 {stats['total']} 道启用的试题（另有 {stats.get('retired', 0)} 道已停用）。")
    for kind, count in stats["by_type"].items():
        click.echo(f"{QUESTION_TYPES[kind]}\t{count}")
