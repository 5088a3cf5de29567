"""Demo question bank written for lawlearn (the questions are in demo_questions.json).

These questions were written for this project (not copied from any published question bank)
and checked against the official texts of the 宪法 (2018), 民法典, 政府信息公开条例 (2019) and
重大行政决策程序暂行条例 (2019). Each question cites exactly one article as "<law> <number>",
e.g. "宪法 33" or "政府信息公开条例 33", using the short law names in ``LAW_NAMES``.

Question shape (the same as the question bank's):

- ``type``: "single" | "multiple" | "true_false" | "fill"
- ``stem``: question text; a fill-in question has one "（　　）" per blank
- ``options``: option texts without letter prefixes (2–8) for single/multiple, [] otherwise
- ``answer``: single "B"; multiple ["A", "C"] (sorted, at least two); true_false True/False;
  fill one list of accepted alternatives per blank, e.g. [["二十", "20"]]
- ``explanation``, ``tags``, ``difficulty`` ("easy" | "medium" | "hard"), ``article``
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

LAW_NAMES = ("宪法", "民法典", "政府信息公开条例", "重大行政决策程序暂行条例")
QUESTION_TYPES = ("single", "multiple", "true_false", "fill")
DIFFICULTIES = ("easy", "medium", "hard")
OPTION_KEYS = "ABCDEFGH"
MIN_OPTIONS, MAX_OPTIONS = 2, 8
BLANK = "（　　）"
ARTICLE_RE = re.compile(r"^(宪法|民法典|政府信息公开条例|重大行政决策程序暂行条例) [0-9]+$")
KEYS = {"type", "stem", "options", "answer", "explanation", "tags", "difficulty", "article"}
# An option that starts with its own letter ("A. ", "B、", "(C)") would show the letter twice.
_LETTER_PREFIX = re.compile(r"^\s*[(（]?[A-Ha-hＡ-Ｈ]\s*[.．、:：)）]")

# The questions themselves are data (demo_questions.json, in the order 宪法, 民法典,
# 政府信息公开条例, 重大行政决策程序暂行条例); this module says what shape they must have.
DEMO_QUESTIONS: list[dict[str, Any]] = json.loads(
    (Path(__file__).with_name("demo_questions.json")).read_text(encoding="utf-8"))


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def _question_problems(q: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    if set(q) != KEYS:
        missing, extra = sorted(KEYS - set(q)), sorted(set(q) - KEYS)
        if missing:
            problems.append(f"missing keys {missing}")
        if extra:
            problems.append(f"unknown keys {extra}")
        return problems
    kind, stem, options, answer = q["type"], q["stem"], q["options"], q["answer"]
    if kind not in QUESTION_TYPES:
        return [f"unknown type {kind!r}"]
    if not isinstance(stem, str) or not stem.strip():
        return ["empty stem"]
    if not isinstance(q["explanation"], str) or not q["explanation"].strip():
        problems.append("empty explanation")
    if not _strings(q["tags"]) or not q["tags"]:
        problems.append("tags must be a non-empty list of strings")
    if q["difficulty"] not in DIFFICULTIES:
        problems.append(f"unknown difficulty {q['difficulty']!r}")
    if not isinstance(q["article"], str) or not ARTICLE_RE.match(q["article"]):
        problems.append(f"article {q['article']!r} is not '<law> <number>'")
    if kind in ("single", "multiple"):
        if not _strings(options) or not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            problems.append(f"needs {MIN_OPTIONS}–{MAX_OPTIONS} non-empty options")
            return problems
        if len(set(options)) != len(options):
            problems.append("duplicate options")
        if any(_LETTER_PREFIX.match(option) for option in options):
            problems.append("option starts with a letter prefix")
        keys = OPTION_KEYS[:len(options)]
        if kind == "single":
            if not isinstance(answer, str) or len(answer) != 1 or answer not in keys:
                problems.append(f"answer {answer!r} is not one of {keys}")
        elif not isinstance(answer, list) or not all(isinstance(k, str) and k in keys for k in answer):
            problems.append(f"answer {answer!r} must be letters among {keys}")
        elif len(answer) < 2:
            problems.append("a multiple-choice question needs at least two right answers")
        elif answer != sorted(set(answer)):
            problems.append("answer letters must be sorted and distinct")
    else:
        if options != []:
            problems.append("options must be [] for this type")
        if kind == "true_false":
            if not isinstance(answer, bool):
                problems.append("answer must be True or False")
        elif not isinstance(answer, list) or not answer or not all(_strings(b) and b for b in answer):
            problems.append("answer must be a list of blanks, each a non-empty list of strings")
        elif len(answer) != stem.count(BLANK):
            problems.append(f"{len(answer)} answer blanks but {stem.count(BLANK)} {BLANK} in the stem")
    return problems


def validate_bank() -> list[str]:
    """Problems in DEMO_QUESTIONS (empty when the bank is well formed)."""
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, question in enumerate(DEMO_QUESTIONS, start=1):
        if not isinstance(question, dict):
            problems.append(f"#{number}: not a dict")
            continue
        label = f"#{number} ({str(question.get('stem', ''))[:16]})"
        problems.extend(f"{label}: {problem}" for problem in _question_problems(question))
        stem = " ".join(str(question.get("stem", "")).split())
        if stem in seen:
            problems.append(f"{label}: same stem as #{seen[stem]}")
        else:
            seen[stem] = number
    return problems
