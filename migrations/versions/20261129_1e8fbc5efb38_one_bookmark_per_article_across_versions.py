"""one bookmark per article across versions

A statute's re-import used to copy people's bookmarks and notes to the new version, so
我的收藏 listed each article twice. New re-imports move them; this keeps, for each person
and article (title, number, 之N), the bookmark on the newest version only, and drops an
older version's note whose text the newest one repeats (a note written differently on an
old version is kept: it is the person's own text).

Revision ID: 1e8fbc5efb38
Revises: b26798d951fd
Create Date: 2026-11-29 15:25:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1e8fbc5efb38'
down_revision = 'b26798d951fd'
branch_labels = None
depends_on = None

law = sa.table('law', sa.column('id', sa.Integer), sa.column('title', sa.String),
               sa.column('version', sa.Integer))
article = sa.table('law_article', sa.column('id', sa.Integer), sa.column('law_id', sa.Integer),
                   sa.column('number', sa.Integer), sa.column('sub_number', sa.Integer))
bookmark = sa.table('article_bookmark', sa.column('user_id', sa.Integer),
                    sa.column('article_id', sa.Integer))
note = sa.table('article_note', sa.column('id', sa.Integer), sa.column('user_id', sa.Integer),
                sa.column('article_id', sa.Integer), sa.column('body', sa.Text))


def _rows(bind, table, *extra):
    """(user, title, number, sub) → [(version, row…)], newest version first."""
    groups = {}
    query = (sa.select(table.c.user_id, law.c.title, article.c.number, article.c.sub_number,
                       law.c.version, table.c.article_id, *extra)
             .join(article, article.c.id == table.c.article_id)
             .join(law, law.c.id == article.c.law_id))
    for row in bind.execute(query):
        key = (row.user_id, row.title, row.number, row.sub_number)
        groups.setdefault(key, []).append(row)
    for rows in groups.values():
        rows.sort(key=lambda row: row.version, reverse=True)
    return [rows for rows in groups.values() if len(rows) > 1]


def upgrade():
    bind = op.get_bind()
    for rows in _rows(bind, bookmark):
        for older in rows[1:]:
            bind.execute(bookmark.delete().where(bookmark.c.user_id == older.user_id,
                                                 bookmark.c.article_id == older.article_id))
    for rows in _rows(bind, note, note.c.id, note.c.body):
        newest = rows[0]
        for older in rows[1:]:
            if (older.body or '').strip() == (newest.body or '').strip():
                bind.execute(note.delete().where(note.c.id == older.id))


def downgrade():
    pass  # the copies held nothing of their own
