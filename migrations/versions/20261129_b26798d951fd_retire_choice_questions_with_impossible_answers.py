"""retire choice questions with impossible answers

A single-choice question could be saved with two letters ("AB" passed as a substring of
"ABC"); every quiz that drew it then failed to start. Such questions (and any choice
question whose answer names no option) are retired, each with an audit entry saying why,
so that an admin can correct and restore them.

Revision ID: b26798d951fd
Revises: 6c1f0e4b9a27
Create Date: 2026-11-29 14:05:00.000000

"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b26798d951fd'
down_revision = '6c1f0e4b9a27'
branch_labels = None
depends_on = None

OPTION_KEYS = 'ABCDEFGH'


def answer_is_possible(kind: str, options, answer) -> bool:
    keys = set(OPTION_KEYS[:len(options or [])])
    if kind == 'single':
        return isinstance(answer, str) and answer in keys
    letters = answer if isinstance(answer, list) else []
    return len(letters) >= 2 and all(isinstance(k, str) and k in keys for k in letters)


def upgrade():
    bind = op.get_bind()
    question = sa.table('question', sa.column('id', sa.Integer), sa.column('type', sa.String),
                        sa.column('options', sa.JSON), sa.column('answer', sa.JSON),
                        sa.column('status', sa.String))
    audit = sa.table('audit_entry', sa.column('at', sa.DateTime),
                     sa.column('actor_id', sa.Integer), sa.column('action', sa.String),
                     sa.column('target_type', sa.String), sa.column('target_id', sa.Integer),
                     sa.column('summary', sa.Text), sa.column('details', sa.JSON))
    rows = bind.execute(sa.select(question.c.id, question.c.type, question.c.options,
                                  question.c.answer)
                        .where(question.c.type.in_(['single', 'multiple']),
                               question.c.status == 'active')).all()
    broken = [row.id for row in rows if not answer_is_possible(row.type, row.options,
                                                                 row.answer)]
    if not broken:
        return
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    bind.execute(question.update().where(question.c.id.in_(broken)).values(status='retired'))
    bind.execute(audit.insert(), [{
        'at': now, 'actor_id': None, 'action': 'question.retire', 'target_type': 'question',
        'target_id': question_id,
        'summary': f'停用试题 #{question_id}：答案与选项不符（如单选题填了两个字母），请修改后恢复',
        'details': {'reason': 'impossible_answer'}} for question_id in broken])


def downgrade():
    pass  # the questions stay retired: restoring them would break quizzes again
