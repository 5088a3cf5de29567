"""top-level department names are unique

Revision ID: 50233821cfc9
Revises: 4e0a9d2c7b31
Create Date: 2026-11-29 08:03:18.498301

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '50233821cfc9'
down_revision = '4e0a9d2c7b31'
branch_labels = None
depends_on = None

NAME_LENGTH = 100


def _rename_duplicate_units(bind) -> None:
    """Units that already share a name (two admins adding one at the same instant) keep
    their people and sections; the later ones get a number: 司法局, 司法局（2）."""
    department = sa.table('department', sa.column('id', sa.Integer),
                          sa.column('name', sa.String), sa.column('parent_id', sa.Integer))
    units = bind.execute(sa.select(department.c.id, department.c.name)
                         .where(department.c.parent_id.is_(None))
                         .order_by(department.c.id)).all()
    taken = {name for _id, name in units}
    seen: set[str] = set()
    for unit_id, name in units:
        if name not in seen:
            seen.add(name)
            continue
        number = 2
        while True:
            suffix = f'（{number}）'
            candidate = name[:NAME_LENGTH - len(suffix)] + suffix
            if candidate not in taken:
                break
            number += 1
        taken.add(candidate)
        seen.add(candidate)
        bind.execute(department.update().where(department.c.id == unit_id)
                     .values(name=candidate))


def upgrade():
    _rename_duplicate_units(op.get_bind())
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.create_index('uq_department_top_level_name', ['name'], unique=True,
                              sqlite_where=sa.text('parent_id IS NULL'),
                              postgresql_where=sa.text('parent_id IS NULL'))


def downgrade():
    with op.batch_alter_table('department', schema=None) as batch_op:
        batch_op.drop_index('uq_department_top_level_name',
                            sqlite_where=sa.text('parent_id IS NULL'),
                            postgresql_where=sa.text('parent_id IS NULL'))
