"""Statutes: import, versions, outline, reading, study marks, bookmarks and notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from blinker import Namespace
from flask_babel import gettext as _
from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.errors import Conflict, NotFound, ValidationFailed, raise_all
from lawlearn.extensions import db
from lawlearn.library.history import history_facts
from lawlearn.library.models import (
    LAW_CATEGORIES,
    LAW_STATUSES,
    ArticleBookmark,
    ArticleNote,
    ArticleStudy,
    Law,
    LawArticle,
    LawDivision,
)
from lawlearn.library.parsing import ParsedLaw, parse_law
from lawlearn.library.versions import carry_over
from lawlearn.unique_keys import duplicate_raises, inserted

MAX_NOTE_LENGTH = 5000

# Sent as (None, user_id=…, article_id=…, now=…) when an article becomes studied.
article_studied = Namespace().signal("article-studied")


def guess_category(title: str) -> str:
    if title.endswith("宪法"):
        return "constitution"
    if "条例" in title and not title.startswith(("中国共产党", "中共")):
        return "administrative"
    if title.startswith(("中国共产党", "中共")):
        return "party"
    if title.endswith(("规定", "办法")):
        return "departmental"
    return "law"


def short_title_of(title: str) -> str | None:
    short = title.removeprefix("中华人民共和国")
    # A title too long for the short-title column has no usable short form either.
    fits = len(short) <= Law.short_title.type.length
    return short if short != title and fits else None


def current_version(title: str) -> Law | None:
    return db.session.scalar(
        select(Law).where(Law.title == title, Law.is_current.is_(True)))


def import_law(actor: User | None, data: bytes, *, title: str | None = None,
               source_name: str | None = None, parsed: ParsedLaw | None = None) -> Law:
    """Parse and store a statute; a law already in the library gets a new version.

    The old version stays readable (questions and materials keep pointing at it).
    """
    parsed = parsed or parse_law(data, title)
    previous = current_version(parsed.title)
    refuse_unchanged(previous, parsed)
    # What the text's history says. A new version of the same promulgation (a typo mended)
    # keeps what the version before had, an admin may have filled it in by hand; a newer
    # promulgation takes the history's dates together (an older 施行 would be wrong).
    facts = history_facts(parsed.notes)
    kept = previous if previous is not None and \
        facts.promulgated_on in (None, previous.promulgated_on) else None
    law = Law(
        title=parsed.title,
        short_title=previous.short_title if previous else short_title_of(parsed.title),
        category=previous.category if previous else guess_category(parsed.title),
        issuing_body=(kept.issuing_body if kept else None) or facts.issuing_body
        or (previous.issuing_body if previous else None),
        promulgated_on=(kept.promulgated_on if kept else None) or facts.promulgated_on,
        effective_on=(kept.effective_on if kept else None) or facts.effective_on,
        revision_note="\n".join(parsed.notes) or None,
        preamble=parsed.preamble,
        version=previous.version + 1 if previous else 1,
        previous_version=previous,
        article_count=len(parsed.articles),
        source_name=source_name,
        imported_by_id=actor.id if actor else None,
    )
    # Another admin importing the same law at the same moment commits first: the key on
    # current titles refuses this version, and nothing of it is written.
    with duplicate_raises(Conflict(_("《%(title)s》刚刚已由他人导入新的版本。请在法规库中查看后，"
                                     "如仍需要再重新上传。", title=parsed.title),
                                   code="law_imported_meanwhile")):
        if previous is not None:
            previous.is_current = False
            previous.status = "amended"
        db.session.add(law)

    divisions: list[LawDivision] = []
    for position, parsed_division in enumerate(parsed.divisions):
        division = LawDivision(
            law_id=law.id, kind=parsed_division.kind, number=parsed_division.number,
            label=parsed_division.label, title=parsed_division.title, position=position,
            parent=divisions[parsed_division.parent] if parsed_division.parent is not None
            else None)
        divisions.append(division)
    db.session.add_all(divisions)
    db.session.flush()
    db.session.execute(
        LawArticle.__table__.insert(),
        [{"law_id": law.id,
          "division_id": divisions[a.division].id if a.division is not None else None,
          "number": a.number, "sub_number": a.sub_number, "label": a.label,
          "paragraphs": a.paragraphs, "text": "\n".join(a.paragraphs), "position": position}
         for position, a in enumerate(parsed.articles)],
    )
    if previous is not None:
        carry_over(previous, law)
    summary = parsed.summary()
    record_audit(actor, "law.import", law,
                 _("导入法规《%(title)s》第 %(version)d 版，共 %(n)d 条",
                   title=law.title, version=law.version, n=summary["articles"]),
                 {**summary, "source": source_name})
    return law


def refuse_unchanged(previous: Law | None, parsed: ParsedLaw) -> None:
    """ValidationFailed when ``parsed`` repeats the current version word for word: a
    version more would change nothing (the import preview says so before any button)."""
    if previous is not None and _same_text(previous, parsed):
        raise ValidationFailed(_("文本与法规库中的现行版本（第 %(v)d 版）完全相同，无需再次导入。",
                                 v=previous.version), code="unchanged_law")


def articles_dropped(previous: Law | None, parsed: ParsedLaw) -> int:
    """How many articles fewer ``parsed`` has than the current version, when that is more
    than a tenth of them (else 0): a much shorter text is more often one book or chapter
    of the law than a new version of it, and would replace the whole."""
    if previous is None:
        return 0
    dropped = previous.article_count - len(parsed.articles)
    return dropped if dropped > previous.article_count // 10 else 0


def _same_text(law: Law, parsed: ParsedLaw) -> bool:
    if law.article_count != len(parsed.articles) or (law.preamble or []) != parsed.preamble:
        return False
    stored = db.session.execute(select(LawArticle.label, LawArticle.text).where(
        LawArticle.law_id == law.id).order_by(LawArticle.position)).all()
    return [(label, text) for label, text in stored] == [
        (a.label, "\n".join(a.paragraphs)) for a in parsed.articles]


def import_summary(law: Law, parsed: ParsedLaw) -> dict:
    """The JSON shape printed by ``law import --json``."""
    return {"law_id": law.id, "title": law.title, "version": law.version, **parsed.summary()}


@dataclass
class LawMetadata:
    title: str
    short_title: str | None
    category: str
    issuing_body: str | None
    promulgated_on: object
    effective_on: object
    revision_note: str | None
    status: str


def update_law(actor: User, law: Law, fields: LawMetadata) -> None:
    raise_all([ValidationFailed(message, field=name) for failed, name, message in (
        (fields.category not in LAW_CATEGORIES, "category", _("未知的法规类别。")),
        (fields.status not in LAW_STATUSES, "status", _("未知的法规状态。")),
        (not fields.title.strip(), "title", _("请填写标题。")),
        (bool(fields.promulgated_on and fields.effective_on
              and fields.effective_on < fields.promulgated_on),
         "effective_on", _("施行日期不能早于公布日期。"))) if failed])
    title = fields.title.strip()
    taken = ValidationFailed(_("法规库中已有现行的《%(title)s》；新的文本请通过导入成为它的新版本。",
                               title=title), field="title")
    if law.is_current and title != law.title:
        other = current_version(title)
        if other is not None and other.id != law.id:
            raise taken
    with duplicate_raises(taken):  # the same title given to two laws at once
        for name, value in vars(fields).items():
            setattr(law, name, value.strip() if isinstance(value, str) else value)
        law.short_title = law.short_title or None
    record_audit(actor, "law.update", law, _("修改法规《%(title)s》的信息", title=law.title))


def get_law(law_id: int) -> Law:
    law = db.session.get(Law, law_id)
    if law is None:
        raise NotFound(_("法规不存在。"))
    return law


def list_laws(*, include_old: bool = False, category: str | None = None) -> list[Law]:
    category_order = case({key: index for index, key in enumerate(LAW_CATEGORIES)},
                          value=Law.category, else_=len(LAW_CATEGORIES))
    query = select(Law).order_by(category_order, Law.title, Law.version.desc())
    if not include_old:
        query = query.where(Law.is_current.is_(True))
    if category:
        query = query.where(Law.category == category)
    return list(db.session.scalars(query))


@dataclass
class OutlineNode:
    division: LawDivision
    children: list[OutlineNode] = field(default_factory=list)
    first_article: LawArticle | None = None
    last_article: LawArticle | None = None


def law_outline(law: Law) -> list[OutlineNode]:
    """The 编/分编/章/节 tree with each node's article range, in two queries."""
    divisions = list(db.session.scalars(
        select(LawDivision).where(LawDivision.law_id == law.id).order_by(LawDivision.position)))
    nodes = {d.id: OutlineNode(d) for d in divisions}
    roots: list[OutlineNode] = []
    for division in divisions:
        node = nodes[division.id]
        (nodes[division.parent_id].children if division.parent_id else roots).append(node)
    ranges = db.session.execute(
        select(LawArticle.division_id, func.min(LawArticle.position),
               func.max(LawArticle.position))
        .where(LawArticle.law_id == law.id).group_by(LawArticle.division_id))
    wanted = {}
    for division_id, first, last in ranges:
        if division_id is not None:
            wanted[division_id] = (first, last)
    positions = {p for pair in wanted.values() for p in pair}
    articles = {a.position: a for a in db.session.scalars(
        select(LawArticle).where(LawArticle.law_id == law.id,
                                 LawArticle.position.in_(positions)))} if positions else {}

    def fill(node: OutlineNode) -> tuple[int, int] | None:
        spans = [wanted[node.division.id]] if node.division.id in wanted else []
        spans += [span for child in node.children if (span := fill(child))]
        if not spans:
            return None
        first, last = min(s[0] for s in spans), max(s[1] for s in spans)
        node.first_article, node.last_article = articles.get(first), articles.get(last)
        return first, last

    for root in roots:
        fill(root)
    return roots


