"""Deleting a statute version imported by mistake (the wrong file, a wrong title).

Only a version nothing depends on may go: the newest of its law (an older one is the
history a newer one was made from), with no question, session, outreach event or plan item
pointing at it. People's study marks, bookmarks and notes and materials' citations go back
to the previous version's article of the same number (the import had carried them over);
only those on an article it lacks hold the deletion. Deleting the current version makes
the one before it current again.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update

from lawlearn.accounts.audit import record_audit
from lawlearn.accounts.models import User
from lawlearn.errors import Conflict
from lawlearn.extensions import db
from lawlearn.library.models import (
    ArticleBookmark,
    ArticleNote,
    ArticleStudy,
    Law,
    LawArticle,
    LawDivision,
    MaterialArticle,
)
from lawlearn.library.versions import carry_back, colliding_notes, without_counterpart


def deletion_blockers(law: Law) -> list[str]:
    """Why ``law`` may not be deleted, in words (empty: it may). A few counting queries."""
    from lawlearn.outreach.models import OutreachEventLaw
    from lawlearn.plans.models import PlanItem
    from lawlearn.quiz.models import Question
    from lawlearn.sessions.models import SessionLink

    newer = db.session.scalar(select(Law.version).where(Law.previous_version_id == law.id))
    if newer is not None:
        return [_("已有更新的第 %(v)d 版：只能删除一部法规的最新版本。", v=newer)]
    articles = select(LawArticle.id).where(LawArticle.law_id == law.id).scalar_subquery()

    def count(column, condition) -> int:
        return db.session.scalar(select(func.count()).select_from(column.table)
                                 .where(condition)) or 0

    # What people and materials have on an article the previous version also holds goes
    # back to it (versions.carry_back): only what has nowhere to go holds the deletion.
    previous = law.previous_version
    stranded = without_counterpart(law, previous).scalar_subquery()
    reasons = []
    for n, words in (
        (count(Question.id, Question.article_id.in_(articles)), _("%(n)d 道试题引用其条文")),
        # A session links each article it cites: count the sessions, not the links.
        (db.session.scalar(select(func.count(func.distinct(SessionLink.session_id))).where(
            SessionLink.article_id.in_(articles))) or 0, _("%(n)d 场学法活动引用其条文")),
        (count(MaterialArticle.article_id, MaterialArticle.article_id.in_(stranded)),
         _("学习资料引用其条文 %(n)d 处")),
        (count(OutreachEventLaw.law_id, OutreachEventLaw.law_id == law.id),
         _("%(n)d 场普法活动登记了这部法规")),
        (count(ArticleStudy.article_id, ArticleStudy.article_id.in_(stranded)),
         _("已有 %(n)d 条学习记录")),
        (count(ArticleBookmark.article_id, ArticleBookmark.article_id.in_(stranded)),
         _("已有 %(n)d 个收藏")),
        (count(ArticleNote.id, ArticleNote.article_id.in_(stranded)), _("已有 %(n)d 条笔记")),
        (colliding_notes(law, previous), _("%(n)d 条笔记在上一版本的同一条文上另有笔记")),
    ):
        if n:
            reasons.append(words % {"n": n})
    # Plan items name the law in their settings (JSON): few rows, read here.
    items = sum(1 for (settings,) in db.session.execute(
        select(PlanItem.settings).where(PlanItem.kind == "articles"))
        if (settings or {}).get("law_id") == law.id)
    if items:
        reasons.append(_("%(n)d 个学习计划事项要求学习它", n=items))
    return reasons


def _retire_article_points(law: Law) -> None:
    """The points paid for reading ``law``'s articles stay (they were earned) under a
    source no new article can have: SQLite gives a deleted row's id to the next one, and
    "article:<id>" would pay 0 to whoever studied the mistaken version's article."""
    from lawlearn.practice.models import PointAward

    ids = db.session.scalars(select(LawArticle.id).where(LawArticle.law_id == law.id)).all()
    sources = [f"article:{article_id}" for article_id in ids]
    for start in range(0, len(sources), 500):
        db.session.execute(update(PointAward).where(PointAward.source.in_(
            sources[start:start + 500])).values(source=PointAward.source + f"@law{law.id}")
            .execution_options(synchronize_session=False))


def delete_law(actor: User | None, law: Law) -> Law | None:
    """Delete ``law`` (refused with the reasons when something depends on it); the version
    it replaced, now current again, or None."""
    reasons = deletion_blockers(law)
    if reasons:
        raise Conflict(_("不能删除：%(reasons)s。", reasons="；".join(reasons)),
                       code="law_in_use")
    previous = law.previous_version
    title, version, was_current = law.title, law.version, law.is_current
    record_audit(actor, "law.delete", law, _("删除法规《%(title)s》第 %(v)d 版（%(n)d 条）",
                                             title=title, v=version, n=law.article_count),
                 {"title": title, "version": version, "source_name": law.source_name})
    if previous is not None:
        carry_back(law, previous)
    _retire_article_points(law)
    # What stayed behind was already on the previous version (the same person's mark, the
    # same material's link): it goes with the version.
    articles = select(LawArticle.id).where(LawArticle.law_id == law.id).scalar_subquery()
    for table in (ArticleStudy.__table__, ArticleBookmark.__table__, ArticleNote.__table__,
                  MaterialArticle.__table__):
        db.session.execute(delete(table).where(table.c.article_id.in_(articles)))
    # Articles point at divisions and divisions at each other: articles first, then all the
    # divisions in one statement, then the law; the current-title index is freed before the
    # previous version takes it back.
    db.session.execute(delete(LawArticle).where(LawArticle.law_id == law.id))
    db.session.execute(delete(LawDivision).where(LawDivision.law_id == law.id)
                       .execution_options(synchronize_session=False))
    db.session.expire(law, ["divisions"])
    db.session.delete(law)
    db.session.flush()
    if previous is not None and was_current:
        previous.is_current = True
        db.session.flush()
    return previous
