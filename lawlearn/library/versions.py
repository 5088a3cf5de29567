"""What a statute's new version takes over from the previous one: people's bookmarks, notes
and study marks, and the materials that cite its articles."""

from __future__ import annotations

from sqlalchemy import bindparam, select, update

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
