"""Chinese full-text search without word segmentation.

SQLite: FTS5 tables with the trigram tokenizer, kept in step with their tables by triggers.
PostgreSQL: pg_trgm GIN indexes that serve ILIKE '%…%'. Queries shorter than three
characters cannot use trigrams and fall back to a plain substring scan.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from markupsafe import Markup, escape
from sqlalchemy import DDL, String, and_, bindparam, cast, event, func, literal, or_, select, text
from sqlalchemy.orm import joinedload

from lawlearn.database import like_pattern
from lawlearn.extensions import db
from lawlearn.library.models import Law, LawArticle, Material
from lawlearn.library.parsing import MAX_NUMBER, MAX_NUMERAL_LENGTH, NUMERAL, chinese_number, squash
from lawlearn.pagination import PagerLinks

SQLITE_DDL = {
    "law_article": [
        "CREATE VIRTUAL TABLE IF NOT EXISTS law_article_fts USING fts5("
        "text, content='law_article', content_rowid='id', tokenize='trigram')",
        "CREATE TRIGGER IF NOT EXISTS law_article_fts_ai AFTER INSERT ON law_article BEGIN "
        "INSERT INTO law_article_fts(rowid, text) VALUES (new.id, new.text); END",
        "CREATE TRIGGER IF NOT EXISTS law_article_fts_ad AFTER DELETE ON law_article BEGIN "
        "INSERT INTO law_article_fts(law_article_fts, rowid, text) "
        "VALUES ('delete', old.id, old.text); END",
        "CREATE TRIGGER IF NOT EXISTS law_article_fts_au AFTER UPDATE ON law_article BEGIN "
        "INSERT INTO law_article_fts(law_article_fts, rowid, text) "
        "VALUES ('delete', old.id, old.text); "
        "INSERT INTO law_article_fts(rowid, text) VALUES (new.id, new.text); END",
    ],
    "material": [
        "CREATE VIRTUAL TABLE IF NOT EXISTS material_fts USING fts5("
        "title, body_text, content='material', content_rowid='id', tokenize='trigram')",
        "CREATE TRIGGER IF NOT EXISTS material_fts_ai AFTER INSERT ON material BEGIN "
        "INSERT INTO material_fts(rowid, title, body_text) "
        "VALUES (new.id, new.title, new.body_text); END",
        "CREATE TRIGGER IF NOT EXISTS material_fts_ad AFTER DELETE ON material BEGIN "
        "INSERT INTO material_fts(material_fts, rowid, title, body_text) "
        "VALUES ('delete', old.id, old.title, old.body_text); END",
        "CREATE TRIGGER IF NOT EXISTS material_fts_au AFTER UPDATE ON material BEGIN "
        "INSERT INTO material_fts(material_fts, rowid, title, body_text) "
        "VALUES ('delete', old.id, old.title, old.body_text); "
        "INSERT INTO material_fts(rowid, title, body_text) "
        "VALUES (new.id, new.title, new.body_text); END",
    ],
}
POSTGRES_DDL = {
    "law_article": [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE INDEX IF NOT EXISTS ix_trgm_law_article_text ON law_article "
        "USING gin (text gin_trgm_ops)",
    ],
    "material": [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        "CREATE INDEX IF NOT EXISTS ix_trgm_material_title ON material "
        "USING gin (title gin_trgm_ops)",
        "CREATE INDEX IF NOT EXISTS ix_trgm_material_body ON material "
        "USING gin (body_text gin_trgm_ops)",
    ],
}


def _install(table_name: str):
    def create(_table, connection, **_kw):
        statements = {"sqlite": SQLITE_DDL, "postgresql": POSTGRES_DDL}.get(
            connection.dialect.name, {})
        for statement in statements.get(table_name, []):
            connection.execute(text(statement))

    return create


for _model in (LawArticle, Material):
    _table = _model.__table__
    event.listen(_table, "after_create", _install(_table.name))
    event.listen(_table, "before_drop",
                 DDL(f"DROP TABLE IF EXISTS {_table.name}_fts").execute_if(dialect="sqlite"))


# --- queries --------------------------------------------------------------------------

# A phone page within the weight budget (UI.md: 60 KB in all), however large the library:
# the first hits of the laws with most of them; the other laws by name and count only; all
# of one law's hits a page at a time.
HITS_PER_LAW = 5
LAWS_WITH_HITS = 8
HITS_PER_PAGE = 20
MAX_MATERIAL_HITS = 20
NUMBER_QUERY = re.compile(rf"^(?P<law>.*?)\s*第?\s*(?P<number>{NUMERAL})\s*条?"
                          rf"(?:\s*之\s*(?P<sub>{NUMERAL}))?(?:\s*的?规定)?$")


PREAMBLE_WORD = "序言"


def _plain(query: str) -> str:
    """The query without punctuation: a law's name is pasted in 《》, a phrase in quotes or
    with its full stop, and no article's text holds them that way."""
    return "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in query)


