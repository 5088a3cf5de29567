"""Writing XLSX workbooks: the cell formats every export shares, typed cells and the
printed page. Text is always written as text (never a formula); text that a spreadsheet
would read as a formula once edited (``=…``, ``+…``) also gets Excel's quote prefix, the
cell-format twin of :func:`lawlearn.exports.safe_text`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from lawlearn.exports import FORMULA_START
from lawlearn.localtime import local_moment

NUMBER_FORMATS = {"count": "#,##0", "hours": "0.0", "score": "0.0%", "decimal": "0.0",
                  "rate": "0.0%", "moment": "yyyy-mm-dd hh:mm", "date": "yyyy-mm-dd"}
A4 = 9  # Excel's paper size code


class Styles:
    """The workbook's cell formats: one per kind of value, plain and emphasised (totals)."""

    def __init__(self, workbook) -> None:
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.bold = workbook.add_format({"bold": True})
        self.header = workbook.add_format({"bold": True, "bg_color": "#F2DCDB", "border": 1,
                                           "text_wrap": True, "valign": "top"})
        self.group = workbook.add_format({"bold": True, "bg_color": "#E6B8B7", "border": 1,
                                          "align": "center"})
        self.kinds: dict[tuple[str, bool], Any] = {}
        for emphasis in (False, True):
            extra = {"bold": True, "top": 1} if emphasis else {}
            for kind, number_format in NUMBER_FORMATS.items():
                self.kinds[(kind, emphasis)] = workbook.add_format(
                    {"num_format": number_format, **extra})
            self.kinds[("text", emphasis)] = workbook.add_format(extra) if extra else None
            self.kinds[("quoted", emphasis)] = workbook.add_format({"quote_prefix": True,
                                                                    **extra})


def write_cell(sheet, styles: Styles, row: int, column: int, value: Any, kind: str = "text",
               emphasis: bool = False) -> None:
    """One cell, typed by ``kind`` (see :class:`Field`); None is left blank."""
    if value is None or value == "":
        style = styles.kinds.get((kind, emphasis))
        if style is not None:
            sheet.write_blank(row, column, None, style)
        return
    if kind in ("hours", "score", "decimal", "rate", "count") \
            and isinstance(value, (int, float)) and not isinstance(value, bool):
        # A score is a percent (0..100); the cell holds the fraction, formatted 0.0%.
        number = value / 100 if kind == "score" else value
        sheet.write_number(row, column, number, styles.kinds[(kind, emphasis)])
    elif kind == "moment" and isinstance(value, datetime):
        local = local_moment(value).replace(tzinfo=None)
        sheet.write_datetime(row, column, local, styles.kinds[(kind, emphasis)])
    elif isinstance(value, date):
        sheet.write_datetime(row, column, value, styles.kinds[("date", emphasis)])
    else:
        text = str(value)
        quoted = "quoted" if FORMULA_START.match(text) else "text"
        sheet.write_string(row, column, text, styles.kinds[(quoted, emphasis)])


def write_values(sheet, styles: Styles, row: int, values: list[Any], kinds: list[str],
                 emphasis: bool = False) -> None:
    for column, (value, kind) in enumerate(zip(values, kinds, strict=True)):
        write_cell(sheet, styles, row, column, value, kind, emphasis)


def print_setup(sheet, *, wide: bool = True, title_rows: int = 0) -> None:
    """A4; a wide sheet in landscape, one page wide (as many pages down as it needs), its
    first ``title_rows`` rows repeated on every page; page numbers in the footer."""
    sheet.set_paper(A4)
    if wide:
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
    if title_rows:
        sheet.repeat_rows(0, title_rows - 1)
    sheet.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    sheet.set_footer(_("&C第 &P 页，共 &N 页"))


def workbook_options() -> dict[str, Any]:
    # Text stays text: a name such as "=HYPERLINK(…)" is never made a formula or a link.
    return {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False}
