"""Study materials: sanitised Markdown, linked articles (attachments: attachments.py),
and collections."""

from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime

import nh3
from blinker import Namespace
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from sqlalchemy import String, cast, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.errors import Conflict, NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import (
    MATERIAL_KINDS,
    CollectionEntry,
    LawArticle,
    Material,
    MaterialCollection,
    MaterialRead,
)
from lawlearn.library.references import resolve_article_references
from lawlearn.unique_keys import duplicate_raises

# Raw HTML in Markdown is shown as text, never executed; nh3 then removes anything
# dangerous that Markdown itself can produce (javascript: links and the like).
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
ALLOWED_TAGS = {"p", "br", "hr", "h2", "h3", "h4", "strong", "em", "del", "blockquote",
                "ul", "ol", "li", "a", "code", "pre", "table", "thead", "tbody", "tr", "th",
                "td", "img"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"},
                      "th": {"align"}, "td": {"align"}, "ol": {"start"}}
TAG = re.compile(r"<[^>]+>")
# Tags inside a line of text: gone without a space (Chinese has none between words, so
# "**案情**：" must read "案情：", not "案情 ：").
INLINE_TAG = re.compile(r"</?(?:a|abbr|b|code|del|em|i|ins|mark|s|span|strong|sub|sup|u)\b[^>]*>")
# Below the app's MAX_CONTENT_LENGTH (64 MB), so that the form, not a 413, says it.
VIDEO_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
MAX_VIDEO_URL_LENGTH = 500
# Control characters and path separators never reach a stored or sent file name.


def render_markdown(source: str) -> str:
    """Markdown → sanitised HTML (no script, no event handlers, no javascript: links)."""
    rendered = _markdown.render(source or "")
    # Headings inside a material start below the page's own h1.
    rendered = re.sub(r"<(/?)h1>", r"<\1h2>", rendered)
    return nh3.clean(rendered, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"},
                     link_rel="noopener noreferrer")


def plain_text(rendered_html: str) -> str:
    text = TAG.sub(" ", INLINE_TAG.sub("", rendered_html))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def parse_tags(text: str) -> list[str]:
    tags = [t.strip() for t in re.split(r"[,，;；、\s]+", text or "") if t.strip()]
    return list(dict.fromkeys(tags))[:20]


@dataclass
class MaterialFields:
    title: str
    kind: str
    body_markdown: str = ""
    source: str | None = None
    video_url: str | None = None
    tags: list[str] = field(default_factory=list)
    article_refs: str = ""  # e.g. "宪法 33；民法典 1165-1166"
    published: bool = False


def _apply(material: Material, fields: MaterialFields) -> None:
    if not fields.title.strip():
        raise ValidationFailed(_("请填写标题。"), field="title")
    if fields.kind not in MATERIAL_KINDS:
        raise ValidationFailed(_("未知的资料类型。"), field="kind")
    video_url = (fields.video_url or "").strip() or None
    if video_url and not VIDEO_URL.match(video_url):
        raise ValidationFailed(_("视频链接须以 http:// 或 https:// 开头。"), field="video_url")
    if video_url and len(video_url) > MAX_VIDEO_URL_LENGTH:
        raise ValidationFailed(_("视频链接不能超过 %(n)d 个字符。", n=MAX_VIDEO_URL_LENGTH),
                               field="video_url")
    if fields.kind == "video" and not video_url:
        raise ValidationFailed(_("视频链接类资料须填写视频地址。"), field="video_url")
    articles = resolve_article_references(fields.article_refs)
    body_html = render_markdown(fields.body_markdown or "")
    body_text = plain_text(body_html)
    if fields.published and not material.published:
        _check_readable(body_text, video_url, material)
    material.title = fields.title.strip()
    material.kind = fields.kind
    material.source = (fields.source or "").strip() or None
    material.video_url = video_url
    material.tags = fields.tags
    material.body_markdown = fields.body_markdown or ""
    material.body_html, material.body_text = body_html, body_text
    material.published = fields.published
    material.articles = articles


def create_material(actor: User | None, fields: MaterialFields) -> Material:
    material = Material(author_id=actor.id if actor else None)
    _apply(material, fields)
    db.session.add(material)
    db.session.flush()
    record_audit(actor, "material.create", material,
                 _("创建学习资料《%(title)s》", title=material.title))
    return material


def update_material(actor: User, material: Material, fields: MaterialFields) -> None:
    _apply(material, fields)
    record_audit(actor, "material.update", material,
                 _("修改学习资料《%(title)s》", title=material.title))


def _check_readable(body_text: str, video_url: str | None, material: Material) -> None:
    """A material is published with something to read or watch: an empty 附件 item showed
    staff "此资料暂无正文" and still made them wait to confirm reading it."""
    if not body_text.strip() and not video_url and not material.attachments:
        raise ValidationFailed(_("这份资料还没有内容，不能发布：请填写正文、视频链接或上传附件后再发布。"),
                               field="published")


