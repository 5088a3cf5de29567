"""Reading uploaded tables (XLSX or CSV) into rows keyed by header, recognised by content.

Shared by every importer (users, questions, ...). Row numbers are the ones a person
sees in Excel (the header is row 1, or lower under a title row).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

import filetype
from flask_babel import gettext as _

from lawlearn.errors import ValidationFailed
from lawlearn.zip_limits import check_unpacked_size

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .doc
MAX_ROWS = 50_000
HEADER_SEARCH_ROWS = 5  # the top rows looked at for the header


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (sheet row number, header → cell text)
    kind: str  # "xlsx" or "csv"


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    # Excel users type stray blanks around values, full-width ones too (str.strip takes
    # both); inside a value a full-width space stays: a question's blank is "（\u3000\u3000）".
    return str(value).strip()


def _header_at(rows: list[list[str]], required: list[str], aliases: dict[str, str]) -> int | None:
    """Where the header row is: the first of the top rows naming every required column. A
    title row or two above it ("2027年新进人员名单") is common in the office's sheets."""
    for index, values in enumerate(rows[:HEADER_SEARCH_ROWS]):
        named = {aliases.get(value.strip(), value.strip()) for value in values}
        if all(column in named for column in required):
            return index
    return None


def _names_a_column(rows: list[list[str]], required: list[str],
                    aliases: dict[str, str]) -> bool:
    """Whether the top rows name any required column (a header with one misnamed)."""
    return any(aliases.get(value.strip(), value.strip()) in required
               for values in rows[:HEADER_SEARCH_ROWS] for value in values)


def _xlsx_rows(data: bytes, max_rows: int, required: list[str],
               aliases: dict[str, str]) -> tuple[list[list[str]], int | None]:
    """The rows of the first sheet holding the header (a sheet put before the template's
    own "用户" is passed over), and the header's index; else the first sheet's, and None."""
    from openpyxl import load_workbook

    check_unpacked_size(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not xlsx
        raise ValidationFailed(_("文件不是有效的 Excel（.xlsx）表格。"), code="not_a_spreadsheet") \
            from error
    try:
        first: list[list[str]] | None = None
        for sheet in workbook.worksheets:
            # Tools other than Excel write a wrong <dimension>; read-only mode would trust it.
            sheet.reset_dimensions()
            rows = []
            for index, row in enumerate(sheet.iter_rows(values_only=True)):
                if index > max_rows:
                    raise ValidationFailed(_("表格超过 %(n)d 行，请分批导入。", n=max_rows),
                                           code="too_many_rows")
                rows.append([_cell_text(v) for v in row])
            header = _header_at(rows, required, aliases)
            if header is not None:
                return rows, header
            if first is None:
                first = rows
                if _names_a_column(rows, required, aliases):
                    break  # the data's own sheet, a column misnamed: say which, not another
        return first or [], None
    finally:
        workbook.close()


NOT_TEXT = {"pdf", "png", "jpg", "gif", "webp", "tif", "heic", "mp4", "zip", "rar", "7z", "gz"}


def _decode_text(data: bytes) -> str:
    # Excel's "Unicode 文本" is UTF-16 with its byte order mark (tab-separated).
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    # Excel in China saves CSV as GBK (gb18030 is its superset); others save UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed(_("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx 表格。"),
                           code="not_a_spreadsheet")


def _csv_rows(data: bytes, required: list[str],
              aliases: dict[str, str]) -> tuple[list[list[str]], int | None]:
    """The rows and the header's index (None: not found), split by the delimiter that finds
    the header: a tab-separated file (Excel's "Unicode 文本") holds commas in its cells
    ("A,B", "干部职工,科室负责人"), a comma-separated one tabs seldom."""
    # A PDF or a picture renamed .xlsx was answered "无法识别文件编码…另存为 UTF-8": say what
    # it is (filetype reads the magic numbers). Only signatures no text starts with: a CSV
    # whose first column is "BM…" or "ID3…" would match BMP or MP3.
    found = filetype.guess(data[:8192])
    if found is not None and found.extension in NOT_TEXT:
        raise ValidationFailed(_("文件不是表格，而是 %(kind)s 文件：请上传 .xlsx 或 .csv 文件。",
                                 kind=found.extension.upper()), code="not_a_spreadsheet")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationFailed(_("文件不是表格：请上传 .xlsx 或 .csv 文件。"), code="not_a_spreadsheet")
    text = _decode_text(data)
    top = "\n".join(text.split("\n", HEADER_SEARCH_ROWS)[:HEADER_SEARCH_ROWS])
    first = None
    for delimiter in ("\t", ",") if "\t" in top else (",",):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            rows = [[_cell_text(v) for v in row] for row in reader]
        except csv.Error as error:
            raise ValidationFailed(_("CSV 文件格式有误：%(error)s", error=str(error)),
                                   code="not_a_spreadsheet") from error
        header = _header_at(rows, required, aliases)
        if header is not None:
            return rows, header
        first = rows if first is None else first
    return first or [], None


def read_table(data: bytes, required: list[str], optional: list[str] | None = None,
               aliases: dict[str, str] | None = None, max_rows: int = MAX_ROWS) -> Table:
    """Parse ``data`` as a table whose header row names ``required`` columns.

    Raises :class:`ValidationFailed` for an empty file, a file that is not a table,
    or missing columns (all named at once).
    """
    if not data or not data.strip():
        raise ValidationFailed(_("文件是空的。"), code="empty_file")
    if data.startswith(OLE_MAGIC):
        raise ValidationFailed(_("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 后再上传。"),
                               code="not_a_spreadsheet")
    kind = "xlsx" if data.startswith(XLSX_MAGIC) else "csv"
    aliases = aliases or {}
    if kind == "xlsx":
        raw_rows, header_at = _xlsx_rows(data, max_rows, required, aliases)
    else:
        raw_rows, header_at = _csv_rows(data, required, aliases)
    while raw_rows and not any(raw_rows[-1]):
        raw_rows.pop()
    if len(raw_rows) > max_rows + 1:
        raise ValidationFailed(_("表格超过 %(n)d 行，请分批导入。", n=max_rows), code="too_many_rows")
    if not raw_rows:
        raise ValidationFailed(_("文件是空的。"), code="empty_file")

    header_at = header_at or 0
    headers = [aliases.get(h.strip(), h.strip()) for h in raw_rows[header_at]]
    missing = [column for column in required if column not in headers]
    known = set(required) | set(optional or [])
    if missing and kind == "csv" and len(headers) == 1 and headers[0] not in known:
        # One unnamed column: plain text (a note, a Word document saved as text, a file
        # renamed .xlsx), not a table whose columns are only misnamed.
        raise ValidationFailed(
            _("文件不是表格：第一行应是列名。请上传按导入模板填写的 .xlsx 或 .csv 文件。"),
            code="not_a_spreadsheet")
    if missing:
        raise ValidationFailed(
            _("缺少必需的列：%(columns)s。请使用导入模板。", columns="、".join(missing)),
            code="missing_columns",
        )
    rows = []
    for offset, values in enumerate(raw_rows[header_at + 1:], start=header_at + 2):
        if not any(values):
            continue
        cells = {header: (values[i] if i < len(values) else "")
                 for i, header in enumerate(headers) if header in known or not known}
        rows.append((offset, cells))
    if not rows:
        raise ValidationFailed(_("表格中没有数据行。"), code="empty_file")
    return Table(headers=headers, rows=rows, kind=kind)