@dataclass
class ArticlePage:
    article: LawArticle
    previous: LawArticle | None
    next: LawArticle | None
    trail: list[LawDivision]  # outermost division first
    studied: bool
    bookmarked: bool
    note: ArticleNote | None
    newer: Law | None  # the current version, when this article belongs to an older one


def article_page(law: Law, number: int, sub_number: int, user: User) -> ArticlePage:
    """Everything an article page shows, in a fixed number of queries."""
    article = db.session.scalar(select(LawArticle).where(
        LawArticle.law_id == law.id, LawArticle.number == number,
        LawArticle.sub_number == sub_number))
    if article is None:
        raise NotFound(_("该条文不存在。"))
    neighbours = {a.position: a for a in db.session.scalars(select(LawArticle).where(
        LawArticle.law_id == law.id,
        LawArticle.position.in_([article.position - 1, article.position + 1])))}
    trail: list[LawDivision] = []
    if article.division_id is not None:
        by_id = {d.id: d for d in db.session.scalars(
            select(LawDivision).where(LawDivision.law_id == law.id))}
        division = by_id.get(article.division_id)
        while division is not None:
            trail.insert(0, division)
            division = by_id.get(division.parent_id) if division.parent_id else None
    key = {"user_id": user.id, "article_id": article.id}
    marks = db.session.execute(select(
        select(ArticleStudy.article_id).filter_by(**key).exists(),
        select(ArticleBookmark.article_id).filter_by(**key).exists(),
    )).one()
    note = db.session.scalar(select(ArticleNote).filter_by(**key))
    newer = None
    if not law.is_current:
        newer = current_version(law.title)
    return ArticlePage(article, neighbours.get(article.position - 1),
                       neighbours.get(article.position + 1), trail, bool(marks[0]),
                       bool(marks[1]), note, newer)


