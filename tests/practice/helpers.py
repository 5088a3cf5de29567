"""What the practice tests share: questions, right and wrong answers, and racing requests in
threads (counting queries is the ``count_queries`` fixture of tests/conftest.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from lawlearn.extensions import db
from lawlearn.quiz.bank import QuestionFields


def singles(count: int, tag: str = "宪法", start: int = 1) -> list[QuestionFields]:
    """Single-choice questions whose answer is B, with an explanation each."""
    return [QuestionFields("single", f"第{n}题：下列哪项说法正确？", ["甲说法", "乙说法", "丙说法"],
                           "B", f"第{n}题的解析。", [tag], "easy")
            for n in range(start, start + count)]


def right_answer(snapshot: dict[str, Any]) -> Any:
    kind, answer = snapshot["type"], snapshot["answer"]
    if kind == "fill":
        return [alternatives[0] for alternatives in answer]
    return answer


def wrong_answer(snapshot: dict[str, Any]) -> Any:
    kind, answer = snapshot["type"], snapshot["answer"]
    if kind == "single":
        return next(o["key"] for o in snapshot["options"] if o["key"] != answer)
    if kind == "multiple":
        return [next(o["key"] for o in snapshot["options"] if o["key"] not in answer)]
    if kind == "true_false":
        return not answer
    return ["不对"] * len(answer)


def race(app, count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(index)`` in ``count`` threads at once, each in its own app context and
    database session, committing after it; returns what each returned (in finishing order).
    Any exception fails the test, in the test's thread."""
    barrier = threading.Barrier(count)
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=10)
                try:
                    result = work(index)
                    db.session.commit()
                except BaseException:
                    db.session.rollback()
                    raise
                finally:
                    db.session.remove()
                results.append(result)
        except BaseException as error:  # noqa: BLE001  (reported below)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert len(results) == count
    return results
