"""participants hold the staff role

The people who study are now those with the 干部职工 (staff) role: an account with only
管理员 (the IT admin who set the site up) is no longer expected at sessions or counted in
reports. So that nobody else stops counting, department leads and leaders who were counted
without the role get it (a lead has "staff rights +"); and the absences that closing a
session wrote for accounts that still lack it are removed, as closing no longer writes them
(check-ins and marks by hand are kept: they are what happened).

Revision ID: 7d2c4e9a1b60
Revises: 1e8fbc5efb38
Create Date: 2026-11-29 17:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d2c4e9a1b60'
down_revision = '1e8fbc5efb38'
branch_labels = None
depends_on = None

user_role = sa.table('user_role', sa.column('user_id', sa.Integer),
                     sa.column('role', sa.String))
attendance = sa.table('attendance', sa.column('user_id', sa.Integer),
                      sa.column('status', sa.String), sa.column('source', sa.String))


def _staff():
    return sa.select(user_role.c.user_id).where(user_role.c.role == 'staff')


def upgrade():
    bind = op.get_bind()
    leads = bind.execute(sa.select(user_role.c.user_id).where(
        user_role.c.role.in_(('dept_lead', 'leader')),
        user_role.c.user_id.not_in(_staff())).distinct()).scalars().all()
    if leads:
        op.bulk_insert(user_role, [{'user_id': user_id, 'role': 'staff'}
                                   for user_id in sorted(set(leads))])
    op.execute(attendance.delete().where(attendance.c.source == 'closing',
                                         attendance.c.status == 'absent',
                                         attendance.c.user_id.not_in(_staff())))


def downgrade():
    # The roles given stay (they changed nothing the old rule counted); the removed
    # absences were never anyone's own record.
    pass
