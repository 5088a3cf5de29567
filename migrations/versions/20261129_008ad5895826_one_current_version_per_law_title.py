"""one current version per law title

Revision ID: 008ad5895826
Revises: 50233821cfc9
Create Date: 2026-11-29

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '008ad5895826'
down_revision = '50233821cfc9'
branch_labels = None
depends_on = None


def _keep_the_latest_current(bind) -> None:
    """Two admins importing one law at the same instant could leave two current versions:
    the later one stays current, the earlier one becomes an amended version (its articles,
    questions and materials stay as they are)."""
    law = sa.table('law', sa.column('id', sa.Integer), sa.column('title', sa.String),
                   sa.column('is_current', sa.Boolean), sa.column('status', sa.String))
    rows = bind.execute(sa.select(law.c.id, law.c.title).where(law.c.is_current.is_(True))
                        .order_by(law.c.title, law.c.id.desc())).all()
    seen: set[str] = set()
    for law_id, title in rows:
        if title in seen:
            bind.execute(law.update().where(law.c.id == law_id)
                         .values(is_current=False, status='amended'))
        seen.add(title)


def upgrade():
    _keep_the_latest_current(op.get_bind())
    with op.batch_alter_table('law', schema=None) as batch_op:
        batch_op.create_index('uq_law_current_title', ['title'], unique=True,
                              sqlite_where=sa.text('is_current = 1'),
                              postgresql_where=sa.text('is_current'))


def downgrade():
    with op.batch_alter_table('law', schema=None) as batch_op:
        batch_op.drop_index('uq_law_current_title', sqlite_where=sa.text('is_current = 1'),
                            postgresql_where=sa.text('is_current'))
