"""outreach photo source hash: the same file sent again is not a second photo

Revision ID: c4a7e2f9b318
Revises: 8e4b1d7c2a90
Create Date: 2026-11-30 00:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4a7e2f9b318'
down_revision = '8e4b1d7c2a90'
branch_labels = None
depends_on = None


def upgrade():
    # A nullable column and an index: no table rebuild on SQLite (the table keeps its
    # AUTOINCREMENT). Photos kept before have no hash, and are all distinct to the index.
    op.add_column('outreach_photo', sa.Column('source_sha256', sa.String(length=64),
                                              nullable=True))
    op.create_index('uq_outreach_photo_event_source', 'outreach_photo',
                    ['event_id', 'source_sha256'], unique=True)


def downgrade():
    op.drop_index('uq_outreach_photo_event_source', table_name='outreach_photo')
    with op.batch_alter_table('outreach_photo', schema=None) as batch_op:
        batch_op.drop_column('source_sha256')
