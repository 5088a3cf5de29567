"""Answers: how people write them, their canonical form, and grading. Pure functions."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_babel import gettext as _

from lawlearn.errors import ValidationFailed

TRUE_WORDS = {"正确", "对", "√", "✓", "✔", "t", "true", "是", "y", "yes"}
FALSE_WORDS = {"错误", "错", "×", "✗", "✘", "x", "f", "false", "否", "n", "no"}
LETTER_SEPARATORS = re.compile(r"[\s,，、;；/]+")


def normalize_text(text: str) -> str:
    """Full width → half width, lower case, no spaces or punctuation (for fill-in answers)."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in text if not ch.isspace()
                   and not unicodedata.category(ch).startswith(("P", "S")))


def parse_letters(text: str) -> list[str]:
    """"AB", "ＡＢ", "A、B", "a,b", "A B" → ["A", "B"] (order kept, no repeats)."""
    compact = LETTER_SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "")).upper()
    letters: list[str] = []
    for letter in compact:
        if letter not in letters:
            letters.append(letter)
    return letters


def parse_true_false(text: str) -> bool | None:
    word = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def parse_fill_answer(text: str) -> list[list[str]]:
    """"甲/乙|丙" → [["甲", "乙"], ["丙"]]: "|" between blanks, "/" between alternatives."""
    text = (text or "").replace("｜", "|").replace("／", "/")
    return [[alt.strip() for alt in blank.split("/") if alt.strip()] for blank in text.split("|")]


def _invalid_answer() -> ValidationFailed:
    # Made only when needed: translating the message on every save is measurable at exam load.
    return ValidationFailed(_("答案格式不正确。"), code="invalid_answer")


def canonical_response(question_type: str, raw: Any, keys: list[str], blanks: int) -> Any:
    """Check a response from a client and put it in its stored form; raise 422 if malformed.

    ``keys``: the option letters shown; ``blanks``: the number of fill-in blanks.
    """
    if raw is None:
        return None
    # A letter is read as a multiple choice's letters are ("ａ", "Ａ", " A " are A).
    if question_type == "single":
        if raw in keys:
            return raw
        letters = parse_letters(raw) if isinstance(raw, str) else []
        if len(letters) != 1 or letters[0] not in keys:
            raise _invalid_answer()
        return letters[0]
    if question_type == "multiple":
        if isinstance(raw, str):
            raw = parse_letters(raw)
        if not isinstance(raw, list) or not all(isinstance(k, str) for k in raw):
            raise _invalid_answer()
        chosen = sorted({unicodedata.normalize("NFKC", k).strip().upper() for k in raw})
        if any(k not in keys for k in chosen):
            raise _invalid_answer()
        return chosen or None  # nothing chosen ("" or []) is no answer, as null is
    if question_type == "true_false":
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int) and raw in (0, 1):  # as JSON from languages without bool
            return bool(raw)
        if isinstance(raw, str) and parse_true_false(raw) is not None:
            return parse_true_false(raw)
        raise _invalid_answer()
    if question_type == "fill":
        if isinstance(raw, str) and blanks == 1:
            raw = [raw]
        if (not isinstance(raw, list) or len(raw) != blanks
                or not all(isinstance(v, str) and len(v) <= 500 for v in raw)):
            raise _invalid_answer()
        return [v.strip() for v in raw]
    raise _invalid_answer()


def grade(snapshot: dict[str, Any], response: Any, points: float,
          partial_credit: bool) -> tuple[bool, float]:
    """(correct, points awarded) for a canonical response to a frozen question."""
    kind, answer = snapshot["type"], snapshot["answer"]
    if response is None:
        return False, 0.0
    if kind in ("single", "true_false"):
        correct = response == answer
        return correct, points if correct else 0.0
    if kind == "multiple":
        right, chosen = set(answer), set(response)
        if chosen == right:
            return True, points
        if partial_credit and chosen and chosen <= right:
            # Partial credit for a subset of the right options; a wrong choice scores 0.
            return False, round(points * len(chosen) / len(right), 2)
        return False, 0.0
    if kind == "fill":
        hits = sum(1 for given, accepted in zip(response, answer, strict=False)
                   if normalize_text(given) in {normalize_text(a) for a in accepted})
        correct = hits == len(answer)
        if correct:
            return True, points
        return False, round(points * hits / len(answer), 2) if partial_credit else 0.0
    return False, 0.0
