"""campaign titles are unique

Revision ID: 6c1f0e4b9a27
Revises: 008ad5895826
Create Date: 2026-11-29 11:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6c1f0e4b9a27'
down_revision = '008ad5895826'
branch_labels = None
depends_on = None

TITLE_LENGTH = 200


def _number_duplicate_titles(bind) -> None:
    """Campaigns that already share a title keep their events and targets; the later ones
    get a number: 2026年宪法宣传周, 2026年宪法宣传周（2）."""
    campaign = sa.table('campaign', sa.column('id', sa.Integer), sa.column('title', sa.String))
    rows = bind.execute(sa.select(campaign.c.id, campaign.c.title)
                        .order_by(campaign.c.id)).all()
    taken = {title for _id, title in rows}
    seen: set[str] = set()
    for campaign_id, title in rows:
        if title not in seen:
            seen.add(title)
            continue
        number = 2
        while True:
            suffix = f'（{number}）'
            candidate = title[:TITLE_LENGTH - len(suffix)] + suffix
            if candidate not in taken:
                break
            number += 1
        taken.add(candidate)
        seen.add(candidate)
        bind.execute(campaign.update().where(campaign.c.id == campaign_id)
                     .values(title=candidate))


def upgrade():
    _number_duplicate_titles(op.get_bind())
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.create_index('uq_campaign_title', ['title'], unique=True)


def downgrade():
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_index('uq_campaign_title')
