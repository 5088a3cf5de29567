"""Correcting an article's wording (勘误): a wrong character or punctuation mark in an
imported text is fixed in place. An amendment is another matter: a new version, imported.
No HTTP here."""

from __future__ import annotations

from flask_babel import gettext as _

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.errors import NotFound, ValidationFailed
from lawlearn.extensions import db
from lawlearn.library.models import LawArticle

# The longest article of the Civil Code is under 1,000 characters.
MAX_ARTICLE_LENGTH = 10_000


def get_article(law_id: int, article_id: int) -> LawArticle:
    article = db.session.get(LawArticle, article_id)
    if article is None or article.law_id != law_id:
        raise NotFound(_("条文不存在。"))
    return article


def paragraphs_of(text: str) -> list[str]:
    """One paragraph per line, as the article page shows them; blank lines dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def correct_article(actor: User, article: LawArticle, text: str) -> bool:
    """Replace the article's paragraphs with ``text``'s lines; False when nothing changed.
    The search index follows (a trigger on SQLite, the column itself on PostgreSQL)."""
    paragraphs = paragraphs_of(text)
    if not paragraphs:
        raise ValidationFailed(_("条文不能为空。"), field="text")
    joined = "\n".join(paragraphs)
    if len(joined) > MAX_ARTICLE_LENGTH:
        raise ValidationFailed(_("条文不能超过 %(max)d 字。", max=MAX_ARTICLE_LENGTH),
                               field="text")
    if paragraphs == article.paragraphs:
        return False
    before = article.text
    article.paragraphs, article.text = paragraphs, joined
    record_audit(actor, "law.article_correct", article.law,
                 _("更正《%(title)s》%(label)s的文字", title=article.law.title,
                   label=article.label),
                 {"article_id": article.id, "before": before, "after": joined})
    return True
