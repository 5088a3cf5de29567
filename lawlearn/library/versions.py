"""What a statute's new version takes over from the previous one: people's bookmarks, notes
and study marks, and the materials that cite its articles; and how a version deleted as
imported by mistake gives them back."""

from __future__ import annotations

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.orm import aliased

from lawlearn.extensions import db
from lawlearn.library.models import (
    ArticleBookmark,
    ArticleNote,
    ArticleStudy,
    Law,
    LawArticle,
    MaterialArticle,
)


def carry_over(previous: Law, law: Law) -> None:
    """Keep people's work across versions: bookmarks and notes move to the new version by
    article number (copies would list every bookmark twice in 我的收藏); study marks are
    copied and material links moved only where the article's text is unchanged (a changed
    article is new to study, and a material citing it keeps the old text)."""
    def articles_of(law_id):
        return {(number, sub): (article_id, text) for article_id, number, sub, text in
                db.session.execute(select(LawArticle.id, LawArticle.number,
                                          LawArticle.sub_number, LawArticle.text)
                                   .where(LawArticle.law_id == law_id))}

    old, new = articles_of(previous.id), articles_of(law.id)
    same_number = {old_id: new[key][0] for key, (old_id, _text) in old.items() if key in new}
    same_text = {old_id: new[key][0] for key, (old_id, text) in old.items()
                 if key in new and new[key][1] == text}
    if not same_number:
        return
    rows = db.session.execute(select(ArticleStudy.article_id, ArticleStudy.user_id,
                                     ArticleStudy.studied_at)
                              .where(ArticleStudy.article_id.in_(list(same_text)))).all()
    if rows:
        db.session.execute(ArticleStudy.__table__.insert(), [
            {"article_id": same_text[article_id], "user_id": user_id, "studied_at": when}
            for article_id, user_id, when in rows])
    for table in (ArticleBookmark.__table__, ArticleNote.__table__):  # one per person each
        moves = [{"person": user_id, "old": article_id, "new": same_number[article_id]}
                 for user_id, article_id in db.session.execute(
                     select(table.c.user_id, table.c.article_id).where(
                         table.c.article_id.in_(list(same_number))))]
        if moves:
            db.session.execute(
                table.update().where(table.c.user_id == bindparam("person"),
                                     table.c.article_id == bindparam("old"))
                .values(article_id=bindparam("new")), moves)
    linked = set(db.session.scalars(select(MaterialArticle.article_id).where(
        MaterialArticle.article_id.in_(list(same_text)))))
    for old_id in linked:
        db.session.execute(update(MaterialArticle).where(MaterialArticle.article_id == old_id)
                           .values(article_id=same_text[old_id]))


# --- undoing it: a version deleted as imported by mistake ------------------------------


def _same_number_in(previous: Law, article):
    """SQL: the id of ``previous``'s article with ``article``'s number (a correlated
    subquery on the LawArticle entity or alias ``article``)."""
    earlier = aliased(LawArticle)
    return (select(earlier.id).where(earlier.law_id == previous.id,
                                     earlier.number == article.number,
                                     earlier.sub_number == article.sub_number)
            .correlate(article).scalar_subquery())


def without_counterpart(law: Law, previous: Law | None):
    """SQL: ids of ``law``'s articles whose number ``previous`` lacks (all of them when
    there is no previous version): what is on those cannot be given back."""
    articles = select(LawArticle.id).where(LawArticle.law_id == law.id)
    if previous is None:
        return articles
    return articles.where(_same_number_in(previous, LawArticle).is_(None))


def colliding_notes(law: Law, previous: Law | None) -> int:
    """Notes on ``law`` whose writer also has a note on the same article of ``previous``
    (written on the old version's page after the import): two notes cannot become one."""
    if previous is None:
        return 0
    mine, theirs = aliased(ArticleNote), aliased(ArticleNote)
    return db.session.scalar(
        select(func.count()).select_from(mine).join(LawArticle, LawArticle.id == mine.article_id)
        .where(LawArticle.law_id == law.id, exists().where(
            theirs.user_id == mine.user_id,
            theirs.article_id == _same_number_in(previous, LawArticle)))) or 0


def carry_back(law: Law, previous: Law) -> None:
    """Give ``previous`` back what ``law`` took over or gathered (see ``carry_over``):
    bookmarks, notes, study marks and material links move to its article of the same
    number. A mark or link the person or material already has there stays single. The
    caller has checked that nothing is left behind (``without_counterpart``,
    ``colliding_notes``)."""
    mapping = dict(db.session.execute(
        select(LawArticle.id, _same_number_in(previous, LawArticle))
        .where(LawArticle.law_id == law.id)).all())
    mapping = {new: old for new, old in mapping.items() if old is not None}
    if not mapping:
        return
    for table, owner in ((ArticleStudy.__table__, "user_id"),
                         (ArticleBookmark.__table__, "user_id"),
                         (ArticleNote.__table__, "user_id"),
                         (MaterialArticle.__table__, "material_id")):
        column = table.c[owner]
        rows = db.session.execute(select(column, table.c.article_id).where(
            table.c.article_id.in_(list(mapping)))).all()
        if not rows:
            continue
        there = set(db.session.execute(select(column, table.c.article_id).where(
            table.c.article_id.in_(list(set(mapping.values()))))).all())
        moves = [{"who": who, "from_id": article_id, "to_id": mapping[article_id]}
                 for who, article_id in rows if (who, mapping[article_id]) not in there]
        if moves:
            db.session.execute(
                table.update().where(column == bindparam("who"),
                                     table.c.article_id == bindparam("from_id"))
                .values(article_id=bindparam("to_id")), moves)
        # What stayed (already there) goes with the version.
