"""Bulk inserts in chunks through SQLAlchemy Core (no ORM object per row).

Core, not the ORM's bulk insert: the ORM leaves out None values and so splits a chunk into
a statement per run of rows with the same keys; Core sends one executemany per chunk."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from functools import lru_cache
from itertools import islice
from typing import Any

from lawlearn.extensions import db
from lawlearn.localtime import day_start, local_day, local_zone

CHUNK = 5000


def chunks(rows: Iterable[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def bulk(model, rows: Iterable[dict[str, Any]]) -> int:
    """Insert ``rows`` (dicts with the same keys); returns how many. Rows may come from a
    generator, so a big table never sits in memory whole."""
    count = 0
    for chunk in chunks(rows):
        db.session.execute(model.__table__.insert(), chunk)
        count += len(chunk)
    return count


def bulk_ids(model, rows: Iterable[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` and return their new ids in the same order."""
    ids: list[int] = []
    table = model.__table__
    statement = table.insert().returning(table.c.id, sort_by_parameter_order=True)
    for chunk in chunks(rows):
        ids += db.session.scalars(statement, chunk).all()
    return ids


def start_of(day: date) -> datetime:
    """:func:`lawlearn.localtime.day_start`, remembered: it is asked for every row."""
    return _start_of(day, local_zone().key)


@lru_cache(maxsize=4096)
def _start_of(day: date, _zone: str) -> datetime:
    return day_start(day)


class Awards:
    """Point-ledger rows as the rules pay them now (an admin may have changed a rule)."""

    def __init__(self) -> None:
        from lawlearn.practice.points import current_rules

        self.rules = current_rules()

    def row(self, user_id: int, rule: str, source: str, moment: datetime, units: int = 1,
            day: date | None = None) -> dict[str, Any] | None:
        """``day``: the local day of ``moment``, when the caller knows it."""
        current = self.rules[rule]
        if not current.enabled or current.amount <= 0:
            return None
        return {"user_id": user_id, "rule": rule, "amount": current.amount * units,
                "source": source, "day": day or local_day(moment), "awarded_at": moment}

    def pay(self, wanted) -> int:
        """Write the awards of (user_id, rule, source, moment[, units[, day]]) tuples, disabled
        rules left out; returns how many rows."""
        from lawlearn.practice.models import PointAward

        return bulk(PointAward, (row for row in (self.row(*args) for args in wanted)
                                 if row is not None))
