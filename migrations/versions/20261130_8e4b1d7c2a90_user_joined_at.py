"""user joined_at: the day a person joined the office's study, which an admin or an import
may give (an office importing its staff later than they came)

Revision ID: 8e4b1d7c2a90
Revises: 3f6a9c2d5e81
Create Date: 2026-11-30 00:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8e4b1d7c2a90'
down_revision = '3f6a9c2d5e81'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('joined_at', sa.DateTime(), nullable=True))
    # Until now the account's making was the joining.
    op.execute('UPDATE "user" SET joined_at = created_at')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('joined_at', existing_type=sa.DateTime(), nullable=False)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('joined_at')
