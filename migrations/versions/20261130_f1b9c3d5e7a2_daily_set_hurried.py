"""daily_set hurried: a set with a too-fast answer counts as no day of practice

Revision ID: f1b9c3d5e7a2
Revises: d2f6a8c4e1b7
Create Date: 2026-11-30 14:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f1b9c3d5e7a2'
down_revision = 'd2f6a8c4e1b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('daily_set', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hurried', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    # The sets completed so far: hurried if any of their answers was too fast, as the
    # completion bonus was decided.
    daily_set = sa.table('daily_set', sa.column('id', sa.Integer),
                         sa.column('completed_at', sa.DateTime),
                         sa.column('hurried', sa.Boolean))
    item = sa.table('daily_set_item', sa.column('set_id', sa.Integer),
                    sa.column('too_fast', sa.Boolean))
    op.get_bind().execute(daily_set.update().where(
        daily_set.c.completed_at.is_not(None),
        daily_set.c.id.in_(sa.select(item.c.set_id).where(item.c.too_fast.is_(True))))
        .values(hurried=True))
    with op.batch_alter_table('daily_set', schema=None) as batch_op:
        batch_op.alter_column('hurried', existing_type=sa.Boolean(), server_default=None)


def downgrade():
    with op.batch_alter_table('daily_set', schema=None) as batch_op:
        batch_op.drop_column('hurried')
