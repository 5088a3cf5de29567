"""Unique keys have the last word on duplicates.

A service checks a name before it writes, to give a clear message. The check cannot see
a row that another request (a double click, a second admin, another app server) commits
between the check and the write: then the unique key refuses the write, and this turns
that refusal into the check's own message instead of a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError

from lawlearn.errors import DomainError
from lawlearn.extensions import db

UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE


SQLITE_UNIQUE = {"SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"}


def is_unique_violation(error: IntegrityError) -> bool:
    """A unique key or primary key refused the row (not a foreign key, a NOT NULL or a
    check)."""
    original = error.orig
    if getattr(original, "sqlstate", None) == UNIQUE_VIOLATION:  # psycopg
        return True
    return getattr(original, "sqlite_errorname", None) in SQLITE_UNIQUE


@contextmanager
def duplicate_raises(duplicate: DomainError) -> Iterator[None]:
    """Write the changes made inside the block in a savepoint. When a unique key refuses
    them, only those changes are undone (the request's transaction stays usable, so the
    form can re-render) and ``duplicate`` is raised.

    Make the changes inside the block: what was pending before it is flushed first, outside
    (a clash there is not this block's duplicate).
    """
    db.session.flush()
    try:
        with db.session.begin_nested():
            yield
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        raise duplicate from error


def inserted(row: object) -> bool:
    """Insert ``row`` in a savepoint; False, and nothing written, when a row with the same
    unique key was committed meanwhile (which then stands)."""
    db.session.flush()
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError as error:
        if not is_unique_violation(error):
            raise
        return False
    return True
