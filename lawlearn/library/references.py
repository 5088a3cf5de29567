"""Article references as people write them: "宪法 33", "民法典第1165条", "民法典 1165-1167".

Used wherever content points at the law: materials, questions, sessions.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import or_, select, tuple_
from sqlalchemy.orm import joinedload

from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import Law, LawArticle
from lawlearn.library.parsing import NUMERAL, chinese_number, squash

ENTRY_SEPARATORS = re.compile(r"[;；\n]+")
# One number ("33", "第三十三条", "第五十六条之一", "56之一") or a range of whole articles.
_ONE = rf"第?\s*{NUMERAL}\s*条?(?:\s*之\s*{NUMERAL})?"
REFERENCE = re.compile(rf"^(?P<law>.+?)\s*(?P<numbers>(?:{_ONE}\s*"
                       rf"(?:[-－—~～至到]\s*{_ONE})?\s*[,，、]?\s*)+)$")
NUMBER_PART = re.compile(rf"第?\s*({NUMERAL})\s*条?(?:\s*之\s*({NUMERAL}))?"
                         rf"(?:\s*[-－—~～至到]\s*第?\s*({NUMERAL})\s*条?(?:\s*之\s*({NUMERAL}))?)?")
MAX_RANGE = 200
MAX_ARTICLE = 100_000  # far past the longest code (民法典: 1,260 articles)


def _find_law(name: str) -> Law | None:
    name = squash(name).strip("《》")
    candidates = list(db.session.scalars(select(Law).where(
        Law.is_current.is_(True),
        or_(Law.title == name, Law.short_title == name, Law.title.contains(name)))))
    exact = [law for law in candidates if name in (law.title, law.short_title)]
    if len(exact) == 1:
        return exact[0]
    return candidates[0] if len(candidates) == 1 else None


def parse_reference(entry: str) -> tuple[str, list[tuple[int, int]]]:
    """("宪法", [(33, 0), (34, 0), (35, 0)]) for "宪法 33-35", ("条例", [(56, 1)]) for
    "条例第五十六条之一": (number, sub-number) pairs. Raises ValueError when unreadable; a
    range runs between whole articles."""
    match = REFERENCE.match(entry.strip())
    if match is None:
        raise ValueError(entry)
    numbers: list[tuple[int, int]] = []
    for start, start_sub, end, end_sub in NUMBER_PART.findall(match.group("numbers")):
        first = chinese_number(start)
        if not end:
            numbers.append((first, chinese_number(start_sub) if start_sub else 0))
            continue
        last = chinese_number(end)
        if start_sub or end_sub or last < first or last - first > MAX_RANGE:
            raise ValueError(entry)
        numbers.extend((n, 0) for n in range(first, last + 1))
    return match.group("law"), numbers


def article_number_label(number: int, sub_number: int = 0) -> str:
    """"56" or "56之一", as people write a reference."""
    if not sub_number:
        return str(number)
    return f"{number}之{'一二三四五六七八九'[sub_number - 1] if sub_number < 10 else sub_number}"


def resolve_article_references(text: str) -> list[LawArticle]:
    """Every article named in ``text``; names every reference it cannot resolve."""
    problems: list[str] = []
    wanted: list[tuple[int, int, int]] = []
    for entry in (e.strip() for e in ENTRY_SEPARATORS.split(text or "")):
        if not entry:
            continue
        try:
            law_name, numbers = parse_reference(entry)
        except ValueError:
            problems.append(_("无法识别“%(entry)s”（示例：宪法 33；民法典 1165-1167）",
                              entry=entry))
            continue
        law = _find_law(law_name)
        if law is None:
            problems.append(_("找不到法规“%(name)s”", name=law_name))
            continue
        wanted.extend((law.id, number, sub) for number, sub in numbers)
    found: dict[tuple[int, int, int], LawArticle] = {}
    # A number no statute reaches is simply missing: it must not reach the database either
    # (past the integer column, PostgreSQL and SQLite refuse to compare it).
    askable = [key for key in wanted if key[1] <= MAX_ARTICLE and key[2] <= MAX_ARTICLE]
    if askable:
        found = {(a.law_id, a.number, a.sub_number): a for a in db.session.scalars(
            select(LawArticle).where(tuple_(LawArticle.law_id, LawArticle.number,
                                            LawArticle.sub_number).in_(askable))
            .options(joinedload(LawArticle.law)))}
    # Checked against the articles themselves: a count of entries says nothing of 之一.
    missing = [key for key in wanted if key not in found]
    if missing:
        titles = {law.id: law.display_title for law in db.session.scalars(
            select(Law).where(Law.id.in_({law_id for law_id, _n, _s in missing})))}
        law_id, number, sub = missing[0]
        problems.append(_("《%(law)s》没有第 %(n)s 条", law=titles[law_id],
                          n=article_number_label(number, sub)))
    if problems:
        raise ValidationFailed("；".join(problems), field="article_refs")
    return [found[key] for key in dict.fromkeys(wanted)]


def format_references(articles: list[LawArticle]) -> str:
    """The inverse of :func:`resolve_article_references`, for editing forms."""
    by_law: dict[str, list[str]] = {}
    for article in articles:
        by_law.setdefault(article.law.display_title, []).append(
            article_number_label(article.number, article.sub_number))
    return "；".join(f"{name} {'、'.join(numbers)}" for name, numbers in by_law.items())