def _terms(query: str) -> list[str]:
    return [term for term in re.split(r"\s+", _plain(query).strip()) if term][:5]


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _article_condition(term: str):
    if db.engine.dialect.name == "sqlite" and len(term) >= 3:
        return LawArticle.id.in_(
            select(text("rowid")).select_from(text("law_article_fts"))
            .where(text("law_article_fts MATCH :phrase").bindparams(
                bindparam("phrase", _fts_phrase(term), unique=True)))
            .scalar_subquery()
        )
    return LawArticle.text.ilike(like_pattern(term), escape="\\")


def _in_law_or_text(term: str, several: bool):
    """An article condition for one term. Beside other terms, a term naming a law
    ("民法典 隐私权") also matches that law's articles: the name is seldom in its own text,
    and every term must match. Alone it stays a text search (not 1,260 articles)."""
    condition = _article_condition(term)
    if not several:
        return condition
    pattern = like_pattern(term)
    return or_(condition, Law.title.ilike(pattern, escape="\\"),
               Law.short_title.ilike(pattern, escape="\\"))


def _material_condition(term: str):
    if db.engine.dialect.name == "sqlite" and len(term) >= 3:
        return Material.id.in_(
            select(text("rowid")).select_from(text("material_fts"))
            .where(text("material_fts MATCH :phrase").bindparams(
                bindparam("phrase", _fts_phrase(term), unique=True)))
            .scalar_subquery()
        )
    pattern = like_pattern(term)
    return or_(Material.title.ilike(pattern, escape="\\"),
               Material.body_text.ilike(pattern, escape="\\"))


@dataclass
class SearchResults(PagerLinks):
    query: str
    articles_by_law: list[tuple[Law, list[LawArticle]]] = field(default_factory=list)
    direct_articles: list[LawArticle] = field(default_factory=list)  # found by number
    materials: list[Material] = field(default_factory=list)
    article_total: int = 0  # every article found, shown or not
    law_totals: dict[int, int] = field(default_factory=dict)  # law id → its articles found
    more_laws: list[tuple[Law, int]] = field(default_factory=list)  # found, hits not shown
    within: Law | None = None  # the one law searched, a page of its hits at a time
    laws_named: list[Law] = field(default_factory=list)  # nothing found: laws the words name
    preambles: list[tuple[Law, str]] = field(default_factory=list)  # (law, its paragraph hit)
    page: int = 1
    pages: int = 1

    @property
    def empty(self) -> bool:
        return not (self.articles_by_law or self.direct_articles or self.materials
                    or self.preambles)

    # One law's pages, in the shape macros/forms.html's pagination_nav reads.
    @property
    def total(self) -> int:
        return self.article_total


def parse_number_query(query: str, *, in_one_law: bool = False) -> tuple[str, int, int | None] | None:
    """("民法典", 1165, None) for "民法典 1165", "民法典第一千一百六十五条"; ("", 12, None) for
    "第十二条"; ("条例", 56, 1) for "条例第五十六条之一" (None: the article and its 之一…).
    ``in_one_law``: searching one law's text, a bare "12" is its article too."""
    compact = " ".join(_plain(query).split())
    match = NUMBER_QUERY.match(compact)
    if match is None:
        return None
    law_part, number_text = match.group("law").strip(), match.group("number")
    has_marker = "第" in compact or compact.endswith("条")
    if not number_text.isdigit() and not has_marker:
        return None  # 一二三 alone is a text search
    if not law_part and not has_marker and not (in_one_law and number_text.isdigit()):
        return None  # a bare "12" is a text search (and, in one law, its article as well)
    if len(number_text) > MAX_NUMERAL_LENGTH:
        return None  # no article has such a number: search the text
    try:
        number = chinese_number(number_text)
        sub = chinese_number(match.group("sub")) if match.group("sub") else None
    except ValueError:
        return None
    return (squash(law_part), number, sub) if 0 < number <= MAX_NUMBER else None


