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
    # The sets completed so far stay counted: 坚持每日一练 items already stamped done, paid
    # and counted in hours must not come undone, nor a past period's figures change. The
    # rule holds from the upgrade on.
    with op.batch_alter_table('daily_set', schema=None) as batch_op:
        batch_op.alter_column('hurried', existing_type=sa.Boolean(), server_default=None)


def downgrade():
    with op.batch_alter_table('daily_set', schema=None) as batch_op:
        batch_op.drop_column('hurried')
