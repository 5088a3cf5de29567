"""One table of the participation report as CSV: UTF-8 with a BOM (so that Excel in China
opens it as UTF-8 rather than guessing GBK), one header row, one row per person (or
department, session, quiz).

Values: counts as whole numbers, hours with one decimal, rates and score rates as
percentage text with one decimal ("87.5%", as the report page shows them; Excel reads that
back as a percentage), times local. Text that a spreadsheet would run as a formula is prefixed with
an apostrophe (:func:`lawlearn.exports.safe_text`). Rows are produced one by one, so the
file can be streamed to a response or a file without building it in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO

from lawlearn.reports.export_tables import CSV_TABLES, csv_table, headings, value_text
from lawlearn.reports.participation import ParticipationReport

BOM = "\ufeff"
ROWS_PER_CHUNK = 500


def iter_csv(report: ParticipationReport, table: str = "people") -> Iterator[bytes]:
    """The CSV of ``table`` (one of :data:`CSV_TABLES`) in chunks of UTF-8 bytes, the
    first starting with the BOM."""
    if table not in CSV_TABLES:
        raise ValueError(f"unknown table {table!r}")
    chosen = csv_table(report, table)
    kinds = [f.kind for f in chosen.fields]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    writer.writerow(headings(chosen.fields))
    rows = 0
    for values in chosen.rows:
        writer.writerow([value_text(value, kind) for value, kind in zip(values, kinds,
                                                                        strict=True)])
        rows += 1
        if rows % ROWS_PER_CHUNK == 0:
            yield _drain(buffer)
    if chosen.total is not None:
        writer.writerow([value_text(value, kind) for value, kind in zip(chosen.total, kinds,
                                                                        strict=True)])
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> bytes:
    data = buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    return data


def write_csv(report: ParticipationReport, target: IO[bytes], table: str = "people") -> None:
    """Write the CSV of ``table`` to a binary file object."""
    for chunk in iter_csv(report, table):
        target.write(chunk)
