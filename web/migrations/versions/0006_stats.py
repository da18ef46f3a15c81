"""usage statistics: each conversation's first user message and first answer, and the figures of
each draft the statistics and the quality filters count (main source, confidence, abstained,
charter flag) kept beside its JSON payload, and indexes that cover the statistics' queries, so
that a year is counted from the indexes without reading every row and payload

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 09:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('first_user_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('first_answer_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_conversations_usage', ['created_at', 'last_seq', 'service', 'first_user_at',
                                                          'first_answer_at', 'closed_at', 'audience', 'departement'],
                              unique=False)
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('service', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('main_source', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('confidence', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('abstained', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('flagged', sa.Boolean(), nullable=True))
        batch_op.create_index('ix_drafts_usage', ['created_at', 'service', 'outcome', 'main_source', 'abstained'],
                              unique=False)
    # what is already stored
    op.execute(
        "UPDATE conversations SET "
        "first_user_at = (SELECT min(m.created_at) FROM messages m WHERE m.conversation_id = conversations.id AND m.author = 'user'), "
        "first_answer_at = (SELECT min(m.created_at) FROM messages m WHERE m.conversation_id = conversations.id "
        "AND m.author = 'counsellor')")
    op.execute("UPDATE drafts SET service = (SELECT c.service FROM conversations c WHERE c.id = drafts.conversation_id)")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "UPDATE drafts SET main_source = payload->'citations'->0->>'doc_id', "
            "confidence = (payload->>'confidence')::float, abstained = (payload->>'abstained')::boolean, "
            "flagged = (payload->'charter_flags'->0) IS NOT NULL")
    else:
        op.execute(
            "UPDATE drafts SET main_source = json_extract(payload, '$.citations[0].doc_id'), "
            "confidence = json_extract(payload, '$.confidence'), abstained = json_extract(payload, '$.abstained'), "
            "flagged = json_extract(payload, '$.charter_flags[0]') IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table('drafts', schema=None) as batch_op:
        batch_op.drop_index('ix_drafts_usage')
        batch_op.drop_column('flagged')
        batch_op.drop_column('abstained')
        batch_op.drop_column('confidence')
        batch_op.drop_column('main_source')
        batch_op.drop_column('service')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index('ix_conversations_usage')
        batch_op.drop_column('first_answer_at')
        batch_op.drop_column('first_user_at')
