"""Article references as people write them: "宪法 33", "民法典第1165条", "民法典 1165-1167".

Used wherever content points at the law: materials, questions, sessions.
"""

from __future__ import annotations

import re

from flask_babel import gettext as _
from sqlalchemy import or_, select, tuple_

from lawlearn.errors import ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import Law, LawArticle
from lawlearn.library.parsing import NUMERAL, chinese_number, squash

ENTRY_SEPARATORS = re.compile(r"[;；\n]+")
REFERENCE = re.compile(rf"^(?P<law>.+?)\s*(?P<numbers>(?:第?\s*{NUMERAL}\s*条?\s*"
                       rf"(?:[-－—~～至到]\s*第?\s*{NUMERAL}\s*条?)?\s*[,，、]?\s*)+)$")
NUMBER_PART = re.compile(rf"第?\s*({NUMERAL})\s*条?(?:\s*[-－—~～至到]\s*第?\s*({NUMERAL})\s*条?)?")
MAX_RANGE = 200


def _find_law(name: str) -> Law | None:
    name = squash(name).strip("《》")
    candidates = list(db.session.scalars(select(Law).where(
        Law.is_current.is_(True),
        or_(Law.title == name, Law.short_title == name, Law.title.contains(name)))))
    exact = [law for law in candidates if name in (law.title, law.short_title)]
    if len(exact) == 1:
        return exact[0]
    return candidates[0] if len(candidates) == 1 else None


def parse_reference(entry: str) -> tuple[str, list[int]]:
    """("宪法", [33, 34, 35]) for "宪法 33-35"; raises ValueError when unreadable."""
    match = REFERENCE.match(entry.strip())
    if match is None:
        raise ValueError(entry)
    numbers: list[int] = []
    for start, end in NUMBER_PART.findall(match.group("numbers")):
        first = chinese_number(start)
        last = chinese_number(end) if end else first
        if last < first or last - first > MAX_RANGE:
            raise ValueError(entry)
        numbers.extend(range(first, last + 1))
    return match.group("law"), numbers


def resolve_article_references(text: str) -> list[LawArticle]:
    """Every article named in ``text``; names every reference it cannot resolve."""
    problems: list[str] = []
    wanted: list[tuple[int, int]] = []
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
        missing = [n for n in numbers if n > law.article_count or n < 1]
        if missing:
            problems.append(_("《%(law)s》没有第 %(n)d 条", law=law.display_title, n=missing[0]))
            continue
        wanted.extend((law.id, n) for n in numbers)
    if problems:
        raise ValidationFailed("；".join(problems), field="article_refs")
    if not wanted:
        return []
    articles = db.session.scalars(select(LawArticle).where(
        tuple_(LawArticle.law_id, LawArticle.number).in_(wanted),
        LawArticle.sub_number == 0)).all()
    order = {key: index for index, key in enumerate(wanted)}
    return sorted(articles, key=lambda a: order[(a.law_id, a.number)])


def format_references(articles: list[LawArticle]) -> str:
    """The inverse of :func:`resolve_article_references`, for editing forms."""
    by_law: dict[str, list[int]] = {}
    for article in articles:
        by_law.setdefault(article.law.display_title, []).append(article.number)
    return "；".join(f"{name} {'、'.join(str(n) for n in numbers)}"
                    for name, numbers in by_law.items())
