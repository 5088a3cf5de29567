"""user name_key: the pinyin of each name, the order people are listed in

Revision ID: 7a2c9e4b6d15
Revises: 5b8d3f1e6a42
Create Date: 2026-11-30 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

# The app's own key: a name keyed here must sort with the names the app keys later.
from lawlearn.name_order import KEY_LENGTH, name_sort_key


# revision identifiers, used by Alembic.
revision = '7a2c9e4b6d15'
down_revision = '5b8d3f1e6a42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=KEY_LENGTH), nullable=True))
    connection = op.get_bind()
    users = sa.table('user', sa.column('id', sa.Integer), sa.column('name', sa.String),
                     sa.column('name_key', sa.String))
    rows = connection.execute(sa.select(users.c.id, users.c.name)).all()
    if rows:
        connection.execute(users.update().where(users.c.id == sa.bindparam('user_id'))
                           .values(name_key=sa.bindparam('key')),
                           [{'user_id': row.id, 'key': name_sort_key(row.name)} for row in rows])
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.alter_column('name_key', existing_type=sa.String(length=KEY_LENGTH),
                              nullable=False)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('name_key')
