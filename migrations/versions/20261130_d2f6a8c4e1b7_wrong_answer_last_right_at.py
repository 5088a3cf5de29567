"""wrong_answer last_right_at: a right answer counts toward leaving the book once a day

Revision ID: d2f6a8c4e1b7
Revises: 7a2c9e4b6d15
Create Date: 2026-11-30 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd2f6a8c4e1b7'
down_revision = '7a2c9e4b6d15'
branch_labels = None
depends_on = None


def upgrade():
    # Empty for the entries already in the book: their next right answer counts.
    with op.batch_alter_table('wrong_answer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_right_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('wrong_answer', schema=None) as batch_op:
        batch_op.drop_column('last_right_at')
