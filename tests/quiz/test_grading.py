"""Answer parsing and grading rules."""

from __future__ import annotations

import pytest

from lawlearn.errors import ValidationFailed
from lawlearn.quiz.grading import (
    canonical_response,
    grade,
    normalize_text,
    parse_fill_answer,
    parse_letters,
    parse_true_false,
)


@pytest.mark.parametrize("text", ["AB", "ＡＢ", "A、B", "a,b", "A B", " a，b ", "BA"])
def test_answer_letters_in_every_spelling(text):
    assert sorted(parse_letters(text)) == ["A", "B"]


@pytest.mark.parametrize(("text", "value"), [
    ("正确", True), ("对", True), ("√", True), ("T", True), ("true", True),
    ("错误", False), ("错", False), ("×", False), ("F", False), ("maybe", None),
])
def test_true_false_words(text, value):
    assert parse_true_false(text) is value


def test_fill_answers_with_blanks_and_alternatives():
    assert parse_fill_answer("二十/20｜ 宪法 ") == [["二十", "20"], ["宪法"]]


def test_normalisation_ignores_width_spaces_and_punctuation():
    assert normalize_text("ＡＢＣ　１２３，。") == normalize_text("abc 123") == "abc123"


def snapshot(kind, answer, keys="ABCD", blanks=0):
    return {"type": kind, "answer": answer, "options": [{"key": k} for k in keys],
            "blanks": blanks}


def test_single_and_true_false_are_exact():
    assert grade(snapshot("single", "B"), "B", 2, False) == (True, 2)
    assert grade(snapshot("single", "B"), "C", 2, False) == (False, 0)
    assert grade(snapshot("true_false", False), False, 1, False) == (True, 1)
    assert grade(snapshot("true_false", False), None, 1, False) == (False, 0)


def test_multiple_all_or_nothing_or_partial():
    question = snapshot("multiple", ["A", "C", "D"])
    assert grade(question, ["A", "C", "D"], 3, False) == (True, 3)
    assert grade(question, ["A", "C"], 3, False) == (False, 0)
    assert grade(question, ["A", "C"], 3, True) == (False, 2)
    assert grade(question, ["A", "B"], 3, True) == (False, 0)  # a wrong choice scores 0


def test_fill_compares_normalised_against_every_alternative():
    question = snapshot("fill", [["二十", "20"], ["宪法"]], "", 2)
    assert grade(question, ["２０", " 宪法。"], 2, False) == (True, 2)
    assert grade(question, ["二十", "民法"], 2, False) == (False, 0)
    assert grade(question, ["二十", "民法"], 2, True) == (False, 1)


@pytest.mark.parametrize(("kind", "raw", "expected"), [
    ("single", "b", "B"), ("multiple", ["C", "A", "A"], ["A", "C"]), ("multiple", "CA", ["A", "C"]),
    ("true_false", True, True), ("true_false", "错", False), ("fill", ["甲 "], ["甲"]),
    ("fill", "甲", ["甲"]), ("single", None, None),
    # Nothing chosen is no answer (it counted as answered, and wrong).
    ("multiple", [], None), ("multiple", "", None),
    # A letter is read alike whatever the type: full width, lower case, spaces around.
    ("single", "Ａ", "A"), ("single", "ａ", "A"), ("single", " A ", "A"), ("single", "A\n", "A"),
    ("multiple", ["Ａ", "b "], ["A", "B"]), ("true_false", 1, True), ("true_false", 0, False),
])
def test_canonical_responses(app, kind, raw, expected):
    with app.test_request_context():
        assert canonical_response(kind, raw, list("ABCD"), 1) == expected


@pytest.mark.parametrize(("kind", "raw"), [
    ("single", "E"), ("single", ["A"]), ("multiple", ["Z"]), ("multiple", 3),
    ("true_false", "maybe"), ("fill", ["a", "b"]), ("fill", 5),
    ("single", "AB"), ("single", ""), ("single", 1), ("multiple", ["AB"]), ("multiple", [""]),
    ("true_false", 2), ("true_false", 1.0),
])
def test_malformed_responses_are_refused(app, kind, raw):
    with app.test_request_context(), pytest.raises(ValidationFailed):
        canonical_response(kind, raw, list("ABCD"), 1)