def get_article(article_id: int) -> LawArticle:
    article = db.session.get(LawArticle, article_id, options=[joinedload(LawArticle.law)])
    if article is None:
        raise NotFound(_("该条文不存在。"))
    return article


def set_studied(user: User, article: LawArticle, studied: bool, now: datetime) -> None:
    """Mark (or unmark) an article as studied; repeating a mark changes nothing."""
    existing = db.session.get(ArticleStudy, (user.id, article.id))
    if studied and existing is None:
        if not _added(ArticleStudy(user_id=user.id, article_id=article.id, studied_at=now)):
            return  # marked at the same moment in another tab: studied (and paid) there
        article_studied.send(None, user_id=user.id, article_id=article.id, now=now)
    elif not studied and existing is not None:
        db.session.delete(existing)


def set_bookmark(user: User, article: LawArticle, bookmarked: bool) -> None:
    existing = db.session.get(ArticleBookmark, (user.id, article.id))
    if bookmarked and existing is None:
        _added(ArticleBookmark(user_id=user.id, article_id=article.id))
    elif not bookmarked and existing is not None:
        db.session.delete(existing)


def has_note(user: User, article: LawArticle) -> bool:
    return db.session.scalar(select(ArticleNote.id).filter_by(
        user_id=user.id, article_id=article.id)) is not None


