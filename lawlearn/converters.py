"""URL converters the whole app uses."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

# Ids are 32-bit integer columns (SERIAL on PostgreSQL); a larger number in a URL names
# nothing, and handing it to PostgreSQL would fail ("integer out of range") with a 500.
MAX_ID = 2**31 - 1
NO_ROW = -1  # ids start at 1


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` that matches only 0..2**31-1, so a huge number in a URL is a plain 404."""

    def __init__(self, map: Map, *args: Any, max: int | None = MAX_ID, **kwargs: Any) -> None:
        super().__init__(map, *args, max=max, **kwargs)


def plain_digits(text: str) -> bool:
    """Whether ``text`` is ASCII digits, the test before ``int()``: "²".isdigit() is true
    and int() refuses it (pages that tested isdigit() answered a typed "²" with a 500)."""
    return text.isascii() and text.isdigit()


def record_id(value: str) -> int:
    """``type=`` for an id in a query string (``request.args.get("actor", type=record_id)``).

    A number outside the id column's range names no row, like any id that does not exist, so
    it becomes :data:`NO_ROW` instead of reaching the database; text is refused (ValueError),
    which ``request.args.get`` turns into "no filter" as ``type=int`` does.
    """
    number = int(value)
    return number if -MAX_ID - 1 <= number <= MAX_ID else NO_ROW


def optional_record_id(value: Any) -> int | None:
    """``coerce=`` for a form's choice of one row: blank is None (no choice), and a number
    outside the id column's range is :data:`NO_ROW`, which the service finds no row for and
    says so, instead of reaching the database (PostgreSQL refuses it: a 500)."""
    if value in (None, "", "None"):
        return None
    return record_id(value)
