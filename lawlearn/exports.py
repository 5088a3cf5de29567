"""What every export shares: local times, CSV that Excel in China opens, cells that a
spreadsheet will not run as formulas, and download headers that keep a Chinese file name."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import datetime
from typing import Any
from urllib.parse import quote

from flask import Response

from lawlearn.localtime import local_moment

FORMULA_START = re.compile(r"^[=+\-@\t\r]")
CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Characters a file system (Windows, macOS) refuses in a file name, and control characters.
UNSAFE_IN_FILENAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
UNSAFE_IN_FILENAME_PART = re.compile(r'[\\/:*?"<>|\s\x00-\x1f\x7f]+')
NOT_PLAIN_ASCII = re.compile(r"[^A-Za-z0-9._-]+")


def local_time(value: datetime | None) -> str:
    """2024-12-04 14:30 in the configured time zone (Asia/Shanghai by default)."""
    if value is None:
        return ""
    return local_moment(value).strftime("%Y-%m-%d %H:%M")


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


# --- downloads ----------------------------------------------------------------------------


def filename_part(text: str, default: str = "export") -> str:
    """``text`` (a title, a scope) made fit for a file name: characters a file system refuses
    and white space become ``_``."""
    return UNSAFE_IN_FILENAME_PART.sub("_", text).strip("_") or default


def ascii_filename(filename: str, default: str = "download") -> str:
    """A plain-ASCII stand-in for ``filename`` (for ``filename=``, which old clients read):
    accents folded, other characters turned into ``_`` so that the dates in
    "出勤统计-2024-01-01至2024-12-31.csv" stay apart; ``default`` when nothing is left."""
    stem, dot, extension = filename.rpartition(".")
    if not dot:
        stem, extension = filename, ""
    folded = "".join(
        character if character.isascii()
        else unicodedata.normalize("NFKD", character).encode("ascii", "ignore").decode() or "_"
        for character in stem)
    stem = NOT_PLAIN_ASCII.sub("_", folded)
    stem = re.sub(r"_[_.-]*|[.-]*_", "_", stem).strip("._-") or default
    extension = NOT_PLAIN_ASCII.sub("", extension)
    return f"{stem}.{extension}" if extension else stem


def content_disposition(filename: str, *, inline: bool = False, fallback: str | None = None) -> str:
    """``attachment`` (or ``inline``) with an ASCII ``filename`` and, when the name is not
    plain ASCII, the real one as RFC 5987/6266 ``filename*`` (UTF-8, percent-encoded)."""
    filename = UNSAFE_IN_FILENAME.sub("_", filename).strip("_") or "download"
    plain = ascii_filename(fallback or filename)
    value = f'{"inline" if inline else "attachment"}; filename="{plain}"'
    if plain != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


def attachment_headers(filename: str, mimetype: str, *, inline: bool = False,
                       fallback: str | None = None) -> dict[str, str]:
    """Content-Type (text types in UTF-8, the charset named once) and Content-Disposition
    for a file the browser saves as ``filename``."""
    if mimetype.startswith("text/") and "charset=" not in mimetype.lower():
        mimetype = f"{mimetype}; charset=utf-8"
    return {"Content-Type": mimetype,
            "Content-Disposition": content_disposition(filename, inline=inline,
                                                       fallback=fallback)}


def download(data: bytes, filename: str, mimetype: str, *,
             fallback: str | None = None) -> Response:
    """A generated file (an export, a template) as a download that is not cached."""
    headers = attachment_headers(filename, mimetype, fallback=fallback)
    headers["Cache-Control"] = "no-cache"
    return Response(data, headers=headers)