def save_note(user: User, article: LawArticle, body: str) -> ArticleNote | None:
    """Save the user's private note; an empty note is deleted."""
    body = (body or "").strip()
    if len(body) > MAX_NOTE_LENGTH:
        raise ValidationFailed(_("笔记不能超过 %(n)d 字。", n=MAX_NOTE_LENGTH), field="body")
    note = db.session.scalar(select(ArticleNote).filter_by(user_id=user.id,
                                                           article_id=article.id))
    if not body:
        if note is not None:
            db.session.delete(note)
        return None
    if note is None:
        note = ArticleNote(user_id=user.id, article_id=article.id, body=body)
        if _added(note):
            return note
        # saved at the same moment in another tab: this text replaces that one
        note = db.session.scalar(select(ArticleNote).filter_by(user_id=user.id,
                                                               article_id=article.id))
    note.body = body
    return note


def _added(row: ArticleStudy | ArticleBookmark | ArticleNote) -> bool:
    """Insert a person's mark on an article; False when a double tap or another tab has
    just inserted the same one (its unique key), which then stands."""
    return inserted(row)


def studied_counts(user: User, law_ids: list[int]) -> dict[int, int]:
    """Articles studied by ``user`` per law, for progress bars."""
    if not law_ids:
        return {}
    rows = db.session.execute(
        select(LawArticle.law_id, func.count()).join(
            ArticleStudy, ArticleStudy.article_id == LawArticle.id)
        .where(ArticleStudy.user_id == user.id, LawArticle.law_id.in_(law_ids))
        .group_by(LawArticle.law_id))
    return dict(rows.all())


def user_bookmarks(user: User) -> list[tuple[LawArticle, ArticleNote | None]]:
    """The user's bookmarked and annotated articles, newest first."""
    bookmarks = db.session.scalars(
        select(ArticleBookmark).where(ArticleBookmark.user_id == user.id)
        .options(joinedload(ArticleBookmark.article).joinedload(LawArticle.law))
        .order_by(ArticleBookmark.created_at.desc())).all()
    notes = {n.article_id: n for n in db.session.scalars(
        select(ArticleNote).where(ArticleNote.user_id == user.id)
        .options(joinedload(ArticleNote.article).joinedload(LawArticle.law)))}
    items = [(b.article, notes.pop(b.article_id, None)) for b in bookmarks]
    items += [(n.article, n) for n in sorted(notes.values(), key=lambda n: n.updated_at,
                                             reverse=True)]
    return items
