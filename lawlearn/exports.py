"""What every export shares: local times, CSV that Excel in China opens, and cells that a
spreadsheet will not run as formulas."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

FORMULA_START = re.compile(r"^[=+\-@\t\r]")


def local_time(value: datetime | None) -> str:
    """2024-12-04 14:30 in the configured time zone (Asia/Shanghai by default)."""
    if value is None:
        return ""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")
    return value.replace(tzinfo=UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def safe_text(value: str) -> str:
    """Text that a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + value if FORMULA_START.match(value) else value


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(round(value, 2))  # 8.0 → "8"
    return safe_text(value) if isinstance(value, str) else str(value)


def csv_bytes(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    # The BOM lets Excel in China open UTF-8 instead of guessing GBK.
    return buffer.getvalue().encode("utf-8-sig")
