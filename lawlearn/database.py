"""Declarative base, time helpers and connection settings shared by all models."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Named constraints let Alembic alter them later, also on SQLite.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def like_pattern(text: str) -> str:
    """A LIKE pattern matching ``text`` literally anywhere (use with ``escape="\\"``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def all_exist(model, ids, *where) -> bool:
    """Every id names a row of ``model`` (meeting ``where``): a choice a form offered may
    be gone by the time it is sent. Ids past the column's range name none (PostgreSQL would
    refuse to compare them)."""
    from sqlalchemy import func, select

    from lawlearn.converters import MAX_ID
    from lawlearn.extensions import db  # here: extensions imports this module

    wanted = set(ids)
    # None (a choice left out of the form) names no row either.
    if not all(isinstance(number, int) and 0 < number <= MAX_ID for number in wanted):
        return False
    return not wanted or db.session.scalar(select(func.count()).select_from(model).where(
        model.id.in_(wanted), *where)) == len(wanted)


def utcnow() -> datetime:
    """Naive UTC, as stored in every timestamp column (SQLite keeps no zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    # WAL lets readers proceed during a write; the busy timeout makes a second
    # writer wait instead of failing with "database is locked" (set first: switching a
    # new file to WAL takes a lock that another worker may hold). pysqlite opens a
    # transaction only at its first write, so writers rarely upgrade an older read
    # snapshot, the one case a busy timeout cannot wait out; tests/scale checks that
    # concurrent writes from two workers never fail.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


@event.listens_for(Engine, "savepoint")
def _begin_before_a_first_savepoint(connection, _name) -> None:
    # pysqlite begins a transaction only before an INSERT, UPDATE or DELETE. A SAVEPOINT
    # sent first would begin one of SQLite's own, which its RELEASE then commits: the
    # request's later rollback would undo nothing. Begin the transaction here, with the
    # write lock at once (the savepoint is there to write), as pysqlite would have.
    driver = connection.connection.driver_connection
    if (isinstance(driver, sqlite3.Connection) and not driver.in_transaction
            and driver.isolation_level is not None):  # None: autocommit, as asked
        driver.execute("BEGIN IMMEDIATE")


# Full-text search objects (SQLite FTS5 tables and their shadow tables, PostgreSQL trigram
# indexes) are created by their own DDL, not by the models: Alembic must leave them alone.
SEARCH_OBJECT_PREFIXES = ("law_article_fts", "material_fts", "ix_trgm_")


def include_in_migrations(name: str | None, type_: str, _parent_names) -> bool:
    return not (name and name.startswith(SEARCH_OBJECT_PREFIXES))
