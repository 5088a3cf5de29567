"""form submission keys: a create form saves once however often it is sent

Revision ID: 3f6a9c2d5e81
Revises: 7d2c4e9a1b60
Create Date: 2026-11-29 20:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3f6a9c2d5e81'
down_revision = '7d2c4e9a1b60'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'form_submission',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('target', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'],
                                name=op.f('fk_form_submission_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_form_submission')),
    )
    with op.batch_alter_table('form_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_submission_created_at'), ['created_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('form_submission', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_form_submission_created_at'))
    op.drop_table('form_submission')