def set_material_published(actor: User, material: Material, published: bool) -> None:
    if published and not material.published:
        _check_readable(material.body_text or "", material.video_url, material)
    material.published = published
    summary = (_("发布学习资料《%(title)s》", title=material.title) if published
               else _("撤回学习资料《%(title)s》", title=material.title))
    record_audit(actor, "material.publish" if published else "material.unpublish",
                 material, summary)


def get_material(material_id: int, *, published_only: bool) -> Material:
    """A material with its articles (and their laws) and attachments loaded."""
    material = db.session.get(Material, material_id, options=[
        selectinload(Material.articles).joinedload(LawArticle.law),
        selectinload(Material.attachments)])
    if material is None or (published_only and not material.published):
        raise NotFound(_("资料不存在或未发布。"))
    return material


def material_query(*, q: str | None = None, kind: str | None = None, tag: str | None = None,
                   published_only: bool = True, published: bool | None = None):
    """Materials, newest change first; ``published`` filters either way for admins."""
    query = select(Material).order_by(Material.updated_at.desc(), Material.id.desc())
    if published_only:
        query = query.where(Material.published.is_(True))
    elif published is not None:
        query = query.where(Material.published.is_(published))
    if kind:
        query = query.where(Material.kind == kind)
    if q and q.strip():
        query = query.where(Material.title.icontains(q.strip(), autoescape=True))
    if tag:
        # Tags are a short JSON list stored as text (ensure_ascii off, see config); the
        # quotes of the JSON string make this match one whole tag, not a part of one.
        query = query.where(cast(Material.tags, String).contains(
            json.dumps(tag, ensure_ascii=False), autoescape=True))
    return query


def material_choices() -> list[tuple[int, str]]:
    """(id, title) of every material, published or not, for admin pickers."""
    rows = db.session.execute(select(Material.id, Material.title, Material.published)
                              .order_by(Material.title, Material.id))
    return [(row.id, row.title if row.published else _("%(title)s（未发布）", title=row.title))
            for row in rows]


# --- collections ----------------------------------------------------------------------


def create_collection(actor: User | None, title: str, description: str = "",
                      published: bool = False) -> MaterialCollection:
    if not title.strip():
        raise ValidationFailed(_("请填写专题名称。"), field="title")
    collection = MaterialCollection(title=title.strip(), description=description.strip(),
                                    published=published)
    db.session.add(collection)
    db.session.flush()
    record_audit(actor, "collection.create", collection,
                 _("创建学习专题《%(title)s》", title=collection.title))
    return collection


def update_collection(actor: User | None, collection: MaterialCollection, title: str,
                      description: str = "", published: bool = False) -> None:
    if not title.strip():
        raise ValidationFailed(_("请填写专题名称。"), field="title")
    collection.title = title.strip()
    collection.description = description.strip()
    collection.published = published
    record_audit(actor, "collection.update", collection,
                 _("修改学习专题《%(title)s》", title=collection.title))


def get_collection(collection_id: int, *, published_only: bool) -> MaterialCollection:
    collection = db.session.get(MaterialCollection, collection_id)
    if collection is None or (published_only and not collection.published):
        raise NotFound(_("专题不存在或未发布。"))
    return collection


def collection_query(*, published_only: bool = True):
    query = (select(MaterialCollection).options(selectinload(MaterialCollection.entries))
             .order_by(MaterialCollection.created_at.desc(), MaterialCollection.id.desc()))
    if published_only:
        query = query.where(MaterialCollection.published.is_(True))
    return query


def collection_entries(collection: MaterialCollection) -> list[CollectionEntry]:
    """Every entry in order with its material (published or not), for the admin page."""
    return list(db.session.scalars(
        select(CollectionEntry).options(joinedload(CollectionEntry.material))
        .where(CollectionEntry.collection_id == collection.id)
        .order_by(CollectionEntry.position, CollectionEntry.id)))


def _ordered(collection: MaterialCollection) -> list[CollectionEntry]:
    # The relationship is ordered when loaded; entries added since are sorted in here.
    return sorted(collection.entries, key=lambda e: (e.position is None, e.position or 0))


def _renumber(entries: list[CollectionEntry]) -> None:
    for position, entry in enumerate(entries):
        entry.position = position


def add_to_collection(collection: MaterialCollection, material: Material,
                      group_title: str = "", *, actor: User | None = None) -> CollectionEntry:
    """Append ``material`` to the end of its group (a new group goes last)."""
    entries = _ordered(collection)
    already_in = ValidationFailed(_("该资料已在专题中。"), field="material_id")
    if any(entry.material_id == material.id for entry in entries):
        raise already_in
    group_title = group_title.strip()
    entry = CollectionEntry(material=material, group_title=group_title)
    same_group = [i for i, e in enumerate(entries) if e.group_title == group_title]
    index = same_group[-1] + 1 if same_group else len(entries)
    with duplicate_raises(already_in):  # added twice at once (a double click)
        entries.insert(index, entry)
        collection.entries.append(entry)
        _renumber(entries)
    record_audit(actor, "collection.add", collection,
                 _("将《%(material)s》加入学习专题《%(title)s》", material=material.title,
                   title=collection.title))
    return entry


