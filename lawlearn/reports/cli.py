"""``flask report ...``: participation reports from the command line. Output in English,
like the other commands; the files themselves are in Chinese."""

from __future__ import annotations

import json
import os
import stat
import sys
import tempfile
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from lawlearn.accounts.models import Department
from lawlearn.cli_input import check_out_path, parse_day
from lawlearn.converters import record_id
from lawlearn.errors import DomainError
from lawlearn.extensions import db

report_cli = AppGroup("report", help="Participation reports (参学统计).")


def _department(value: str | None, problems: list[str]) -> int | None:
    if value is None:
        return None
    try:
        department_id = record_id(value.strip())
    except ValueError:
        problems.append(f"--department: {value!r} is not a department id (a number).")
        return None
    if db.session.get(Department, department_id) is None:
        problems.append(f"--department: there is no department {value.strip()}.")
    return department_id


def _check_period(first: date | None, last: date | None, problems: list[str]) -> None:
    """The report's own period rules (:func:`lawlearn.reports.participation.check_period`),
    said in English."""
    from lawlearn.database import utcnow
    from lawlearn.localtime import local_day
    from lawlearn.reports.participation import MAX_DAYS

    if first is None or last is None:
        return
    today = local_day(utcnow())
    if first > today:
        problems.append(f"--from {first} is after today ({today}): the period has not begun, "
                        "there is nothing to report yet.")
    elif last < first:
        problems.append(f"--to {last} is before --from {first}.")
    elif (last - first).days > MAX_DAYS:
        problems.append(f"--from/--to: the period is {(last - first).days + 1} days long; a "
                        f"report covers at most five years ({MAX_DAYS} days).")


def _write(out: Path, write) -> None:
    """Run ``write(file)`` on a temporary file next to ``out``, then rename it over ``out``:
    a failure never leaves a half-written file behind. The file gets the permissions
    ``open()`` would give it (those of the file it replaces, or 0666 less the umask);
    mkstemp's own are 0600."""
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.",
                                         suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            write(file)
        os.chmod(temporary, _file_mode(out))
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _file_mode(out: Path) -> int:
    try:
        return stat.S_IMODE(out.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _counted(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# What each file holds: (key, singular, plural) per table.
TABLE_WORDS = {"people": ("person", "people"), "departments": ("department", "departments"),
               "sessions": ("session", "sessions"), "quizzes": ("quiz", "quizzes"),
               "outreach": ("outreach event", "outreach events")}
FILE_TABLES = {"xlsx": ("people", "departments", "sessions", "quizzes", "outreach"),
               "docx": ("departments", "sessions", "quizzes")}


def _contents(report, export_format: str, table: str) -> dict[str, int]:
    """How many rows of each table the file holds (a CSV holds one table)."""
    sizes = {"people": len(report.people), "departments": len(report.departments),
             "sessions": len(report.sessions), "quizzes": len(report.quizzes),
             "outreach": len(report.outreach.events)}
    return {name: sizes[name] for name in FILE_TABLES.get(export_format, (table,))}


@report_cli.command("participation")
@click.option("--from", "date_from", metavar="DATE", required=True,
              help="First day, YYYY-MM-DD (included).")
@click.option("--to", "date_to", metavar="DATE", required=True,
              help="Last day, YYYY-MM-DD (included).")
@click.option("--department", "department_arg", metavar="ID",
              help="Only this department (a unit includes its sections); default: everyone.")
@click.option("--format", "export_format", type=click.Choice(("xlsx", "csv", "docx")),
              required=True,
              help="xlsx: every table; csv: one table (see --table); docx: the draft "
                   "study-and-publicity section of the annual report.")
@click.option("--table", type=click.Choice(tuple(TABLE_WORDS)),
              help="The table a CSV holds (only with --format csv)  [default: people]")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True,
              help="File to write.")
@click.option("--json", "as_json", is_flag=True,
              help='Print {"out", "format", ("table",) and how many rows each table the '
                   'file holds has: "people", "departments", "sessions", "quizzes", '
                   '"outreach"}.')
def participation_command(date_from, date_to, department_arg, export_format, table, out: Path,
                          as_json: bool):
    """Export the participation report for a period (and a department). Bad arguments:
    every problem is printed, the exit status is 1 and no file is written."""
    from lawlearn.reports.export_csv import write_csv
    from lawlearn.reports.export_docx import write_docx
    from lawlearn.reports.export_xlsx import write_xlsx
    from lawlearn.reports.participation import build_report

    problems: list[str] = []
    first = parse_day(date_from, "--from", problems)
    last = parse_day(date_to, "--to", problems)
    _check_period(first, last, problems)
    department_id = _department(department_arg, problems)
    if table is not None and export_format != "csv":
        problems.append("--table only applies to --format csv.")
    table = table or "people"
    check_out_path(out, export_format, problems)
    if problems:
        for problem in problems:
            click.echo(problem, err=True)
        sys.exit(1)

    try:
        report = build_report(first, last, department_id=department_id)
    except DomainError as error:
        # The checks above cover the report's rules; this is one added since. Its message
        # is Chinese: say in English which argument it concerns.
        option = {"date_from": "--from", "date_to": "--to",
                  "department": "--department"}.get(error.field or "", "--from/--to")
        click.echo(f"{option}: the report refused this value ({error.code}).", err=True)
        sys.exit(1)
    if export_format == "xlsx":
        _write(out, lambda file: write_xlsx(report, file))
    elif export_format == "csv":
        _write(out, lambda file: write_csv(report, file, table))
    else:
        _write(out, lambda file: write_docx(report, file))

    contents = _contents(report, export_format, table)
    if as_json:
        summary = {"out": str(out), "format": export_format}
        if export_format == "csv":
            summary["table"] = table
        click.echo(json.dumps({**summary, **contents}, ensure_ascii=False))
    else:
        what = ", ".join(_counted(n, *TABLE_WORDS[name]) for name, n in contents.items())
        kind = f"csv, {table} table" if export_format == "csv" else export_format
        click.echo(f"Wrote {out} ({kind}: {what}).")