def search_library(query: str, *, include_unpublished: bool = False, law_id: int | None = None,
                   page: int = 1) -> SearchResults:
    """Articles of current laws and published materials matching every term of ``query``:
    each law's first hits with its real count; with ``law_id``, that law's hits alone, a
    page at a time. A fixed number of queries either way."""
    results = SearchResults(query=query.strip())
    terms = _terms(query)
    if not terms:
        return results

    number_query = parse_number_query(query, in_one_law=law_id is not None)
    if number_query is not None:
        law_part, number, sub = number_query
        condition = and_(LawArticle.number == number, Law.is_current.is_(True))
        if sub is not None:
            condition = and_(condition, LawArticle.sub_number == sub)
        if law_part:
            pattern = like_pattern(law_part)
            condition = and_(condition, or_(Law.title.ilike(pattern, escape="\\"),
                                            Law.short_title.ilike(pattern, escape="\\")))
        elif law_id is not None:  # "第十二条" typed on a law's page: that law's article
            condition = and_(condition, LawArticle.law_id == law_id)
        results.direct_articles = list(db.session.scalars(
            select(LawArticle).join(Law).where(condition)
            .options(joinedload(LawArticle.law)).order_by(Law.title, LawArticle.sub_number)
            .limit(20)))

    found = [Law.is_current.is_(True),
             *[_in_law_or_text(term, len(terms) > 1) for term in terms]]
    if law_id is not None:
        found.append(LawArticle.law_id == law_id)
    counted = db.session.execute(
        select(Law, func.count(LawArticle.id).label("hits")).join(LawArticle).where(*found)
        .group_by(Law.id).order_by(func.count(LawArticle.id).desc(), Law.title)).all()
    results.law_totals = {law.id: hits for law, hits in counted}
    results.article_total = sum(results.law_totals.values())
    results.more_laws = [(law, hits) for law, hits in counted[LAWS_WITH_HITS:]]
    if law_id is not None:
        results.pages = max(1, -(-results.article_total // HITS_PER_PAGE))
        results.page = min(max(1, page), results.pages)
        articles = list(db.session.scalars(
            select(LawArticle).join(Law).where(*found).options(joinedload(LawArticle.law))
            .order_by(LawArticle.position)
            .offset((results.page - 1) * HITS_PER_PAGE).limit(HITS_PER_PAGE)))
        results.within = articles[0].law if articles else db.session.get(Law, law_id)
    else:
        # Each law's first hits in one statement: a common word had filled the page with
        # the first laws in title order and left the others out.
        shown = [law.id for law, _hits in counted[:LAWS_WITH_HITS]]
        ranked = (select(LawArticle.id, func.row_number().over(
            partition_by=LawArticle.law_id, order_by=LawArticle.position).label("rank"))
            .join(Law).where(*found, LawArticle.law_id.in_(shown)).subquery())
        articles = list(db.session.scalars(
            select(LawArticle).join(ranked, ranked.c.id == LawArticle.id)
            .where(ranked.c.rank <= HITS_PER_LAW).options(joinedload(LawArticle.law))
            .order_by(LawArticle.position)))
    grouped: dict[int, tuple[Law, list[LawArticle]]] = {}
    for article in articles:
        grouped.setdefault(article.law_id, (article.law, []))[1].append(article)
    # The laws with most hits first, as counted.
    order = list(results.law_totals)
    results.articles_by_law = sorted(grouped.values(), key=lambda pair: order.index(pair[0].id))
    if law_id is not None:
        return results  # that law's articles only

    results.preambles = _preambles(terms)
    material_query = select(Material).where(*[_material_condition(term) for term in terms])
    if not include_unpublished:
        material_query = material_query.where(Material.published.is_(True))
    results.materials = list(db.session.scalars(
        material_query.order_by(Material.updated_at.desc()).limit(MAX_MATERIAL_HITS)))
    # "民法典" alone is seldom in any article: the laws the words name, shown when nothing
    # else is found (read either way: a search's queries do not depend on what it finds).
    results.laws_named = list(db.session.scalars(select(Law).where(
        Law.is_current.is_(True), or_(*[
            column.ilike(like_pattern(term), escape="\\") for term in terms
            for column in (Law.title, Law.short_title)])).order_by(Law.title).limit(5)))
    return results


def _preambles(terms: list[str]) -> list[tuple[Law, str]]:
    """Current laws whose preamble (the Constitution's 序言, not an article) holds every
    term, with the paragraph to show. "序言" matches every preamble and, beside other
    terms, so does a law's name ("宪法 序言")."""
    text_of = cast(Law.preamble, String)
    conditions = []
    for term in terms:
        pattern = like_pattern(term)
        condition = or_(text_of.ilike(pattern, escape="\\"), literal(term == PREAMBLE_WORD))
        if len(terms) > 1:
            condition = or_(condition, Law.title.ilike(pattern, escape="\\"),
                            Law.short_title.ilike(pattern, escape="\\"))
        conditions.append(condition)
    laws = db.session.scalars(select(Law).where(
        Law.is_current.is_(True), text_of.not_in(["[]", "null"]), *conditions)
        .order_by(Law.title).limit(5))
    found = []
    for law in laws:
        paragraphs = law.preamble or []
        shown = next((p for p in paragraphs if any(t in p for t in terms)), paragraphs[0])
        found.append((law, shown))
    return found


def highlight(text_value: str, query: str, *, context: int | None = None) -> Markup:
    """Escape ``text_value`` and wrap each term of ``query`` in <mark>.

    With ``context``, only a window of that many characters around the first hit is kept.
    """
    terms = sorted({t for t in _terms(query)}, key=len, reverse=True)
    if context is not None:
        positions = [text_value.find(t) for t in terms if t in text_value]
        if positions:
            start = max(0, min(positions) - context // 3)
            window = text_value[start:start + context]
            text_value = ("…" if start else "") + window + (
                "…" if start + context < len(text_value) else "")
        elif len(text_value) > context:
            text_value = text_value[:context] + "…"
    if not terms:
        return escape(text_value)
    pattern = re.compile("|".join(re.escape(t) for t in terms))
    parts, last = [], 0
    for match in pattern.finditer(text_value):
        parts.append(escape(text_value[last:match.start()]))
        parts.append(Markup("<mark>%s</mark>") % match.group(0))
        last = match.end()
    parts.append(escape(text_value[last:]))
    return Markup("").join(parts)
