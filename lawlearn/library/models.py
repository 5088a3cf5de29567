"""Statutes (法律法规) in their structure, per-user study marks, bookmarks and notes,
and study materials with their collections and attachments."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lawlearn.database import utcnow
from lawlearn.extensions import db

if TYPE_CHECKING:
    from lawlearn.accounts.models import User

LAW_CATEGORIES = {
    "constitution": _l("宪法"), "law": _l("法律"), "administrative": _l("行政法规"),
    "local": _l("地方性法规"), "departmental": _l("部门规章"), "party": _l("党内法规"),
    "other": _l("其他"),
}
LAW_STATUSES = {"in_force": _l("现行有效"), "amended": _l("已修改"), "repealed": _l("已废止")}
DIVISION_KINDS = {"part": _l("编"), "subpart": _l("分编"), "chapter": _l("章"),
                  "section": _l("节"), "supplementary": _l("附则")}
MATERIAL_KINDS = {
    "article": _l("学习文章"), "speech": _l("讲话摘编"), "case": _l("以案释法"),
    "video": _l("视频链接"), "attachment": _l("附件"),
}


class Law(db.Model):
    """One version of a statute's text. A newer text of the same law is a new row."""

    __tablename__ = "law"
    __table_args__ = (
        # One current version per title, even when two admins import the law at once.
        Index("uq_law_current_title", "title", unique=True,
              sqlite_where=text("is_current = 1"), postgresql_where=text("is_current")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200), index=True)
    short_title: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20), default="law")
    issuing_body: Mapped[str | None] = mapped_column(String(200))
    promulgated_on: Mapped[date | None]
    effective_on: Mapped[date | None]
    revision_note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="in_force")
    preamble: Mapped[list[str]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)
    previous_version_id: Mapped[int | None] = mapped_column(ForeignKey("law.id"))
    is_current: Mapped[bool] = mapped_column(default=True, index=True)
    article_count: Mapped[int] = mapped_column(default=0)
    source_name: Mapped[str | None] = mapped_column(String(255))
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    divisions: Mapped[list[LawDivision]] = relationship(
        back_populates="law", order_by="LawDivision.position", cascade="all, delete-orphan")
    previous_version: Mapped[Law | None] = relationship(remote_side=[id])

    @property
    def display_title(self) -> str:
        return self.short_title or self.title

    @property
    def category_label(self) -> str:
        return str(LAW_CATEGORIES.get(self.category, self.category))

    @property
    def status_label(self) -> str:
        return str(LAW_STATUSES.get(self.status, self.status))


class LawDivision(db.Model):
    """编, 分编, 章, 节 or 附则, nested through ``parent_id``."""

    __tablename__ = "law_division"

    id: Mapped[int] = mapped_column(primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("law.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("law_division.id"))
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[int | None]
    label: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]

    law: Mapped[Law] = relationship(back_populates="divisions")
    parent: Mapped[LawDivision | None] = relationship(remote_side=[id])

    @property
    def heading(self) -> str:
        return f"{self.label} {self.title}".strip()


class LawArticle(db.Model):
    """第X条: its number as an integer and as written, and its paragraphs in order."""

    __tablename__ = "law_article"
    __table_args__ = (
        UniqueConstraint("law_id", "number", "sub_number"),
        Index("ix_law_article_law_position", "law_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("law.id", ondelete="CASCADE"))
    division_id: Mapped[int | None] = mapped_column(ForeignKey("law_division.id"), index=True)
    number: Mapped[int]
    sub_number: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(40))
    paragraphs: Mapped[list[str]] = mapped_column(JSON)
    # The paragraphs joined, for full-text search.
    text: Mapped[str] = mapped_column(Text)
    position: Mapped[int]

    law: Mapped[Law] = relationship()
    division: Mapped[LawDivision | None] = relationship()

    @property
    def slug(self) -> str:
        return f"{self.number}-{self.sub_number}" if self.sub_number else str(self.number)


class ArticleStudy(db.Model):
    """An article the user has marked as studied (counts toward plans and records)."""

    __tablename__ = "article_study"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("law_article.id", ondelete="CASCADE"),
                                            primary_key=True, index=True)
    studied_at: Mapped[datetime] = mapped_column(default=utcnow)


class ArticleBookmark(db.Model):
    __tablename__ = "article_bookmark"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("law_article.id", ondelete="CASCADE"),
                                            primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    article: Mapped[LawArticle] = relationship()


class ArticleNote(db.Model):
    """A private note of one user on one article."""

    __tablename__ = "article_note"
    __table_args__ = (UniqueConstraint("user_id", "article_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("law_article.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    article: Mapped[LawArticle] = relationship()


class MaterialArticle(db.Model):
    __tablename__ = "material_article"

    material_id: Mapped[int] = mapped_column(ForeignKey("material.id", ondelete="CASCADE"),
                                             primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("law_article.id", ondelete="CASCADE"),
                                            primary_key=True, index=True)


class Material(db.Model):
    """A study material: Markdown kept as written, sanitised HTML kept for display."""

    __tablename__ = "material"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="article")
    source: Mapped[str | None] = mapped_column(String(200))
    body_markdown: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str] = mapped_column(Text, default="")
    # Plain text of the body, for search and snippets.
    body_text: Mapped[str] = mapped_column(Text, default="")
    video_url: Mapped[str | None] = mapped_column(String(500))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    published: Mapped[bool] = mapped_column(default=False, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    articles: Mapped[list[LawArticle]] = relationship(
        secondary="material_article", order_by="(LawArticle.law_id, LawArticle.position)")
    attachments: Mapped[list[MaterialAttachment]] = relationship(
        back_populates="material", cascade="all, delete-orphan",
        order_by="MaterialAttachment.id")
    author: Mapped[User | None] = relationship()

    @property
    def kind_label(self) -> str:
        return str(MATERIAL_KINDS.get(self.kind, self.kind))


class MaterialRead(db.Model):
    """A person's reading of a material: first opened, and confirmed once read long enough.

    ``opened_at`` is the first open only, so that a phone reloading the page (switching
    apps) does not restart the reading time.
    """

    __tablename__ = "material_read"

    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                         primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("material.id", ondelete="CASCADE"),
                                             primary_key=True, index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]


class MaterialAttachment(db.Model):
    __tablename__ = "material_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("material.id", ondelete="CASCADE"),
                                             index=True)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    material: Mapped[Material] = relationship(back_populates="attachments")


class MaterialCollection(db.Model):
    """An ordered set of materials, optionally grouped (e.g. by the 十一个坚持)."""

    __tablename__ = "material_collection"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entries: Mapped[list[CollectionEntry]] = relationship(
        back_populates="collection", cascade="all, delete-orphan",
        order_by="CollectionEntry.position")


class CollectionEntry(db.Model):
    __tablename__ = "collection_entry"
    __table_args__ = (UniqueConstraint("collection_id", "material_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    collection_id: Mapped[int] = mapped_column(
        ForeignKey("material_collection.id", ondelete="CASCADE"), index=True)
    material_id: Mapped[int] = mapped_column(ForeignKey("material.id", ondelete="CASCADE"))
    group_title: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(default=0)

    collection: Mapped[MaterialCollection] = relationship(back_populates="entries")
    material: Mapped[Material] = relationship()