def _find_entry(entries: list[CollectionEntry], entry_id: int) -> int:
    index = next((i for i, e in enumerate(entries) if e.id == entry_id), None)
    if index is None:
        raise NotFound(_("专题中没有该资料。"))
    return index


def move_entry(collection: MaterialCollection, entry_id: int, offset: int) -> None:
    """Move an entry up (-1) or down (+1) within its group; at the group's edge nothing moves."""
    entries = _ordered(collection)
    index = _find_entry(entries, entry_id)
    target = index + offset
    if (0 <= target < len(entries)
            and entries[target].group_title == entries[index].group_title):
        entries[index], entries[target] = entries[target], entries[index]
    _renumber(entries)


def remove_entry(actor: User | None, collection: MaterialCollection, entry_id: int) -> None:
    entries = _ordered(collection)
    entry = entries.pop(_find_entry(entries, entry_id))
    material_title = entry.material.title
    collection.entries.remove(entry)
    _renumber(entries)
    db.session.flush()
    record_audit(actor, "collection.remove", collection,
                 _("将《%(material)s》移出学习专题《%(title)s》", material=material_title,
                   title=collection.title))


def collection_groups(collection: MaterialCollection,
                      published_only: bool) -> list[tuple[str, list[Material]]]:
    """Entries grouped under their group titles, in order (one query with the materials)."""
    query = (select(CollectionEntry).join(CollectionEntry.material)
             .options(contains_eager(CollectionEntry.material))
             .where(CollectionEntry.collection_id == collection.id)
             .order_by(CollectionEntry.position))
    if published_only:
        query = query.where(Material.published.is_(True))
    entries = db.session.scalars(query).all()
    groups: list[tuple[str, list[Material]]] = []
    for entry in entries:
        if not groups or groups[-1][0] != entry.group_title:
            groups.append((entry.group_title, []))
        groups[-1][1].append(entry.material)
    return groups


def linked_materials(article: LawArticle) -> list[Material]:
    return list(db.session.scalars(
        select(Material).where(Material.published.is_(True),
                               Material.articles.any(LawArticle.id == article.id))
        .order_by(Material.title)))


# --- reading records ----------------------------------------------------------------------

READING_CHARS_PER_MINUTE = 600
MIN_READING_SECONDS = 30
MAX_READING_SECONDS = 600

# Sent as (None, user_id=…, material_id=…, now=…) when a reading is confirmed; receivers
# may return the points they paid (see confirm_reading).
material_read = Namespace().signal("material-read")


def minimum_reading_seconds(material: Material) -> int:
    """The least time between opening a material and "我已读完": its plain text read at
    600 characters a minute, at least 30 seconds and at most 10 minutes."""
    seconds = math.ceil(len(material.body_text or "") * 60 / READING_CHARS_PER_MINUTE)
    return min(MAX_READING_SECONDS, max(MIN_READING_SECONDS, seconds))


def reading_of(user_id: int, material_id: int) -> MaterialRead | None:
    return db.session.get(MaterialRead, (user_id, material_id))


def record_open(user_id: int, material_id: int, now: datetime) -> MaterialRead:
    """Note that the person opened the material; only the first open counts, so that a
    reload (a phone switching apps) does not restart the reading time."""
    reading = reading_of(user_id, material_id)
    if reading is not None:
        return reading
    reading = MaterialRead(user_id=user_id, material_id=material_id, opened_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(reading)
    except IntegrityError:  # opened at the same moment in another tab: keep that record
        return db.session.get(MaterialRead, (user_id, material_id))
    return reading


def seconds_left(reading: MaterialRead, now: datetime, minimum_seconds: int) -> int:
    """Whole seconds still to read before the reading can be confirmed (0: it can)."""
    elapsed = (now - reading.opened_at).total_seconds()
    return max(0, math.ceil(minimum_seconds - elapsed))


def confirm_reading(user_id: int, material: Material, now: datetime, *,
                    minimum_seconds: int | None = None) -> tuple[MaterialRead, int]:
    """我已读完: confirm once the server-measured time since opening is long enough.

    Returns the record and the points paid (0 for a repeat). ``minimum_seconds`` lets a
    caller such as a study plan item ask for its own minimum; nothing is written when the
    confirmation is refused.
    """
    minimum = minimum_reading_seconds(material) if minimum_seconds is None else minimum_seconds
    reading = reading_of(user_id, material.id)
    if reading is None:
        raise Conflict(_("请先打开资料阅读，读完后再确认。"), code="not_opened")
    if reading.confirmed_at is not None:
        return reading, 0
    left = seconds_left(reading, now, minimum)
    if left:
        raise Conflict(_("阅读时间还不够：请再读 %(n)d 秒后确认读完。", n=left), code="too_early")
    reading.confirmed_at = now
    results = material_read.send(None, user_id=user_id, material_id=material.id, now=now)
    return reading, sum(value for _receiver, value in results if isinstance(value, int))
