"""session items due on their session's day

A session item left without a due date was due at its plan's end: someone who joined after
the session had closed owed an item nobody could do any more. Such items are now due on
their session's local day (when the plan runs then), as new ones are. An item on a session
cancelled earlier is marked so (settings "session_cancelled"): nobody owes it until it names
another session, as happens on cancelling from now on. Closed plans stay as they were
(frozen, as their reports).

Revision ID: 5b8d3f1e6a42
Revises: c4a7e2f9b318
Create Date: 2026-11-30 07:00:00.000000

"""
from datetime import timezone
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa
from flask import current_app


# revision identifiers, used by Alembic.
revision = '5b8d3f1e6a42'
down_revision = 'c4a7e2f9b318'
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    zone = ZoneInfo(current_app.config.get('BABEL_DEFAULT_TIMEZONE') or 'Asia/Shanghai')
    item = sa.table('plan_item', sa.column('id', sa.Integer), sa.column('plan_id', sa.Integer),
                    sa.column('kind', sa.String), sa.column('due_on', sa.Date),
                    sa.column('settings', sa.JSON))
    plan = sa.table('plan', sa.column('id', sa.Integer), sa.column('starts_on', sa.Date),
                    sa.column('ends_on', sa.Date), sa.column('status', sa.String))
    session = sa.table('study_session', sa.column('id', sa.Integer),
                       sa.column('starts_at', sa.DateTime), sa.column('cancelled_at', sa.DateTime))
    items = bind.execute(sa.select(item.c.id, item.c.settings, item.c.due_on, plan.c.starts_on,
                                   plan.c.ends_on)
                         .join(plan, plan.c.id == item.c.plan_id)
                         .where(item.c.kind == 'session', plan.c.status != 'closed')).all()
    sessions = {row.id: row for row in bind.execute(
        sa.select(session.c.id, session.c.starts_at, session.c.cancelled_at)).all()} \
        if items else {}
    for row in items:
        settings = row.settings or {}
        target = sessions.get(settings.get('session_id'))
        if target is None:
            continue
        if target.cancelled_at is not None:
            bind.execute(item.update().where(item.c.id == row.id)
                         .values(settings={**settings, 'session_cancelled': True}))
            continue
        day = target.starts_at.replace(tzinfo=timezone.utc).astimezone(zone).date()
        if row.due_on is None and row.starts_on <= day <= row.ends_on:
            bind.execute(item.update().where(item.c.id == row.id).values(due_on=day))


def downgrade():
    pass  # a due date is a valid value either way; which ones were filled in is not kept
