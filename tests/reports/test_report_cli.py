"""``flask report participation``: writes each format (the same figures as the report),
prints a JSON summary on request, and on bad input names every problem, exits non-zero and
writes nothing (not even a partial file)."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat

import docx
import openpyxl
import pytest

from lawlearn.reports.participation import build_report
from tests.reports.export_dataset import (  # noqa: F401  (fixture)
    NOW,
    YEAR,
    dataset_fixture,
)

PERIOD = ["--from", "2025-01-01", "--to", "2025-12-31"]
CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


@pytest.fixture
def folder(tmp_path):
    """An empty folder for the files (tmp_path also holds the app's uploads)."""
    path = tmp_path / "out"
    path.mkdir()
    return path


def run(runner, *args: str):
    return runner.invoke(args=["report", "participation", *args])


def test_xlsx_with_json_summary(app, runner, dataset, folder):
    out = folder / "参学统计.xlsx"
    result = run(runner, *PERIOD, "--format", "xlsx", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    with app.app_context():
        report = build_report(*YEAR, now=NOW)
        expected = {"out": str(out), "format": "xlsx", "people": len(report.people),
                    "departments": len(report.departments), "sessions": 2, "quizzes": 2,
                    "outreach": 2}
        people = [p.username for p in report.people]
    assert summary == expected
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[:2] == ["汇总", "人员"]
    assert [row[1] for row in book["人员"].iter_rows(min_row=3, values_only=True)] == people
    assert [p.name for p in folder.iterdir()] == [out.name]  # no temporary file left


def test_csv_of_one_department_and_table(app, runner, dataset, folder):
    out = folder / "sessions.csv"
    result = run(runner, *PERIOD, "--department", str(dataset.office), "--format", "csv",
                 "--table", "departments", "--out", str(out))
    assert result.exit_code == 0, result.output
    # Only what the file holds, in the singular for one.
    assert result.output == f"Wrote {out} (csv, departments table: 1 department).\n"
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["办公室", "合计"]
    assert rows[1][1] == "2"  # the office's lead and secretary


def test_docx(runner, dataset, folder):
    out = folder / "draft.docx"
    result = run(runner, *PERIOD, "--format", "docx", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert "全年组织集中学法 2 次" in text
    summary = json.loads(result.output)
    assert set(summary) == {"out", "format", "departments", "sessions", "quizzes"}  # no people


def test_the_summary_counts_in_the_singular_and_plural(runner, dataset, folder):
    out = folder / "day.xlsx"
    result = run(runner, "--from", "2025-02-12", "--to", "2025-02-12", "--format", "xlsx",
                 "--out", str(out))
    assert result.exit_code == 0, result.output
    assert re.fullmatch(rf"Wrote {re.escape(str(out))} \(xlsx: \d+ people, \d+ departments, "
                        r"0 sessions, 1 quiz, 0 outreach events\)\.\n", result.output), \
        result.output
    out = folder / "sessions.csv"
    result = run(runner, *PERIOD, "--format", "csv", "--table", "sessions", "--out", str(out),
                 "--json")
    assert json.loads(result.output) == {"out": str(out), "format": "csv",
                                         "table": "sessions", "sessions": 2}


def test_csv_of_the_outreach_events(runner, dataset, folder):
    out = folder / "outreach.csv"
    result = run(runner, *PERIOD, "--department", str(dataset.office), "--format", "csv",
                 "--table", "outreach", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == f"Wrote {out} (csv, outreach table: 1 outreach event).\n"
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["宪法进校园", "合计（1 场）"]
    assert rows[1][6] == rows[2][6] == "150"


def test_table_only_goes_with_csv(runner, dataset, folder):
    for export_format in ("xlsx", "docx"):
        result = run(runner, *PERIOD, "--format", export_format, "--table", "sessions",
                     "--out", str(folder / f"report.{export_format}"))
        assert result.exit_code == 1
        assert "--table only applies to --format csv." in result.output
    assert list(folder.iterdir()) == []


def test_files_get_the_permissions_open_would_give(runner, dataset, folder):
    previous = os.umask(0o022)
    try:
        out = folder / "report.csv"
        assert run(runner, *PERIOD, "--format", "csv", "--out", str(out)).exit_code == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o644  # not mkstemp's 0600
        out.chmod(0o640)  # a file replaced keeps its permissions, as with open()
        assert run(runner, *PERIOD, "--format", "csv", "--out", str(out)).exit_code == 0
        assert stat.S_IMODE(out.stat().st_mode) == 0o640
    finally:
        os.umask(previous)


@pytest.mark.parametrize(("args", "messages"), [
    (["--from", "2025-13-01", "--to", "yesterday"],
     ["--from: '2025-13-01' is not a date", "--to: 'yesterday' is not a date"]),
    (["--from", "2025-12-31", "--to", "2025-01-01"], ["--to 2025-01-01 is before --from"]),
    ([*PERIOD, "--department", "9999"], ["there is no department 9999"]),
    ([*PERIOD, "--department", "执法局"], ["'执法局' is not a department id"]),
    ([*PERIOD, "--department", "99999999999"], ["there is no department 99999999999"]),
    (["--from", "2999-01-01", "--to", "2999-12-31"],
     ["--from 2999-01-01 is after today", "nothing to report yet"]),
])
def test_bad_arguments_write_nothing(runner, dataset, folder, args, messages):
    out = folder / "report.xlsx"
    result = run(runner, *args, "--format", "xlsx", "--out", str(out))
    assert result.exit_code == 1
    for message in messages:
        assert message in result.output
    assert list(folder.iterdir()) == []
    assert not CHINESE.search(result.output.replace("执法局", "")), result.output


def test_bad_out_paths_write_nothing(runner, dataset, folder):
    existing = folder / "existing"
    existing.mkdir()
    cases = [(existing, "is a directory"),
             (folder / "missing" / "report.xlsx", "does not exist"),
             (folder / "report.csv", "should end with .xlsx")]
    for out, message in cases:
        result = run(runner, *PERIOD, "--format", "xlsx", "--out", str(out))
        assert result.exit_code == 1 and message in result.output, result.output
    assert [p.name for p in folder.iterdir()] == ["existing"]
    assert list(existing.iterdir()) == []


def test_every_problem_is_named_at_once(runner, dataset, folder):
    result = run(runner, "--from", "2025-02-30", "--to", "2025-01-01", "--department", "9999",
                 "--format", "docx", "--out", str(folder / "nowhere" / "x.docx"))
    assert result.exit_code == 1
    assert "--from: '2025-02-30' is not a date" in result.output
    assert "there is no department 9999" in result.output
    assert "does not exist" in result.output


def test_a_period_the_report_refuses_writes_nothing(runner, dataset, folder):
    result = run(runner, "--from", "2015-01-01", "--to", "2025-12-31", "--format", "xlsx",
                 "--out", str(folder / "long.xlsx"))
    assert result.exit_code == 1
    assert result.output == ("--from/--to: the period is 4018 days long; a report covers at "
                             "most five years (1830 days).\n")
    assert not CHINESE.search(result.output)  # English, like every other line
    assert list(folder.iterdir()) == []


def test_a_failure_while_writing_leaves_no_file(runner, dataset, folder, monkeypatch):
    from lawlearn.reports import export_xlsx

    def half_then_fail(report, target):
        target.write(b"PK half a workbook")
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_xlsx, "write_xlsx", half_then_fail)
    previous = folder / "report.xlsx"
    previous.write_bytes(b"last year's file")
    result = run(runner, *PERIOD, "--format", "xlsx", "--out", str(previous))
    assert result.exit_code != 0
    assert isinstance(result.exception, RuntimeError)
    assert [p.name for p in folder.iterdir()] == ["report.xlsx"]
    assert previous.read_bytes() == b"last year's file"  # the old file is untouched
