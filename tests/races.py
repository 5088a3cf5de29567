"""Two requests at once, made deterministic: while this test's request runs, a "twin" (a
double click, a second tab, another app server) runs whole in another thread and commits at
one chosen moment: just before, or just after, a given statement of this request."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from lawlearn.extensions import db

Match = Callable[[str], bool]


@contextmanager
def twin_at(app, twin: Callable[[], object], *, before: Match | None = None,
            after: Match | None = None) -> Iterator[list[bool]]:
    """Run ``twin`` once, in its own app context (then commit it), at the first statement of
    this request that ``before`` matches (just before it is sent) or ``after`` matches (just
    after). Yields a list that holds True once the twin has run. Statements the twin sends
    itself are not matched (it has run by then)."""
    ran: list[bool] = []

    def run_twin() -> None:
        ran.append(True)
        failures: list[BaseException] = []

        def in_its_own_context() -> None:
            try:
                with app.app_context():
                    twin()
                    db.session.commit()
            except BaseException as error:  # reported in the test's thread
                failures.append(error)

        thread = threading.Thread(target=in_its_own_context)
        thread.start()
        thread.join()
        if failures:
            raise AssertionError("the twin failed") from failures[0]

    def on_before(_conn, _cursor, statement, *_rest) -> None:
        if not ran and before is not None and before(statement):
            run_twin()

    def on_after(_conn, _cursor, statement, *_rest) -> None:
        if not ran and after is not None and after(statement):
            run_twin()

    engine = db.engine
    event.listen(engine, "before_cursor_execute", on_before)
    event.listen(engine, "after_cursor_execute", on_after)
    try:
        yield ran
    finally:
        event.remove(engine, "before_cursor_execute", on_before)
        event.remove(engine, "after_cursor_execute", on_after)


def reads(table: str) -> Match:
    """A SELECT from ``table``."""
    return lambda statement: (statement.lstrip().upper().startswith("SELECT")
                              and f"FROM {table}" in statement)


def updates(table: str) -> Match:
    """An UPDATE of ``table`` (quoted or not)."""
    return lambda statement: statement.startswith((f"UPDATE {table} ", f'UPDATE "{table}"'))


@pytest.fixture
def key_refusals(monkeypatch) -> list[bool]:
    """Each time a unique key refused a write and lawlearn.unique_keys saw it: a race test
    asserts it, so that a twin that ran too early (and was caught by the service's own
    check) cannot pass for the race."""
    from lawlearn import unique_keys

    seen: list[bool] = []
    original = unique_keys.is_unique_violation

    def spy(error) -> bool:
        seen.append(original(error))
        return seen[-1]

    monkeypatch.setattr(unique_keys, "is_unique_violation", spy)
    return seen
